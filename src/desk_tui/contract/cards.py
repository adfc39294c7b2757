"""Cards (customers' packages), their balances and their ledger (docs/api.md "Cards")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from desk_tui.contract.common import TEXT_MAX, UNITS_MAX, Line, Money, Request, Wire
from desk_tui.contract.memberships import Enrollment

CardStatus = Literal["active", "fully_used", "expired", "refunded", "void"]
TransactionKind = Literal["issue", "reserve", "release", "redeem", "undo", "adjust", "extend", "transfer",
                          "refund", "expire", "renumber"]

#: Dates far in the future are refused so date arithmetic (extensions) can never overflow.
LAST_DATE = date(2999, 12, 31)
NUMBER_MAX = 40


class ServiceBalance(Wire):
    service_id: str
    service_name: str
    unit_cost: int
    #: how many times this service can still be redeemed from the pool
    available: int


class Balance(Wire):
    entitlement_id: str
    initial: int
    adjustments: int = 0
    used: int
    booked: int
    remaining: int
    #: initial + adjustments: the "of 10" in "7/10 remaining"
    total: int = 0
    services: list[ServiceBalance]


class CardMember(Wire):
    """A family member the card's owner lets use it (an existing customer)."""

    customer_id: str
    name: str
    added_at: datetime


class Card(Wire):
    id: str
    number: str | None = None
    package_id: str
    package_name: str
    unit_type: str
    customer_id: str
    customer_name: str
    status: CardStatus
    issued_at: datetime
    #: the issuing staff member's name; null when issued at another location than yours (staff
    #: names are shown only at the location where the staff member acted)
    issued_by: str | None = None
    issued_by_id: str | None = None
    issued_location_id: str
    expires_on: date | None = None
    last_used_at: datetime | None = None
    price_paid: int
    #: what POST /refund would credit now (price paid × remaining ÷ initial, rounded down)
    refund_value: int = 0
    balances: list[Balance]
    #: family members who may use the card besides its owner (``customer_id``), by name
    members: list[CardMember] = Field(default_factory=list)


class Transaction(Wire):
    id: str
    at: datetime
    kind: TransactionKind
    entitlement_id: str | None = None
    service_id: str | None = None
    service_name: str | None = None
    units: int = 0
    staff_id: str | None = None
    #: null when the entry was made at another location than yours (staff names are shown only at
    #: the location where the entry was made)
    staff_name: str | None = None
    location_id: str | None = None
    appointment_id: str | None = None
    sale_id: str | None = None
    note: str | None = None
    #: the id of the undo entry that compensated this one
    undone_by: str | None = None
    #: the earlier entry this one settles (the redemption an undo reverses, the reservation a release frees)
    ref_id: str | None = None
    #: the card's owner when the entry was made (transfers keep the old owner traceable)
    customer_id: str | None = None
    #: money moved, in minor units (issue: price paid; refund: store credit)
    amount: int | None = None
    #: extend: old and new expiry date; transfer: old and new customer id; renumber: old and new
    #: card number (null: the card had, or now has, no number)
    old_value: str | None = None
    new_value: str | None = None
    #: extras in words, so the history never shows an id: the appointment's local start
    #: ("2026-11-23 14:00", with its location when it was elsewhere), a transfer's owners by name,
    #: and the sale that redeemed the entry ("checkout")
    appointment_label: str | None = None
    old_owner: str | None = None
    new_owner: str | None = None
    #: the family member a reservation or redemption was for, when not the card's owner (null for
    #: the owner and for entries made before family cards), and their name
    used_by_customer_id: str | None = None
    used_by: str | None = None


class CardChange(Wire):
    """What a redemption, undo or adjustment returns: the new ledger entry and the card after it."""

    transaction: Transaction
    card: Card


def bounded_date(v: date | None) -> date | None:
    if v is not None and not date(2000, 1, 1) <= v <= LAST_DATE:
        raise ValueError(f"must be between 2000-01-01 and {LAST_DATE.isoformat()}")
    return v


class CardCreate(Request):
    package_id: str = Field(min_length=1, max_length=40)
    customer_id: str = Field(min_length=1, max_length=40)
    number: Line | None = Field(default=None, max_length=NUMBER_MAX)
    expires_on: date | None = None
    price_paid: Money | None = None
    #: the transaction note of the sale (creating a card requires one)
    note: Line = Field(min_length=1, max_length=TEXT_MAX)
    #: why the card is given without a sale: required by ``POST /v1/cards`` (managers and owners
    #: only; the till sells cards through a cart), listed in ``GET /v1/reports/given-without-sale``
    reason: Line | None = Field(default=None, max_length=TEXT_MAX)

    _dates = field_validator("expires_on")(bounded_date)

    @field_validator("number")
    @classmethod
    def _number(cls, v: str | None) -> str | None:
        return v or None


class RedemptionCreate(Request):
    service_id: str = Field(min_length=1, max_length=40)
    quantity: int = Field(default=1, ge=1, le=100)
    #: when the same service is in several pools; the first pool that can pay is used otherwise
    entitlement_id: str | None = Field(default=None, max_length=40)
    sale_id: str | None = Field(default=None, max_length=40)
    note: Line | None = Field(default=None, max_length=TEXT_MAX)
    #: who the service is for: the card's owner (the default, or the sale's customer when
    #: ``sale_id`` names one) or a family member listed on the card (409 card_not_shared otherwise)
    for_customer_id: str | None = Field(default=None, min_length=1, max_length=40)


class UndoRequest(Request):
    reason: Line = Field(min_length=1, max_length=TEXT_MAX)


class AdjustmentCreate(Request):
    #: may be left out when the card has a single pool
    entitlement_id: str | None = Field(default=None, max_length=40)
    units: int = Field(ge=-UNITS_MAX, le=UNITS_MAX)
    reason: Line = Field(min_length=1, max_length=TEXT_MAX)
    #: the customer at the desk this is done for; when given, it must be the card's owner (a family
    #: member may use the card, but not this: 409 card_owner_only)
    for_customer_id: str | None = Field(default=None, min_length=1, max_length=40)

    @field_validator("units")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("an adjustment of 0 units changes nothing")
        return v


class CardUpdate(Request):
    number: Line | None = Field(default=None, max_length=NUMBER_MAX)
    #: null means the card never expires
    expires_on: date | None = None
    customer_id: str | None = Field(default=None, min_length=1, max_length=40)
    note: Line | None = Field(default=None, max_length=TEXT_MAX)
    #: the customer at the desk this is done for; when given, it must be the card's owner (a family
    #: member may use the card, but not this: 409 card_owner_only)
    for_customer_id: str | None = Field(default=None, min_length=1, max_length=40)

    _dates = field_validator("expires_on")(bounded_date)


class RefundRequest(Request):
    reason: Line = Field(min_length=1, max_length=TEXT_MAX)
    #: the customer at the desk this is done for; when given, it must be the card's owner (a family
    #: member may use the card, but not this: 409 card_owner_only)
    for_customer_id: str | None = Field(default=None, min_length=1, max_length=40)


class CardMemberAdd(Request):
    #: an existing customer, not the card's owner
    customer_id: str = Field(min_length=1, max_length=40)


class BulkExtendRequest(Request):
    days: int = Field(ge=1, le=3650)
    package_id: str | None = Field(default=None, max_length=40)
    location_id: str | None = Field(default=None, max_length=40)
    reason: Line = Field(min_length=1, max_length=TEXT_MAX)
    dry_run: bool = False


class BulkExtendResult(Wire):
    count: int
    dry_run: bool


class ExpireResult(Wire):
    count: int


class Wallet(Wire):
    cards: list[Card]
    #: active enrolments only, with this month's credits
    memberships: list[Enrollment] = Field(default_factory=list)
    store_credit: int
    #: active cards of other customers that list this one as a family member (soonest expiry
    #: first); each names its owner in ``customer_id`` / ``customer_name``. Apart from ``cards``
    #: so a client that does not know family cards never takes one for the customer's own
    shared_cards: list[Card] = Field(default_factory=list)


class ImportRejection(Wire):
    row: int
    code: str
    detail: str


class ImportResult(Wire):
    #: rows that are valid (and were imported unless dry_run or anything was rejected)
    accepted: int
    rejected: list[ImportRejection]
    imported: int = 0
    dry_run: bool = True
