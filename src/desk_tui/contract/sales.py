"""Sales: the checkout cart, its membership benefits, payments and the receipt (docs/api.md "Sales").

A cart is opened for a customer, an appointment (its lines come with it, package lines already
at 0) or nobody (a walk-in buying a product). Lines are services or products, or something the
customer buys to use later: a package (the card is issued when the sale completes) or a
membership (the enrolment starts when the sale completes). A line may carry a
discount (typed by staff, or the highest membership discount from "Apply") or be *redeemed* from
a membership credit or a card, which sets its total to 0 and puts the credit or units **on hold**
for this sale. Completing is one atomic, idempotent step: holds become redemptions, payments are
recorded (store credit is taken from the customer's balance), the appointment is completed and
the receipt is written. Abandoning — or leaving the cart idle past the server's hold timeout —
releases every hold.

Money: a line's price is ``round(quantity × unit_price × (100 − discount_percent) / 100)`` (half
up), or 0 when redeemed; its VAT is worked out per line at the line's rate, rounded half up
(``vat = round(price × rate / (100 + rate))`` when the price includes VAT, ``round(price × rate /
100)`` added on top when it does not); ``line.total`` is the gross, ``net + vat``.
``subtotal = Σ quantity × unit_price``; ``total = Σ line.total``; ``discount_total``,
``covered_total`` and ``tax_added_total`` say how the difference splits; ``vat`` sums net, VAT and
gross per rate. A completed sale keeps each line's rate and amounts as they were.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from desk_tui.contract.appointments import Id
from desk_tui.contract.cards import NUMBER_MAX, bounded_date
from desk_tui.contract.common import PRICE_MAX, Line, Money, Request, Text, Wire

SaleStatus = Literal["open", "completed", "abandoned"]
PaymentMethod = Literal["cash", "card", "store_credit", "other"]
#: ``package``: a card issued to the customer when the sale completes; ``membership``: an
#: enrolment in a plan that starts when the sale completes (its first month's price), or the
#: next month of one the customer already has (``renews_enrollment_id``)
LineKind = Literal["service", "product", "package", "membership"]
#: ``held``: credit or units on hold for this open sale (an appointment's package line is
#: ``held`` by its reservation); ``redeemed``: the sale completed; ``released``: abandoned
HoldState = Literal["held", "redeemed", "released"]

LINES_MAX = 50
PAYMENTS_MAX = 10


class RedeemedFrom(Wire):
    kind: Literal["card", "membership"]
    card_id: str | None = None
    entitlement_id: str | None = None
    enrollment_id: str | None = None
    #: "5x Manicure #BS-1001" / "Gold membership"
    source_name: str
    state: HoldState
    #: extra: the hold is the appointment's own reservation (a package line booked ahead). The
    #: sale redeems it when it completes but never releases it: abandoning the cart leaves the
    #: appointment's session booked, and only editing the appointment switches the line to paid.
    via_appointment: bool = False


class SaleLine(Wire):
    id: str
    kind: LineKind
    service_id: str | None = None
    product_id: str | None = None
    package_id: str | None = None
    plan_id: str | None = None
    #: package lines: the number written on the card to issue, and its expiry (null: the
    #: package's own delay, counted from the day of the sale)
    card_number: str | None = None
    expires_on: date | None = None
    #: what the completed sale created: the card (package line) or the enrolment (membership line)
    issued_card_id: str | None = None
    issued_enrollment_id: str | None = None
    #: a membership line paying the next month of an enrolment the customer already has
    renews_enrollment_id: str | None = None
    #: set when the line came with the appointment
    appointment_line_id: str | None = None
    name: str
    quantity: int
    #: the list price of one (for a redeemed line: what the redemption covered)
    unit_price: int
    discount_percent: int = 0
    #: ``membership`` when "Apply" set the discount, ``staff`` when typed
    discount_source: Literal["membership", "staff"] | None = None
    #: extra: the catalogue price of one when the line was added (what a price override is measured against)
    list_price: int | None = None
    #: extra: the manager or owner who approved a price or discount beyond the organisation's
    #: ``max_discount_percent_without_manager`` (null when none was needed)
    approved_by: str | None = None
    #: the gross: what the customer pays for the line (0 when covered)
    total: int
    #: extra: the line's VAT rate in percent (27, 5.5), whether its price includes VAT, and its net
    #: and VAT (``net + vat = total``)
    vat_rate: float = 0
    tax_inclusive: bool = True
    net: int = 0
    vat: int = 0
    redeemed_from: RedeemedFrom | None = None
    #: the receipt's words: "Manicure — from 5x Manicure, 3 of 5 used", "Deep Tissue Massage — Gold
    #: membership credit", "Facial — 20% membership discount"
    label: str


class Payment(Wire):
    method: PaymentMethod
    amount: int


class VatRate(Wire):
    """One VAT rate's part of a sale or a report."""
    #: percent: 27, 5.5
    rate: float
    net: int
    vat: int
    gross: int


class Sale(Wire):
    id: str
    status: SaleStatus
    customer_id: str | None = None
    customer_name: str | None = None
    appointment_id: str | None = None
    location_id: str
    lines: list[SaleLine]
    subtotal: int
    discount_total: int
    #: what redemptions (credits and cards) covered
    covered_total: int = 0
    #: extra: VAT added on top of prices typed without it
    tax_added_total: int = 0
    total: int
    #: extra: net, VAT and gross per rate, highest rate first (covered lines count 0)
    vat: list[VatRate] = []
    payments: list[Payment]
    #: written when the sale completes
    receipt_text: str | None = None
    opened_at: datetime
    #: holds are released if nothing happens to the cart until then (open sales only)
    holds_expire_at: datetime | None = None
    completed_at: datetime | None = None
    #: "abandoned by staff" / "left idle for 30 minutes"
    abandoned_reason: str | None = None
    #: the customer's store credit now (what a ``store_credit`` payment can use)
    store_credit: int = 0


class DiscountOffer(Wire):
    line_id: str
    enrollment_id: str
    plan_name: str
    percent: int
    #: "20% discount on all services"
    label: str


class CreditOffer(Wire):
    line_id: str
    enrollment_id: str
    service_id: str
    plan_name: str
    #: credits of this service left this period (holds of this sale already counted)
    remaining: int
    #: "2× Deep Tissue Massage credit"
    label: str


class CardOffer(Wire):
    line_id: str
    card_id: str
    entitlement_id: str
    #: "5x Manicure #BS-1001 (2 of 5 used)"
    label: str
    remaining: int
    available: int


class Benefits(Wire):
    """``GET /v1/sales/{id}/benefits``: what the "Membership benefits available" banner offers."""

    sale_id: str
    #: the best discount per eligible line (what "Apply" would set)
    discounts: list[DiscountOffer]
    credits: list[CreditOffer]
    cards: list[CardOffer]
    #: the banner in words, one entry per benefit: "20% discount on all services",
    #: "2× Deep Tissue Massage credit"
    banner: list[str]
    store_credit: int = 0
    #: extra: the customer's memberships whose paid months ran out (and that this cart does not
    #: already renew): "Gold membership: payment due since 2026-12-23"; past the organisation's
    #: grace (``membership_grace_days``) its benefits are off until the month is paid: "…; benefits
    #: suspended from 2027-01-06" (adding the month to the cart brings them back for this sale)
    payments_due: list[str] = []
    #: extra: the enrolments among those whose benefits are suspended (the cart offers their month
    #: instead of their discounts and credits)
    suspended: list[str] = []
    #: extra: the customer's memberships frozen today, whose benefits are off:
    #: "Gold membership is frozen until 2027-01-31: no discounts or credits"
    frozen: list[str] = []


class SaleCreate(Request):
    customer_id: Id | None = None
    appointment_id: Id | None = None


class SaleUpdate(Request):
    """``PATCH /v1/sales/{id}``: choose the customer of a cart opened without one."""

    customer_id: Id | None = None


class CardDetails(Request):
    """The card a package line will issue: its number (blank: none) and expiry (null: the
    package's own delay, counted from the day of the sale)."""

    card_number: Line | None = Field(default=None, max_length=NUMBER_MAX)
    expires_on: date | None = None

    _dates = field_validator("expires_on")(bounded_date)

    @field_validator("card_number")
    @classmethod
    def _number(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None


class ManagerApproval(Request):
    """A manager or owner at the till approves one price or discount with their PIN (checked as at
    sign-in, failures counted with sign-in's; no token is made)."""

    username: str = Field(min_length=1, max_length=100)
    pin: str = Field(min_length=1, max_length=64)


class SaleLineCreate(CardDetails):
    """Exactly one of the item ids. A package or membership line is one card or one enrolment
    (quantity 1) and needs the cart's customer; ``card_number`` and ``expires_on`` are for a
    package line only."""

    service_id: Id | None = None
    product_id: Id | None = None
    package_id: Id | None = None
    plan_id: Id | None = None
    quantity: int = Field(default=1, ge=1, le=100)
    #: default: the item's list price (a plan's: one month)
    price: Money | None = None
    #: needed when ``price`` is below the list price by more than the organisation's
    #: ``max_discount_percent_without_manager`` and the caller is reception
    approval: ManagerApproval | None = None

    @model_validator(mode="after")
    def _one_item(self) -> SaleLineCreate:
        named = [x for x in (self.service_id, self.product_id, self.package_id, self.plan_id) if x is not None]
        if len(named) != 1:
            raise ValueError("name exactly one of service_id, product_id, package_id and plan_id")
        if (self.package_id or self.plan_id) and self.quantity != 1:
            raise ValueError("quantity: a package or membership line is one card or one enrolment; add another "
                             "line for a second")
        if self.package_id is None and (self.card_number is not None or self.expires_on is not None):
            raise ValueError("card_number and expires_on belong to a package line")
        return self


class SaleLineUpdate(CardDetails):
    """Only the fields sent change. ``card_number`` and ``expires_on`` (null: the package's
    default) apply to a package line; ``quantity`` to a service or product line."""

    price: Money | None = None
    discount_percent: int | None = Field(default=None, ge=0, le=100)
    quantity: int | None = Field(default=None, ge=1, le=100)
    #: needed when the price and discount together take more than the organisation's
    #: ``max_discount_percent_without_manager`` off the list price and the caller is reception
    approval: ManagerApproval | None = None


class LineRedeem(Request):
    """``POST /v1/sales/{id}/lines/{line_id}/redeem``: exactly one of ``enrollment_id`` and ``card_id``."""

    enrollment_id: Id | None = None
    card_id: Id | None = None
    entitlement_id: Id | None = None

    @model_validator(mode="after")
    def _one_source(self) -> LineRedeem:
        if (self.enrollment_id is None) == (self.card_id is None):
            raise ValueError("name exactly one of enrollment_id and card_id")
        return self


class PaymentIn(Request):
    method: PaymentMethod
    amount: int = Field(ge=1, le=PRICE_MAX)


class SaleComplete(Request):
    #: empty when the total is 0 ("Fully covered")
    payments: list[PaymentIn] = Field(default_factory=list, max_length=PAYMENTS_MAX)


class SaleAbandon(Request):
    reason: Text | None = None
