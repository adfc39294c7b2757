"""Edit one cart line: price, discount and quantity (seeds/004: staff can still adjust a line
after "Apply"). The server recomputes the totals; a redeemed line must be released first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.contract.sales import Sale, SaleLine, SaleLineUpdate
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.card_form import CardFormScreen, FormProblem
from desk_tui.ui.screens.sell_package import money_field, parse_money


class LineEditScreen(CardFormScreen[Sale]):
    LAST_FIELD = "quantity"

    def __init__(self, sale_id: str, line: SaleLine) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.line = line

    def heading(self) -> str:
        return f"Edit {self.line.name}"

    def question(self) -> str:
        return f"Now {self.line.quantity} × {format_money(self.line.unit_price, self.desk.org_settings)}" + (
            f", {self.line.discount_percent}% off" if self.line.discount_percent else "")

    def fields(self) -> ComposeResult:
        yield Label("Price")
        yield Input(money_field(self.line.unit_price, self.desk.org_settings), id="price", max_length=16)
        yield Label("Discount")
        yield Input(str(self.line.discount_percent), id="discount", max_length=3, placeholder="percent, 0–100")
        yield Label("Quantity")
        yield Input(str(self.line.quantity), id="quantity", max_length=3)

    def submit_label(self) -> str:
        return "Save line"

    def on_mount(self) -> None:
        self.query_one("#price", Input).focus()

    def build(self):
        price = parse_money(self.query_one("#price", Input).value, self.desk.org_settings)
        discount = _whole(self.query_one("#discount", Input).value or "0", "Discount", 0, 100)
        quantity = _whole(self.query_one("#quantity", Input).value, "Quantity", 1, 100)
        data = SaleLineUpdate(price=price, discount_percent=discount, quantity=quantity)
        return data.model_dump(), lambda key: self.desk.client.update_sale_line(self.sale_id, self.line.id, data)


def _whole(text: str, what: str, low: int, high: int) -> int:
    text = text.strip().removesuffix("%").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise FormProblem(f"{what}: a whole number from {low} to {high}.")
    return int(text)
