"""F5 Cards: every customer's package card (the "Cards view"), searchable by client name
or card number; Enter opens the card's transactions, o the owner's profile. The back office
starts here too: e gives the highlighted card a new number (a lost card re-issued; the old one
stays in its history), c extends every active card after a closure (managers), i imports cards from
a previous system's CSV file (owners); the keys are not offered to anyone else.

The issuing staff member's name is blank for cards issued at another location than this
terminal's, as the API decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from desk_tui.contract.cards import Card
from desk_tui.ui import card_format as fmt
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.counting import plural
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.timefmt import local_datetime
from desk_tui.ui.widgets.fitted_table import Cell, Column, FittedTable

if TYPE_CHECKING:
    from desk_tui.ui.screens.form_dialog import FormDialog

R = TypeVar("R")

DEBOUNCE_SECONDS = 0.25
#: back-office action → the lowest role offered it (the server refuses the rest with 403 anyway)
BACK_OFFICE = {"closure": "manager", "import_cards": "owner"}


#: The Cards view's columns (seed: the Cards view), state before detail: at 80 columns a card's
#: number, owner, status, expiry and balance; the rest is in the pane under the table.
COLUMNS = [
    Column("number", "Number", 1, max_width=12), Column("client", "Client", 1, max_width=18),
    Column("package", "Package", 4, max_width=24), Column("status", "Status", 1, max_width=10),
    Column("expires", "Expires", 2, max_width=11), Column("left", "Left", 3, max_width=40),
    Column("issued", "Issued", 5, max_width=10), Column("store", "Store", 6, max_width=14),
    Column("staff", "Issued by", 6, max_width=16), Column("used", "Last used", 5, max_width=10),
    Column("id", "Card ID", 7), Column("client_id", "Client ID", 7), Column("initial", "Initial units", 7),
]


class CardsScreen(DeskScreen):
    MODE = "cards"
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="cards.search"),
        Binding("enter", "enter_key", "Transactions", id="cards.open", show=False, priority=True),
        Binding("o", "owner", "Owner's profile", id="cards.owner"),
        Binding("e", "renumber", "Edit number", id="cards.renumber"),
        Binding("c", "closure", "Closure: extend cards", id="cards.closure"),
        Binding("i", "import_cards", "Import cards (CSV)", id="cards.import"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Search: client name or card number", id="card-search", max_length=200)
        yield FittedTable(COLUMNS, table_id="card-table")
        yield Static("", id="card-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        self._cards: dict[str, Card] = {}
        self._locations: dict[str, str] = {}
        self.search("")

    def on_screen_resume(self) -> None:
        self.refresh_bindings()  # back from a dialog, or someone else signed in (ctrl+s): the keys follow

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action in BACK_OFFICE and not self.check_action(action, parameters):
            what = {"closure": "A closure (extending every card at once)", "import_cards": "Importing cards"}[action]
            return for_managers(what) if BACK_OFFICE[action] == "manager" else \
                f"{what} is for owners. Ask the owner to sign in here (ctrl+s)."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in BACK_OFFICE:
            return self.session.at_least(BACK_OFFICE[action])
        return True

    @on(Input.Changed, "#card-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(exclusive=True, group="card-search", exit_on_error=False)
    async def search(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # cancelled by the next keystroke: one request per pause
        client = self.session.client
        if not self._locations:
            self._locations = {loc.id: loc.name for loc in await client.locations()}
        org = self.session.org
        page = await client.cards.search_cards(query.strip(), limit=100)
        self.show(page.items, tz=org.timezone, more=page.next_cursor is not None)

    def show(self, cards: list[Card], *, tz: str, more: bool) -> None:
        self._cards = {c.id: c for c in cards}
        today = self.session.today()
        rows: list[tuple[str, dict[str, Cell]]] = []
        for c in cards:
            live = fmt.is_live(c, today)
            state, _ = fmt.state_parts(c, today)  # a refunded card's expiry no longer counts down
            rows.append((c.id, {
                "number": as_typed(c.number or "—"), "client": as_typed(c.customer_name),
                "package": as_typed(c.package_name), "status": state, "expires": fmt.expiry_cell(c, today),
                "left": " · ".join(fmt.counter_text(b, c.unit_type, live=live) for b in c.balances),
                "issued": local_datetime(c.issued_at, tz)[:10],
                "store": self._locations.get(c.issued_location_id, c.issued_location_id), "staff": c.issued_by or "",
                "used": local_datetime(c.last_used_at, tz)[:10] if c.last_used_at else "", "id": c.id,
                "client_id": c.customer_id, "initial": fmt.initial_units_text(c)}))
        self.query_one(FittedTable).set_rows(rows)
        found = f"{len(cards)}+ cards" if more else plural(len(cards), "card")
        hint = "No card matches." if not cards else f"{found} · Enter transactions · o owner"
        self.query_one("#card-hint", Static).update(hint)

    def _highlighted(self) -> Card | None:
        return self._cards.get(self.query_one(FittedTable).highlighted_key or "")

    def action_enter_key(self) -> None:
        if self.focused is self.query_one("#card-search", Input):
            self.query_one(DataTable).focus()
        elif isinstance(self.focused, DataTable) and (card := self._highlighted()) is not None:
            from desk_tui.ui.screens.card_history import CardHistoryScreen

            history = CardHistoryScreen(card)
            history.MODE = "cards"  # the F-key bar keeps showing where the receptionist came from

            def search_again(_: object) -> None:
                self.search(self.query_one("#card-search", Input).value)

            self.app.push_screen(history, search_again)
        else:
            raise SkipAction()

    def action_owner(self) -> None:
        card = self._highlighted()
        if card is not None:
            from desk_tui.ui.screens.customer_profile import CustomerProfileScreen

            self.app.push_screen(CustomerProfileScreen(card.customer_id))

    def action_renumber(self) -> None:
        """A new number for the highlighted card (a lost card re-issued); the old one stays in its history."""
        card = self._highlighted()
        if card is None:
            self.notify("No card is highlighted: search, then ↓ to the card.", timeout=4)
            return
        from desk_tui.ui.screens.card_actions import RenumberScreen

        def done(changed: Card | None) -> None:
            if changed is not None:
                self.notify(f"Card {changed.id} is now number {changed.number}.", title="Card number", timeout=8)
                self.search(self.query_one("#card-search", Input).value)

        self.app.push_screen(RenumberScreen(card), done)

    def action_focus_search(self) -> None:
        self.query_one("#card-search", Input).focus()

    def action_closure(self) -> None:
        from desk_tui.ui.screens.closure import ClosureScreen

        dialog = ClosureScreen()
        self._back_office(dialog, dialog.outcome, "Closure")

    def action_import_cards(self) -> None:
        from desk_tui.ui.screens.card_import import ImportCardsScreen

        dialog = ImportCardsScreen()
        self._back_office(dialog, dialog.outcome, "Import")

    def _back_office(self, dialog: FormDialog[R], outcome: Callable[[R], str], title: str) -> None:
        """Pushed at once (not after a request), so what is typed right after the key lands in it."""

        def done(result: R | None) -> None:
            if result is not None:
                self.notify(outcome(result), title=title, timeout=10)
                self.search(self.query_one("#card-search", Input).value)

        self.app.push_screen(dialog, done)
