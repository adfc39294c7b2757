"""A card's usage history (its ledger, oldest first) and, for managers, undo of a redemption.

Every entry stays on the list forever: an undone redemption is marked "undone" and its undo is
a row of its own, so "I never used my session!" can be answered line by line. The staff name is
blank when the entry was made at another location (the server withholds it).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk_tui.contract.cards import Card, CardChange, Transaction
from desk_tui.ui import card_format as fmt
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.card_actions import UndoScreen, card_title
from desk_tui.ui.timefmt import local_datetime
from desk_tui.ui.widgets.fitted_table import Column, FittedTable

KIND_WORDS = {"issue": "Sold", "reserve": "Booked", "release": "Released", "redeem": "Redeemed", "undo": "Undo",
              "adjust": "Adjusted", "extend": "Expiry changed", "transfer": "Transferred", "refund": "Refunded",
              "expire": "Expired", "renumber": "Card number"}
#: Which way an entry moves the balance: redemptions take units, undos and releases give them back.
SIGN = {"reserve": -1, "redeem": -1, "release": 1, "undo": 1, "adjust": 1}
UNDOABLE = {"redeem", "reserve"}


#: What happened, when and how much first; where and who (and the note) in the pane under the
#: table when 80 columns have no room for them. The appointment is the whole "when" of a visit
#: ("2026-11-30 10:00 at Downtown"), so it is cropped to its date and time in the table.
COLUMNS = [
    Column("at", "When", 1), Column("what", "What", 1, max_width=30), Column("units", "Units", 1),
    Column("appointment", "Appointment", 2, max_width=16), Column("note", "Note", 3, max_width=40),
    Column("staff", "Staff", 4, max_width=14), Column("location", "Location", 5, max_width=14),
]


class CardHistoryScreen(DeskScreen):
    """Dismisses with the card as it is after any undo, so the profile can redraw it."""

    MODE = "customers"
    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("u", "undo", "Undo", id="history.undo"),
    ]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card
        self.entries: dict[str, Transaction] = {}
        self._locations: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(id="history-heading")
        yield FittedTable(COLUMNS, table_id="history")

    def on_mount(self) -> None:
        self._heading()
        self.query_one(DataTable).focus()
        self.load()

    def _heading(self) -> None:
        card = self.card
        today = self.session.today()
        live = fmt.is_live(card, today)
        counters = " · ".join(fmt.counter_text(b, card.unit_type, live=live) for b in card.balances)
        self.query_one("#history-heading", Static).update(
            Text.assemble((card_title(card), "bold"), f" · {card.customer_name} · {fmt.state_line(card, today) if not live else fmt.status_word(card)}"
                                                       f" · {counters}"))

    @work(exclusive=True, group="card-history", exit_on_error=False)
    async def load(self) -> None:
        client = self.session.client
        self._locations = {loc.id: loc.name for loc in await client.locations()}
        self.show(await client.cards.card_transactions(self.card.id))

    def show(self, entries: list[Transaction]) -> None:
        fitted = self.query_one(FittedTable)
        keep = fitted.table.cursor_row
        self.entries = {e.id: e for e in entries}
        tz = self.session.org.timezone
        fitted.set_rows((e.id, {"at": local_datetime(e.at, tz), "what": as_typed(self._what(e)), "units": self._units(e),
                                "appointment": self._appointment(e), "note": as_typed(e.note),
                                "staff": as_typed(e.staff_name),
                                "location": as_typed(self._locations.get(e.location_id or "", ""))})
                        for e in entries)
        table = fitted.table
        if entries:
            table.move_cursor(row=min(keep, len(entries) - 1) if keep else len(entries) - 1)
        self.refresh_bindings()

    def _what(self, e: Transaction) -> str:
        text = KIND_WORDS.get(e.kind, e.kind)
        if e.kind == "undo":
            undone = self.entries.get(e.ref_id or "")
            return f"{text} of {KIND_WORDS.get(undone.kind, 'entry').lower()} {e.service_name or ''}".strip() \
                if undone else text
        if e.service_name:
            text += f" {e.service_name}"
        if e.kind in ("extend", "renumber"):
            text += f" {e.old_value or 'none'} → {e.new_value or 'none'}"
        if e.kind == "transfer":
            text += f" from {e.old_owner or 'a former owner'} to {e.new_owner or 'another customer'}"
        if e.kind in ("issue", "refund") and e.amount is not None:
            text += f" {format_money(e.amount, self.session.org)}"
        if e.used_by:  # a family member's use of the owner's card (a booking or hold is for them)
            text += f", {'used by' if e.kind == 'redeem' else 'for'} {e.used_by}"
        if e.undone_by:
            text += " ✗ undone"
        return text

    @staticmethod
    def _units(e: Transaction) -> str:
        if not e.units:
            return ""
        return f"{e.units * SIGN.get(e.kind, 1):+d}"

    @staticmethod
    def _appointment(e: Transaction) -> str:
        if e.appointment_id:
            return e.appointment_label or "an appointment"
        if e.sale_id:
            return "checkout"
        return "walk-in" if e.kind == "redeem" else ""

    # -- the highlighted entry ---------------------------------------------------------------------
    @property
    def highlighted(self) -> Transaction | None:
        return self.entries.get(self.query_one(FittedTable).highlighted_key or "")

    @on(DataTable.RowHighlighted)
    def _row(self) -> None:
        self.refresh_bindings()  # u follows the highlighted entry (the pane under the table shows its other fields)

    def _may_undo(self) -> bool:
        return self.session.at_least("manager")

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Said when u cannot be used (ui/refusals.py)."""
        if action != "undo":
            return None
        if not self._may_undo():
            return for_managers("Undoing a redemption")
        e = self.highlighted
        if e is not None and e.undone_by:
            return "This entry was undone already; an entry is undone once."
        if e is not None and e.kind not in UNDOABLE:
            return f"Only a redemption or a booking can be undone; this entry is “{KIND_WORDS.get(e.kind, e.kind)}”."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            if not self._may_undo():
                return False  # not offered to reception at all (the server says 403 anyway)
            e = self.highlighted
            return True if e is not None and e.kind in UNDOABLE and not e.undone_by else None
        return True

    def action_undo(self) -> None:
        e = self.highlighted
        if e is None:
            return
        tz = self.session.org.timezone

        def done(change: CardChange | None) -> None:
            if change is not None:
                self.card = change.card
                self._heading()
                self.notify(f"Undone: {e.service_name or 'the entry'} is back on the card.")
                self.load()

        self.app.push_screen(UndoScreen(self.card, e, when=local_datetime(e.at, tz)), done)

    def action_back(self) -> None:
        self.dismiss(self.card)
