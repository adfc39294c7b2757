"""Package templates: what can be sold as a card (docs/api.md "Packages (templates)")."""

from __future__ import annotations

from pydantic import Field, field_validator

from desk_tui.contract.common import PRICE_MAX, TEXT_MAX, UNITS_MAX, Line, Money, Name, Request, Units, Wire  # noqa: F401 - PRICE_MAX, UNITS_MAX: re-exported

EXPIRY_DAYS_MAX = 3650


class PackageService(Wire):
    service_id: str
    service_name: str | None = None
    unit_cost: int = 1


class Entitlement(Wire):
    id: str
    units: int
    services: list[PackageService]


class Package(Wire):
    id: str
    name: str
    unit_type: str
    price: int
    tax_inclusive: bool
    #: extra: the VAT rate in percent (27, 5.5)
    vat_rate: float = 0
    expiry_days: int | None = None
    description: str = ""
    active: bool = True
    entitlements: list[Entitlement]


class PackageServiceIn(Request):
    service_id: str = Field(min_length=1, max_length=40)
    unit_cost: Units = 1


class EntitlementIn(Request):
    #: On PATCH, naming an existing entitlement edits it in place; new ones get an id.
    id: str | None = Field(default=None, max_length=40)
    units: Units
    services: list[PackageServiceIn] = Field(min_length=1, max_length=100)

    @field_validator("services")
    @classmethod
    def _distinct(cls, v: list[PackageServiceIn]) -> list[PackageServiceIn]:
        ids = [x.service_id for x in v]
        if len(set(ids)) != len(ids):
            raise ValueError("a service may appear only once in one entitlement")
        return v


class PackageCreate(Request):
    name: Name
    unit_type: Line = Field(default="sessions", min_length=1, max_length=40)
    price: Money = 0
    #: left out: the organisation's ``prices_include_tax``
    tax_inclusive: bool | None = None
    #: percent, 0–100, at most two decimals (422 ``invalid_vat_rate``); left out: the organisation's
    vat_rate: float | None = None
    expiry_days: int | None = Field(default=None, ge=1, le=EXPIRY_DAYS_MAX)
    description: Line = Field(default="", max_length=TEXT_MAX)
    active: bool = True
    entitlements: list[EntitlementIn] = Field(min_length=1, max_length=20)


class PackageUpdate(Request):
    name: Name | None = None
    unit_type: Line | None = Field(default=None, min_length=1, max_length=40)
    price: Money | None = None
    tax_inclusive: bool | None = None
    vat_rate: float | None = None
    #: null removes the delay: cards sold from then on never expire unless given a date.
    expiry_days: int | None = Field(default=None, ge=1, le=EXPIRY_DAYS_MAX)
    description: Line | None = Field(default=None, max_length=TEXT_MAX)
    active: bool | None = None
    entitlements: list[EntitlementIn] | None = Field(default=None, min_length=1, max_length=20)
