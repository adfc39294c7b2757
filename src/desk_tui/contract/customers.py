from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from desk_tui.contract.common import Line, Name, Request, Wire


class Customer(Wire):
    id: str
    name: str
    phone: str | None = None
    email: str | None = None
    store_credit: int = 0
    created_at: datetime | None = None


class CustomerBrief(Wire):
    id: str
    name: str


class CustomerCreated(Customer):
    """The answer to POST /customers: the new customer and who else has the same phone number."""

    #: customers already on file with this phone number (however it was typed): the record is
    #: created all the same, so a couple sharing a landline is no problem, but reception is told
    same_phone: list[CustomerBrief] = []


class CustomerCreate(Request):
    name: Name
    phone: Line | None = Field(default=None, max_length=40)
    email: Line | None = Field(default=None, max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if not v:
            return None
        digits = [c for c in v if c.isdigit()]
        if len(digits) < 6 or any(not (c.isdigit() or c in " +-()./") for c in v):
            raise ValueError("a phone number needs at least 6 digits and only + - ( ) . / spaces")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if not v:
            return None
        local, _, domain = v.partition("@")
        if not local or "." not in domain or " " in v:
            raise ValueError("this does not look like an email address")
        return v.lower()


class ActivityEntry(Wire):
    id: str
    at: datetime
    kind: str
    summary: str
    staff_name: str | None = None
    location_id: str | None = None
    card_id: str | None = None
    appointment_id: str | None = None
    sale_id: str | None = None
