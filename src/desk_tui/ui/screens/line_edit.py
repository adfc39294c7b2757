"""Edit one cart line: price, discount and quantity (staff can still adjust a line after
"Apply"). The server recomputes the totals; a redeemed line must be released first.

A package being sold is one card: instead of a quantity it has the number to write on the card
and its expiry (blank: the package's own delay). A membership being sold has neither."""

from __future__ import annotations

from collections.abc import Awaitable

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.contract.sales import ManagerApproval, Sale, SaleLine, SaleLineUpdate
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.money import format_money, money_field, parse_money
from desk_tui.ui.screens.card_actions import parse_expiry
from desk_tui.ui.screens.form_dialog import FormDialog, Send
from desk_tui.ui.screens.manager_approval import with_approval


class LineEditScreen(FormDialog[Sale]):
    LAST_FIELD = "quantity"

    def __init__(self, sale_id: str, line: SaleLine) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.line = line
        self.LAST_FIELD = {"package": "expires", "membership": "discount"}.get(line.kind, "quantity")

    def heading(self) -> str:
        return f"Edit {self.line.name}"

    def question(self) -> str:
        count = "" if self.line.kind in ("package", "membership") else f"{self.line.quantity} × "
        return f"Now {count}{format_money(self.line.unit_price, self.session.org)}" + (
            f", {self.line.discount_percent}% off" if self.line.discount_percent else "")

    def fields(self) -> ComposeResult:
        yield Label("Price")
        yield Input(money_field(self.line.unit_price, self.session.org), id="price", max_length=16)
        yield Label("Discount")
        yield Input(str(self.line.discount_percent), id="discount", max_length=3, placeholder="percent, 0–100")
        if self.line.kind == "package":
            yield Label("Card no.")
            yield Input(self.line.card_number or "", id="number", max_length=40, placeholder="optional")
            yield Label("Expires")
            yield Input(self.line.expires_on.isoformat() if self.line.expires_on else "", id="expires",
                        max_length=10, placeholder="YYYY-MM-DD or +N days; blank: the default")
        elif self.line.kind != "membership":
            yield Label("Quantity")
            yield Input(str(self.line.quantity), id="quantity", max_length=3)

    def submit_label(self) -> str:
        return "Save line"

    def on_mount(self) -> None:
        self.query_one("#price", Input).focus()

    def build(self) -> tuple[object, Send]:
        price = parse_money(self.query_one("#price", Input).value, self.session.org)
        discount = _whole(self.query_one("#discount", Input).value or "0", "Discount", 0, 100)
        if self.line.kind == "package":
            expires = self.query_one("#expires", Input).value.strip()
            today = self.session.today()
            data = SaleLineUpdate(price=price, discount_percent=discount,
                                  card_number=self.query_one("#number", Input).value.strip() or None,
                                  expires_on=parse_expiry(expires, today) if expires else None)
        elif self.line.kind == "membership":
            data = SaleLineUpdate(price=price, discount_percent=discount)
        else:
            quantity = _whole(self.query_one("#quantity", Input).value, "Quantity", 1, 100)
            data = SaleLineUpdate(price=price, discount_percent=discount, quantity=quantity)

        # Beyond the organisation's limit off the list price, a manager approves in a dialog above
        # this one and the same change is resent with the approval; what was typed here stays.
        def send(approval: ManagerApproval | None) -> Awaitable[Sale]:
            approved = data if approval is None else data.model_copy(update={"approval": approval})
            return self.session.client.sales.update_sale_line(self.sale_id, self.line.id, approved)

        return data.model_dump(mode="json"), lambda key: with_approval(self, send)


def _whole(text: str, what: str, low: int, high: int) -> int:
    text = text.strip().removesuffix("%").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise FormProblem(f"{what}: a whole number from {low} to {high}.")
    return int(text)
