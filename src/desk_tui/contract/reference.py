from __future__ import annotations

from typing import Literal

from pydantic import Field

from desk_tui.contract.common import NAME_MAX, Request, Wire

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


class ServiceCreate(Request):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    category: str = Field(min_length=1, max_length=NAME_MAX)
    duration_min: int = Field(ge=5, le=24 * 60)
    price: int = Field(ge=0, le=10**12)
    location_ids: list[str] = Field(min_length=1, max_length=500)


class ServiceUpdate(Request):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    category: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    duration_min: int | None = Field(default=None, ge=5, le=24 * 60)
    price: int | None = Field(default=None, ge=0, le=10**12)
    location_ids: list[str] | None = Field(default=None, min_length=1, max_length=500)
    active: bool | None = None


class Product(Wire):
    id: str
    name: str
    price: int
    active: bool = True


class ProductCreate(Request):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    price: int = Field(ge=0, le=10**12)


class ProductUpdate(Request):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    price: int | None = Field(default=None, ge=0, le=10**12)
    active: bool | None = None


class Settings(Wire):
    currency: str
    currency_decimals: int
    timezone: str
    business_name: str
    #: extra: a price lowered or a discount given at the till by more than this percent of the
    #: catalogue price needs a manager's approval (``manager_approval_required``)
    max_discount_percent_without_manager: int = 20
