"""New or edited membership plan (managers): price per month, discounts and monthly credits as text.

Discounts are typed as "10% all, 20% Massage, 15% Facial": a target is a category of the price
list or one service (a category wins a shared name, as "Massage" is both). Credits are typed as
"Deep Tissue Massage=2" (per calendar month); "Carry over" is how many months unused credits stay
usable (0: they reset on the 1st). Members follow the plan's current benefits, so the dialog says
what a change does before it is saved.
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label

from desk_tui.contract.memberships import (
    CREDITS_PER_PERIOD_MAX,
    ROLLOVER_MONTHS_MAX,
    Discount,
    DiscountIn,
    Plan,
    PlanCreate,
    PlanCreditIn,
    PlanUpdate,
)
from desk_tui.contract.reference import Service
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.money import money_field, parse_money
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required

_DISCOUNT = re.compile(r"^(\d{1,3})\s*%\s*(?:off\s+|on\s+)?(.+)$", re.IGNORECASE)
_ALL = {"all", "all services", "everything"}


def parse_discounts(text: str, services: list[Service]) -> list[DiscountIn]:
    categories = {s.category.casefold(): s.category for s in services}
    by_name = {s.name.casefold(): s for s in services}
    found: list[DiscountIn] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _DISCOUNT.match(part)
        if not match or not 1 <= int(match.group(1)) <= 100:
            raise FormProblem(f'Discounts: "{part}" should look like 10% all, 20% Massage (1–100%).')
        percent, target = int(match.group(1)), match.group(2).strip()
        key = target.casefold()
        if key in _ALL:
            found.append(DiscountIn(scope="all", percent=percent))
        elif key in categories:
            found.append(DiscountIn(scope="category", target=categories[key], percent=percent))
        elif key in by_name:
            found.append(DiscountIn(scope="service", target=by_name[key].id, percent=percent))
        else:
            raise FormProblem(f'Discounts: "{target}" is neither a category nor a service of the price list.')
    return found


def parse_credits(text: str, services: list[Service]) -> list[PlanCreditIn]:
    by_name = {s.name.casefold(): s for s in services}
    found: list[PlanCreditIn] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, count = (x.strip() for x in part.partition("="))
        service = by_name.get(name.casefold())
        if service is None:
            raise FormProblem(f'Credits: there is no service called "{name}".')
        if not count.isdigit() or not 1 <= int(count) <= CREDITS_PER_PERIOD_MAX:
            raise FormProblem(f"Credits: how many a month, as in {service.name}=2 (1–{CREDITS_PER_PERIOD_MAX}).")
        if any(c.service_id == service.id for c in found):
            raise FormProblem(f"Credits: {service.name} is named twice.")
        found.append(PlanCreditIn(service_id=service.id, per_period=int(count)))
    return found


def parse_rollover(text: str) -> int:
    text = text.strip() or "0"
    if not text.isdigit() or int(text) > ROLLOVER_MONTHS_MAX:
        raise FormProblem(f"Carry over: how many months unused credits stay usable, 0–{ROLLOVER_MONTHS_MAX} "
                          "(0: they reset on the 1st).")
    return int(text)


def discounts_text(plan: Plan, names: dict[str, str]) -> str:
    def target(d: Discount) -> str:
        if d.scope == "all":
            return "all"
        assert d.target is not None  # the contract: a category or service discount names its target
        return names.get(d.target, d.target) if d.scope == "service" else d.target

    return ", ".join(f"{d.percent}% {target(d)}" for d in plan.discounts)


def credits_text(plan: Plan, names: dict[str, str]) -> str:
    return ", ".join(f"{c.service_name or names.get(c.service_id, c.service_id)}={c.per_period}" for c in plan.credits)


class PlanFormScreen(FormDialog[Plan]):
    LAST_FIELD = "description"

    def __init__(self, services: list[Service], plan: Plan | None = None) -> None:
        super().__init__()
        self.services, self.plan = services, plan
        self.names = {s.id: s.name for s in services}

    def heading(self) -> str:
        return "New membership plan" if self.plan is None else f"Edit {self.plan.name}"

    def question(self) -> str:
        if self.plan is None:
            return "Credits reset on the 1st of each month unless they carry over (oldest used first)."
        return f"Changes apply to all {self.plan.members} member(s) at once; credits already used stay used."

    def submit_label(self) -> str:
        return "Create" if self.plan is None else "Save"

    def fields(self) -> ComposeResult:
        p = self.plan
        yield Label("Name")
        yield Input(p.name if p else "", id="name", max_length=200, compact=True, placeholder="e.g. Gold membership")
        yield Label("Price")
        yield Input(money_field(p.price, self.session.org) if p else "", id="price", max_length=16,
                    compact=True, placeholder="per month, e.g. 19900")
        yield Label("Discounts")
        yield Input(discounts_text(p, self.names) if p else "", id="discounts", max_length=500, compact=True,
                    placeholder="10% all, 20% Massage, 15% Facial")
        yield Label("Credits")
        yield Input(credits_text(p, self.names) if p else "", id="credits", max_length=500, compact=True,
                    placeholder="Deep Tissue Massage=2 (a month)")
        yield Label("Carry over")
        yield Input(str(p.rollover_months) if p else "0", id="rollover", max_length=2, compact=True,
                    placeholder=f"months unused credits stay usable, 0–{ROLLOVER_MONTHS_MAX}; 0: reset on the 1st")
        yield Label("For sale")
        yield Checkbox("new members can join", p.active if p else True, id="active", compact=True)
        yield Label("About")
        yield Input(p.description if p else "", id="description", max_length=2000, compact=True,
                    placeholder="description, optional")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def build(self) -> tuple[object, Send]:
        fields = {
            "name": required(self._value("name"), "a name"),
            "price": parse_money(self._value("price"), self.session.org),
            "discounts": parse_discounts(self._value("discounts"), self.services),
            "credits": parse_credits(self._value("credits"), self.services),
            "rollover_months": parse_rollover(self._value("rollover")),
            "active": self.query_one("#active", Checkbox).value,
            "description": self._value("description").strip(),
        }
        if not fields["discounts"] and not fields["credits"]:
            raise FormProblem("Give the plan at least one discount or credit.")
        client = self.session.client
        try:
            if self.plan is None:
                data = PlanCreate(**fields)
                return data.model_dump(), lambda key: client.memberships.create_plan(data, idempotency_key=key)
            update = PlanUpdate(**fields)
            plan_id = self.plan.id
            return update.model_dump(), lambda key: client.memberships.update_plan(plan_id, update, idempotency_key=key)
        except ValidationError as exc:
            raise FormProblem.from_validation(exc) from None
