"""The cart's lines: what is sold, at what price, and what covered it.

A redeemed line shows what it was taken from in words ("Gold credit", "5x Manicure") and a
glyph, so the difference between "paid" and "covered" never rests on colour alone. A package or
membership being sold says what completing the sale will create ("→ new card BS-2001").
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from desk_tui.contract.reference import Settings
from desk_tui.contract.sales import Sale, SaleLine
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money

#: drawn before a covered line's source: a box for a package card, a star for a membership
COVERED_GLYPH = {"card": "▣", "membership": "★"}
HOLD_WORD = {"held": "", "redeemed": " ✓", "released": " (released)"}


class CartLines(DataTable[Text | str], inherit_bindings=True):
    """One row per sale line, keyed by the line id (the cursor stays on its line after a change)."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Item", key="item", width=22)
        self.add_column("Qty", key="qty", width=3)
        self.add_column("Price", key="price", width=10)
        self.add_column("Disc", key="disc", width=4)
        self.add_column("Total", key="total", width=10)
        self.add_column("Notes", key="from")

    def show_sale(self, sale: Sale, settings: Settings | None) -> None:
        keep = self.line_id
        self.clear()
        for line in sale.lines:
            self.add_row(as_typed(line.name), str(line.quantity), format_money(line.unit_price, settings),
                         f"{line.discount_percent}%" if line.discount_percent else "",
                         format_money(line.total, settings), as_typed(notes_text(line)), key=line.id)
        if keep is not None and any(x.id == keep for x in sale.lines):
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @property
    def line_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


def notes_text(line: SaleLine) -> str:
    source = line.redeemed_from
    if source is not None:
        return f"{COVERED_GLYPH[source.kind]} {source.source_name}{HOLD_WORD.get(source.state, '')}"
    if line.kind == "package":
        if line.issued_card_id:
            return "→ card issued ✓"
        return "→ new card" + (f" {line.card_number}" if line.card_number else "")
    if line.kind == "membership" and line.renews_enrollment_id:
        return "→ next month paid ✓" if line.issued_enrollment_id else "→ pays the next month"
    if line.kind == "membership":
        return "→ member ✓" if line.issued_enrollment_id else "→ starts when paid"
    return ""


def own_hold(line: SaleLine) -> bool:
    """A redemption this cart made (an appointment's own package line belongs to the appointment)."""
    source = line.redeemed_from
    return source is not None and source.state == "held" and not source.via_appointment
