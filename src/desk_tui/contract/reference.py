from __future__ import annotations

from typing import Literal

from pydantic import Field

from desk_tui.contract.common import Money, Name, Request, Wire

Role = Literal["reception", "manager", "owner"]
ROLE_RANK: dict[str, int] = {"reception": 0, "manager": 1, "owner": 2}


class Location(Wire):
    id: str
    name: str
    address: str = ""


class Staff(Wire):
    id: str
    name: str
    username: str | None = None
    role: Role
    location_ids: list[str]
    bookable: bool = True


class Service(Wire):
    id: str
    name: str
    category: str
    duration_min: int
    price: int
    location_ids: list[str]
    active: bool = True
    #: extra: the VAT rate in percent (27, 5.5) and whether ``price`` includes it
    vat_rate: float = 0
    tax_inclusive: bool = True


class ServiceCreate(Request):
    name: Name
    category: Name
    duration_min: int = Field(ge=5, le=24 * 60)
    price: Money
    location_ids: list[str] = Field(min_length=1, max_length=500)
    #: percent, 0–100, at most two decimals (422 ``invalid_vat_rate``); left out: the organisation's
    vat_rate: float | None = None
    #: left out: the organisation's ``prices_include_tax``
    tax_inclusive: bool | None = None


class ServiceUpdate(Request):
    name: Name | None = None
    category: Name | None = None
    duration_min: int | None = Field(default=None, ge=5, le=24 * 60)
    price: Money | None = None
    location_ids: list[str] | None = Field(default=None, min_length=1, max_length=500)
    active: bool | None = None
    vat_rate: float | None = None
    tax_inclusive: bool | None = None


class Product(Wire):
    id: str
    name: str
    price: int
    active: bool = True
    #: extra: as on Service
    vat_rate: float = 0
    tax_inclusive: bool = True


class ProductCreate(Request):
    name: Name
    price: Money
    vat_rate: float | None = None
    tax_inclusive: bool | None = None


class ProductUpdate(Request):
    name: Name | None = None
    price: Money | None = None
    active: bool | None = None
    vat_rate: float | None = None
    tax_inclusive: bool | None = None


class Settings(Wire):
    currency: str
    currency_decimals: int
    timezone: str
    business_name: str
    #: extra: a price lowered or a discount given at the till by more than this percent of the
    #: catalogue price needs a manager's approval (``manager_approval_required``)
    max_discount_percent_without_manager: int = 20
    #: extra: the country (ISO 3166 alpha-2) whose national form phone numbers are typed in
    phone_region: str = "HU"
    #: extra: days an unpaid membership keeps its benefits after its payment fell due; then they
    #: are suspended until the month is paid. Null: never suspended, only warned of at checkout
    membership_grace_days: int | None = 14
    #: extra: prices are typed VAT included unless an item says otherwise
    prices_include_tax: bool = True
    #: extra: the standard VAT rate in percent (new items that name none; memberships)
    vat_rate: float = 0
