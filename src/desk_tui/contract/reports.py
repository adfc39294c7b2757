"""Reports over the cards ledger (docs/api.md "Reports")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from desk_tui.contract.common import Wire
from desk_tui.contract.sales import VatRate


class LiabilityLine(Wire):
    package_id: str
    package_name: str
    unit_type: str
    #: live cards (active, not expired) with units still owed
    cards: int
    #: remaining + booked: everything not yet redeemed
    units_outstanding: int
    #: price paid × outstanding ÷ initial, rounded down per card
    value_outstanding: int


class Liability(Wire):
    items: list[LiabilityLine]
    total_value: int
    currency: str


class ExpiringCard(Wire):
    card_id: str
    number: str | None = None
    customer_id: str
    customer_name: str
    phone: str | None = None
    email: str | None = None
    package_id: str
    package_name: str
    unit_type: str
    expires_on: date
    days_left: int
    remaining: int


class MembershipDue(Wire):
    """An active membership whose months paid at the till ran out: who to ask for the next one."""

    enrollment_id: str
    customer_id: str
    customer_name: str
    phone: str | None = None
    plan_id: str
    plan_name: str
    #: the plan's price for one month
    price: int
    paid_through: date
    #: the first unpaid day (paid_through + 1)
    due_since: date
    #: months started and not paid, this one included
    months_due: int


class GivenWithoutSale(Wire):
    """A card issued or a membership enrolled outside a sale (``GET /v1/reports/given-without-sale``):
    who gave what to whom, when, at what price and why."""

    id: str
    at: datetime
    kind: Literal["card", "membership"]
    customer_id: str
    customer_name: str
    #: the package's or the plan's name
    what: str
    card_id: str | None = None
    card_number: str | None = None
    enrollment_id: str | None = None
    #: the card's price paid, or the plan's monthly price (0 when complimentary)
    price: int
    complimentary: bool = False
    reason: str
    staff_id: str | None = None
    staff_name: str | None = None
    location_id: str | None = None


class SalesVat(Wire):
    """Completed sales of some business days: net, VAT and gross per VAT rate, as each sale's
    lines were written when it completed (a later rate change never moves them)."""
    start: date
    end: date
    #: the location whose sales these are; null: every location (the owner's default)
    location_id: str | None = None
    location_name: str | None = None
    currency: str
    #: completed sales in those days (at the location, or every location)
    sales: int
    #: per rate, highest first: ``{rate, net, vat, gross}`` (contract/sales.py ``VatRate``)
    rates: list[VatRate]
    net: int
    vat: int
    gross: int
