"""The cart's first line: whose cart it is, their store credit, where it came from, and its state.

While the cart holds a credit or a session of its own, it says until when the hold is kept if
the cart is left idle (the server closes idle carts and gives the holds back).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from desk_tui.contract.reference import Settings
from desk_tui.contract.sales import Sale
from desk_tui.ui.money import format_money
from desk_tui.ui.widgets.cart_lines import own_hold

STATE_WORDS = {"open": "open", "completed": "completed ✓", "abandoned": "abandoned ✗"}


class CartSummary(Static):
    def show_sale(self, sale: Sale, settings: Settings | None) -> None:
        self.update(summary_text(sale, settings))


def summary_text(sale: Sale, settings: Settings | None) -> Text:
    who = sale.customer_name or "Walk-in (no customer: press c to choose one)"
    credit = f" · store credit {format_money(sale.store_credit, settings)}" if sale.store_credit else ""
    source = " · from the appointment" if sale.appointment_id else ""
    held = ""
    if sale.status == "open" and sale.holds_expire_at and any(own_hold(x) for x in sale.lines):
        tz = ZoneInfo(settings.timezone if settings else "UTC")
        held = f" · holds kept until {sale.holds_expire_at.astimezone(tz):%H:%M} if left idle"
    return Text.assemble((who, "bold"), f"{credit}{source} · cart {STATE_WORDS[sale.status]}{held}")
