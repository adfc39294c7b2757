"""The cart's sums, and "Fully covered by membership" when nothing is left to pay."""

from __future__ import annotations

from textual.widgets import Static

from desk_tui.contract.reference import Settings
from desk_tui.contract.sales import Sale
from desk_tui.ui.money import format_money


class CartTotals(Static):
    def show_sale(self, sale: Sale, settings: Settings | None) -> None:
        self.update(totals_text(sale, settings))


def totals_text(sale: Sale, settings: Settings | None) -> str:
    def money(amount: int) -> str:
        return format_money(amount, settings)

    parts = [f"Subtotal {money(sale.subtotal)}"]
    if sale.discount_total:
        parts.append(f"Discounts −{money(sale.discount_total)}")
    if sale.covered_total:
        parts.append(f"Covered −{money(sale.covered_total)}")
    if sale.tax_added_total:  # prices typed without VAT: what the rates add on top
        parts.append(f"VAT added +{money(sale.tax_added_total)}")
    if not sale.lines:
        due = "Empty cart: s adds a service, p a product, k sells a package"
    elif sale.total == 0:
        due = "Total 0 — Fully covered" + (" by membership" if _by_membership(sale) else "")
    else:
        due = f"Total to pay {money(sale.total)}"
    return " · ".join(parts) + "\n" + due


def _by_membership(sale: Sale) -> bool:
    return any(x.redeemed_from is not None and x.redeemed_from.kind == "membership" for x in sale.lines)
