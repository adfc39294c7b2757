"""Membership plans, customers' enrolments and their monthly session credits (docs/api.md "Memberships").

A plan has a periodic price and benefits: percentage *discounts* scoped to all services, one
category or one service, and *session credits* per service per calendar month (reset on the 1st
in the organisation's time zone, unless the plan carries unused credits over for up to
``rollover_months`` months, oldest used first). An enrolment follows its plan's current
benefits: a manager who adds a credit to a plan gives it to every member from then on.

A manager may *freeze* an enrolment from one day to another: no benefits, no credits granted and
no month falling due meanwhile (its paid-through date moves on by the frozen days).

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
#: ``scheduled``: starts later; ``ended``: past its end date; ``cancelled``: stopped by staff;
#: ``frozen``: within a freeze (no benefits until it ends)
EnrollmentStatus = Literal["active", "scheduled", "ended", "cancelled", "frozen"]

BENEFITS_MAX = 20
CREDITS_PER_PERIOD_MAX = 100
ROLLOVER_MONTHS_MAX = 12
#: a freeze lasts at most this many days, and starts at most this many days ahead
FREEZE_DAYS_MAX = 366


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
    #: extra: unused credits stay usable this many months after their own (oldest used first);
    #: 0: credits reset on the 1st of each month
    rollover_months: int = 0


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
    rollover_months: int = Field(default=0, ge=0, le=ROLLOVER_MONTHS_MAX)


class PlanUpdate(Request):
    """``PATCH /v1/membership-plans/{id}``: absent fields stay; ``discounts``/``credits`` replace the list."""

    name: Name | None = None
    price: Money | None = None
    description: Text | None = None
    active: bool | None = None
    discounts: list[DiscountIn] | None = Field(default=None, max_length=BENEFITS_MAX)
    credits: list[PlanCreditIn] | None = Field(default=None, max_length=BENEFITS_MAX)
    rollover_months: int | None = Field(default=None, ge=0, le=ROLLOVER_MONTHS_MAX)


class Credit(Wire):
    """One service's credits in the current period: ``remaining = allowance − used − on_hold``,
    where ``allowance`` is ``per_period`` (unless the whole month is frozen) plus the credits
    carried in from earlier months."""

    service_id: str
    service_name: str
    per_period: int
    used: int
    on_hold: int
    remaining: int
    #: extra: what this month offers: its own credits plus those carried in
    allowance: int = 0
    #: extra: of ``remaining``, the credits left from earlier months (used first)
    carried: int = 0
    #: extra: the oldest month those carried credits come from, "YYYY-MM"
    carried_from: str | None = None


class Freeze(Wire):
    """Benefits paused from ``starts_on`` through ``ends_on``; one ended early has ``ended_at``
    (``ends_on`` then is the last frozen day, before ``starts_on`` when it never began)."""

    id: str
    starts_on: date
    ends_on: date
    reason: str
    created_at: datetime
    ended_at: datetime | None = None


class FreezeCreate(Request):
    """``POST /v1/memberships/{id}/freezes`` (managers): benefits stop from ``starts_on`` (default
    today; never in the past) through ``ends_on``, at most 366 days."""

    starts_on: date | None = None
    ends_on: date
    reason: Line = Field(min_length=1, max_length=TEXT_MAX)


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
    #: extra: the enrolment's freezes, past, current and planned, earliest first
    freezes: list[Freeze] = []
    #: extra: the first unpaid day, once it has come (null when paid, complimentary or never billed)
    due_since: date | None = None
    #: extra: the day its benefits stopped for want of payment (``due_since`` + the organisation's
    #: grace), once it has come
    suspended_from: date | None = None


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
