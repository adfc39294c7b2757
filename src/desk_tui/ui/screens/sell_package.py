"""Sell a package: pick an active template; card number, expiry, price and note; the card is issued.

Expiry and price start from the template and stay editable (seeds/002). An expiry left at the
template's default is sent as "default" so the server dates it in the salon's own time zone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, Select

from desk_tui.contract.cards import Card, CardCreate
from desk_tui.contract.customers import Customer
from desk_tui.contract.packages import Package
from desk_tui.contract.reference import Settings
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.card_actions import parse_expiry
from desk_tui.ui.screens.card_form import CardFormScreen, FormProblem, required


def parse_money(text: str, settings: Settings | None) -> int:
    """"36000", "36 000" or "12.50" in the salon's currency → minor units."""
    decimals = settings.currency_decimals if settings else 2
    clean = re.sub(r"[\s\u202f]", "", text).replace(",", ".")
    match = re.fullmatch(r"(\d{1,10})(?:\.(\d*))?", clean)
    if not match or len(match.group(2) or "") > decimals:
        raise FormProblem(f"Price: a plain amount such as {format_money(36000 * 10**decimals, settings)}.")
    whole, minor = match.group(1), (match.group(2) or "").ljust(decimals, "0")
    return int(whole) * 10**decimals + (int(minor) if decimals else 0)


def money_field(amount: int, settings: Settings | None) -> str:
    decimals = settings.currency_decimals if settings else 2
    return f"{amount / 10**decimals:.{decimals}f}"


class SellPackageScreen(CardFormScreen[Card]):
    LAST_FIELD = "note"

    def __init__(self, customer: Customer, packages: list[Package], *, today: date) -> None:
        super().__init__()
        self.customer = customer
        self.packages = {p.id: p for p in packages if p.active}
        self.today = today

    def heading(self) -> str:
        return f"Sell a package to {self.customer.name}"

    def fields(self) -> ComposeResult:
        yield Label("Package")
        options = [(f"{p.name} · {format_money(p.price, self.desk.org_settings)}", p.id) for p in self.packages.values()]
        yield Select(options, id="package", prompt="Pick a package", allow_blank=True)
        yield Label("Number")
        yield Input(id="number", max_length=40, placeholder="card number, optional")
        yield Label("Expires")
        yield Input(id="expires", max_length=10, placeholder="YYYY-MM-DD or +N days; blank: the default")
        yield Label("Price")
        yield Input(id="price", max_length=16, placeholder="price paid")
        yield Label("Note")
        yield Input(id="note", max_length=500, placeholder="required, e.g. paid by card")

    def submit_label(self) -> str:
        return "Sell"

    def on_mount(self) -> None:
        self.query_one("#package", Select).focus()

    def _default_expiry(self, package: Package) -> str:
        return (self.today + timedelta(days=package.expiry_days)).isoformat() if package.expiry_days else ""

    @on(Select.Changed, "#package")
    def _package_picked(self, event: Select.Changed) -> None:
        package = self.packages.get(str(event.value))
        if package is None:
            return
        settings = self.desk.org_settings
        self.query_one("#expires", Input).value = self._default_expiry(package)
        self.query_one("#price", Input).value = money_field(package.price, settings)
        self.query_one("#submit", Button).label = f"Sell for {format_money(package.price, settings)}"
        self.query_one("#number", Input).focus()

    @on(Input.Changed, "#price")
    def _price_changed(self, event: Input.Changed) -> None:
        try:
            amount = parse_money(event.value, self.desk.org_settings)
        except FormProblem:
            return
        self.query_one("#submit", Button).label = f"Sell for {format_money(amount, self.desk.org_settings)}"

    def build(self):
        package = self.packages.get(str(self.query_one("#package", Select).value))
        if package is None:
            raise FormProblem("Please pick a package.")
        expires_text = self.query_one("#expires", Input).value.strip()
        if not expires_text or expires_text == self._default_expiry(package):
            expires = None  # the template's delay, dated by the server in the salon's time zone
        else:
            expires = parse_expiry(expires_text, self.today)
        price = parse_money(self.query_one("#price", Input).value, self.desk.org_settings)
        note = required(self.query_one("#note", Input).value, "a note (how it was paid, for example)")
        try:
            data = CardCreate(package_id=package.id, customer_id=self.customer.id,
                              number=self.query_one("#number", Input).value.strip() or None,
                              expires_on=expires, price_paid=price, note=note)
        except ValidationError as exc:
            raise FormProblem.from_validation(exc) from None
        return data.model_dump(), lambda key: self.desk.client.sell_card(data, idempotency_key=key)
