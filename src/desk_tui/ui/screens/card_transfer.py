"""Transfer a card to another customer: search as you type, Enter picks, a confirmation, one PATCH.

The old owner stays traceable in the ledger (a ``transfer`` entry); the card leaves this
profile and appears on the new owner's.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from desk_tui.client.api import new_idempotency_key
from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.contract.cards import Card
from desk_tui.contract.customers import Customer
from desk_tui.ui.screens.card_actions import card_title
from desk_tui.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp

DEBOUNCE_SECONDS = 0.25


class TransferScreen(ModalScreen[Card | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="transfer.cancel"),
        Binding("enter", "enter_key", "Pick", id="transfer.pick", show=False, priority=True),
    ]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card
        self._found: dict[str, Customer] = {}
        self._key = new_idempotency_key()
        self._target: str | None = None

    @property
    def desk(self) -> DeskApp:
        return cast("DeskApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog card-form", id="transfer-box"):
            yield Static(f"Transfer {card_title(self.card)}", classes="title")
            yield Static(f"From {self.card.customer_name} to:", classes="form-question")
            yield Input(id="transfer-search", max_length=200, placeholder="name, phone or email")
            yield DataTable(id="transfer-results", cursor_type="row")
            yield Static("Type to search · Enter picks", id="form-status", classes="status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", key="name", width=26)
        table.add_column("Phone", key="phone")
        self.query_one(Input).focus()

    @on(Input.Changed, "#transfer-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(exclusive=True, group="transfer-search", exit_on_error=False)
    async def search(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # one request per pause in typing; cancelled by the next key
        if not query.strip():
            return
        page = await self.desk.client.search_customers(query.strip(), limit=50)
        table = self.query_one(DataTable)
        table.clear()
        self._found = {c.id: c for c in page.items if c.id != self.card.customer_id}
        for c in self._found.values():
            table.add_row(c.name, c.phone or "", key=c.id)
        self.say(f"{len(self._found)} found · Enter picks" if self._found else "No other customer matches.")

    def action_enter_key(self) -> None:
        if self.focused is self.query_one(Input):
            self.query_one(DataTable).focus()
        elif isinstance(self.focused, DataTable):
            self._pick()
        else:
            raise SkipAction()

    def _pick(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        target = self._found[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]

        def answered(yes: bool | None) -> None:
            if yes:
                if target.id != self._target:
                    self._key = new_idempotency_key()  # another customer: another intent
                self._target = target.id
                self._send(target)

        self.app.push_screen(ConfirmScreen(f"Transfer {card_title(self.card)} from {self.card.customer_name} "
                                           f"to {target.name}? It leaves this profile.", yes="Transfer"), answered)

    @work(exclusive=True, group="transfer-send", exit_on_error=False)
    async def _send(self, target: Customer) -> None:
        self.say("Sending…")
        try:
            card = await self.desk.client.transfer_card(self.card.id, target.id, note=f"Transferred to {target.name}",
                                                        idempotency_key=self._key)
        except AuthExpired:
            raise
        except ApiError as exc:
            self.say(exc.sentence)
            return
        self.dismiss(card)

    def say(self, text: str) -> None:
        self.query_one("#form-status", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
