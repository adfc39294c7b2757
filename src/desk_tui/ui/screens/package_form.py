"""New or edited package template: the plain fields plus ONE unit pool typed as text.

Services and their unit costs are typed as "Manicure=60, Pedicure=60" (a bare name costs 1) and
matched by name against the salon's services, so a 360-minute pamper is one line to type rather
than a picker per service. A bundle ("3 facials + 2 massages") has several pools; they are not
edited here yet, so for those only the plain fields are sent and the pools stay as they are.
Built on FormDialog: the server's refusal stays under the fields, one key per intent.
"""

from __future__ import annotations

import math

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Select

from desk_tui.contract.common import UNITS_MAX
from desk_tui.contract.money import rate_words
from desk_tui.contract.packages import (
    EXPIRY_DAYS_MAX,
    EntitlementIn,
    Package,
    PackageCreate,
    PackageService,
    PackageServiceIn,
    PackageUpdate,
)
from desk_tui.contract.reference import Service
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.money import money_field, parse_money
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required

UNIT_TYPES = ("sessions", "minutes", "units")
BUNDLE_NOTE = "Pools of a bundle are edited one by one — not here yet; the other fields can be changed."


def parse_services(text: str, services: list[Service]) -> list[PackageServiceIn]:
    """"Manicure=60, pedicure" → Manicure costs 60 units, Pedicure 1; unknown names are refused."""
    by_name: dict[str, Service] = {}
    for known in sorted(services, key=lambda s: s.active):  # an active service wins a shared name
        by_name[known.name.casefold()] = known
    chosen: list[PackageServiceIn] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, cost = (x.strip() for x in part.partition("="))
        service = by_name.get(name.casefold())
        if service is None:
            raise FormProblem(f'Services: there is no service called "{name}" (type names as on the price list).')
        if cost and (not cost.isdigit() or not 1 <= int(cost) <= UNITS_MAX):
            raise FormProblem(f"Services: the unit cost of {service.name} is a whole number from 1, as in "
                              f"{service.name}=60.")
        if any(c.service_id == service.id for c in chosen):
            raise FormProblem(f"Services: {service.name} is named twice.")
        chosen.append(PackageServiceIn(service_id=service.id, unit_cost=int(cost or 1)))
    if not chosen:
        raise FormProblem("Services: name at least one, e.g. Pedicure=1 (the units one visit uses).")
    return chosen


def services_text(services: list[PackageService], names: dict[str, str]) -> str:
    return ", ".join(f"{s.service_name or names.get(s.service_id, s.service_id)}={s.unit_cost}" for s in services)


def vat_rate(text: str) -> float:
    """"27", "5.5", "5,5" or "27%" as a number; whether it is a rate at all the server says
    (``invalid_vat_rate``), so the desk and an API caller are held to one rule."""
    try:
        rate = float(text.strip().removesuffix("%").strip().replace(",", "."))
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate):
        raise FormProblem("VAT %: a percentage such as 27 or 5.5.")
    return rate


def whole_number(text: str, what: str, *, low: int, high: int) -> int:
    text = text.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise FormProblem(f"{what}: a whole number from {low} to {high}.")
    return int(text)


class PackageFormScreen(FormDialog[Package]):
    LAST_FIELD = "description"

    def __init__(self, services: list[Service], package: Package | None = None) -> None:
        super().__init__()
        self.services = services
        self.package = package
        self.names = {s.id: s.name for s in services}

    @property
    def bundle(self) -> bool:
        return self.package is not None and len(self.package.entitlements) > 1

    def heading(self) -> str:
        return "New package" if self.package is None else f"Edit {self.package.name}"

    def question(self) -> str:
        if self.bundle:
            return BUNDLE_NOTE
        return "Editing never changes cards already sold." if self.package else ""

    def submit_label(self) -> str:
        return "Create" if self.package is None else "Save"

    def fields(self) -> ComposeResult:
        p, settings = self.package, self.session.org
        pool = p.entitlements[0] if p is not None and len(p.entitlements) == 1 else None
        yield Label("Name")
        yield Input(p.name if p else "", id="name", max_length=200, compact=True, placeholder="e.g. 6x Pedicure")
        yield Label("Unit type")
        kinds = UNIT_TYPES if p is None or p.unit_type in UNIT_TYPES else (*UNIT_TYPES, p.unit_type)
        yield Select([(k, k) for k in kinds], value=p.unit_type if p else "sessions", allow_blank=False,
                     id="unit-type", compact=True)
        yield Label("Units")
        units = " + ".join(str(e.units) for e in p.entitlements) if p is not None else ""
        yield Input(units, id="units", max_length=7, compact=True, disabled=self.bundle,
                    placeholder="in the pool, e.g. 6")
        yield Label("Services")
        yield Input(services_text(pool.services, self.names) if pool else "", id="services",
                    max_length=2000, compact=True, disabled=self.bundle,
                    placeholder="Manicure=60, Pedicure=60 (units per visit)" if not self.bundle else "several pools")
        yield Label("Price")
        yield Input(money_field(p.price, settings) if p else "", id="price", max_length=16, compact=True,
                    placeholder="e.g. 36000")
        yield Label("VAT %")
        with Horizontal(id="vat-row"):
            rate = p.vat_rate if p else settings.vat_rate if settings else 0
            inclusive = p.tax_inclusive if p else settings.prices_include_tax if settings else True
            yield Input(rate_words(rate).removesuffix("%"), id="vat-rate", max_length=6, compact=True,
                        placeholder="27")
            yield Checkbox("price includes VAT", inclusive, id="tax", compact=True)
        yield Label("Expires")
        yield Input(str(p.expiry_days) if p and p.expiry_days else "", id="expiry", max_length=4, compact=True,
                    placeholder="days after sale; blank: never")
        yield Label("About")
        yield Input(p.description if p else "", id="description", max_length=2000, compact=True,
                    placeholder="description, optional")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def build(self) -> tuple[object, Send]:
        name = required(self._value("name"), "a name")
        unit_type = str(self.query_one("#unit-type", Select).value)
        price = parse_money(self._value("price"), self.session.org)
        expiry_text = self._value("expiry").strip()
        expiry = whole_number(expiry_text, "Expires", low=1, high=EXPIRY_DAYS_MAX) if expiry_text else None
        plain = {"name": name, "unit_type": unit_type, "price": price, "expiry_days": expiry,
                 "tax_inclusive": self.query_one("#tax", Checkbox).value, "vat_rate": vat_rate(self._value("vat-rate")),
                 "description": self._value("description").strip()}
        pools: list[EntitlementIn] | None = None
        if not self.bundle:
            units = whole_number(self._value("units"), "Units", low=1, high=UNITS_MAX)
            services = parse_services(self._value("services"), self.services)
            pool_id = self.package.entitlements[0].id if self.package and self.package.entitlements else None
            pools = [EntitlementIn(id=pool_id, units=units, services=services)]
        client = self.session.client
        try:
            if self.package is None:
                data = PackageCreate(**plain, entitlements=pools)
                return data.model_dump(), lambda key: client.cards.create_package(data, idempotency_key=key)
            update = PackageUpdate(**plain, **({"entitlements": pools} if pools else {}))
            package_id = self.package.id
            return update.model_dump(), lambda key: client.cards.update_package(package_id, update, idempotency_key=key)
        except ValidationError as exc:
            raise FormProblem.from_validation(exc) from None
