"""Membership plans, customers' enrolments and their monthly session credits (docs/api.md "Memberships").

A plan has a periodic price and benefits: percentage *discounts* scoped to all services, one
category or one service, and *session credits* per service per calendar month (reset on the 1st
in the organisation's time zone, no carry-over). An enrolment follows its plan's current
benefits: a manager who adds a credit to a plan gives it to every member from then on.

A credit is ``used`` when a sale that redeemed it completes; while the sale is open it is
``on_hold``: clicking Redeem only reserves the credit for this sale.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from desk_tui.contract.appointments import Id
from desk_tui.contract.common import NAME_MAX, TEXT_MAX, Line, Money, Name, Request, Text, Wire

DiscountScope = Literal["all", "category", "service"]
#: ``scheduled``: starts later; ``ended``: past its end date; ``cancelled``: stopped by staff
EnrollmentStatus = Literal["active", "scheduled", "ended", "cancelled"]

BENEFITS_MAX = 20
CREDITS_PER_PERIOD_MAX = 100


class Discount(Wire):
    scope: DiscountScope
    #: the category name (scope ``category``) or the service id (scope ``service``); null for ``all``
    target: str | None = None
    percent: int
    #: extra: the banner's words, "20% discount on all services", "20% discount on Massage"
    label: str = ""


class PlanCredit(Wire):
    service_id: str
    service_name: str | None = None
    per_period: int


class Plan(Wire):
    id: str
    name: str
    #: the price of one period (a month), minor units
    price: int
    active: bool = True
    description: str = ""
    discounts: list[Discount]
    credits: list[PlanCredit]
    #: extra: enrolments that are active or scheduled
    members: int = 0


class DiscountIn(Request):
    scope: DiscountScope
    target: Line | None = Field(default=None, max_length=NAME_MAX)
    percent: int = Field(ge=1, le=100)

    @model_validator(mode="after")
    def _target_matches_scope(self) -> DiscountIn:
        if self.scope == "all" and self.target:
            raise ValueError("target: must be empty when the discount covers all services")
        if self.scope != "all" and not self.target:
            raise ValueError(f"target: name the {self.scope} the discount covers")
        return self


class PlanCreditIn(Request):
    service_id: Id
    per_period: int = Field(ge=1, le=CREDITS_PER_PERIOD_MAX)


class PlanCreate(Request):
    name: Name
    price: Money
    description: Text = ""
    active: bool = True
    discounts: list[DiscountIn] = Field(default_factory=list, max_length=BENEFITS_MAX)
    credits: list[PlanCreditIn] = Field(default_factory=list, max_length=BENEFITS_MAX)


class PlanUpdate(Request):
    """``PATCH /v1/membership-plans/{id}``: absent fields stay; ``discounts``/``credits`` replace the list."""

    name: Name | None = None
    price: Money | None = None
    description: Text | None = None
    active: bool | None = None
    discounts: list[DiscountIn] | None = Field(default=None, max_length=BENEFITS_MAX)
    credits: list[PlanCreditIn] | None = Field(default=None, max_length=BENEFITS_MAX)


class Credit(Wire):
    """One service's credits in the current period: ``remaining = per_period − used − on_hold``."""

    service_id: str
    service_name: str
    per_period: int
    used: int
    on_hold: int
    remaining: int


class Enrollment(Wire):
    id: str
    plan_id: str
    plan_name: str
    customer_id: str
    status: EnrollmentStatus
    #: the current calendar month in the organisation's time zone, "YYYY-MM"
    period: str
    discounts: list[Discount]
    credits: list[Credit]
    starts_on: date
    ends_on: date | None = None
    #: extra: the plan's price per period
    price: int = 0
    #: extra: when it was sold
    created_at: datetime | None = None
    #: extra: set once staff cancelled it; with a notice date it stays ``active`` through ``ends_on``
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    note: str | None = None
    #: extra: the last day the months paid cover (given without a sale: the day before it starts, so it
    #: is due from its first month); null when complimentary or never billed
    paid_through: date | None = None
    #: extra: given free by a manager (with a reason): never due while complimentary
    complimentary: bool = False


class EnrollmentCreate(Request):
    plan_id: Id
    #: default: today (the organisation's business date); never in the past
    starts_on: date | None = None
    #: extra: a fixed term's last day of benefits (default: open-ended)
    ends_on: date | None = None
    note: Text | None = None
    #: why the membership is given without a sale: required by ``POST /v1/customers/{id}/memberships``
    #: (managers and owners only; the till sells memberships through a cart)
    reason: Text | None = None
    #: given free: never due in ``GET /v1/reports/memberships-due`` while complimentary. Without
    #: it, a membership enrolled outside a sale is due from its first month.
    complimentary: bool = False


class EnrollmentCancel(Request):
    """``POST /v1/memberships/{id}/cancel``: benefits stop after ``ends_on`` (today or later; the
    enrolment stays ``active`` through it), or at once when ``ends_on`` is absent."""

    reason: Line = Field(min_length=1, max_length=TEXT_MAX)
    ends_on: date | None = None
