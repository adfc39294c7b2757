"""Find a customer as you type: an input over a results table, Enter picks.

One request per pause in typing (the next key cancels the waiting worker), and Enter is a
priority binding so "nagy⏎⏎" typed in one burst reaches the table (see form_keys).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

from desk_tui.contract.customers import Customer
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.desk_session import session_of
from desk_tui.ui.worker_failures import SaysWorkerFailures

if TYPE_CHECKING:
    pass

DEBOUNCE_SECONDS = 0.25


class CustomerSearch(SaysWorkerFailures, Vertical):
    BINDINGS = [
        Binding("enter", "enter_key", "Pick", id="customer_search.pick", show=False, priority=True),
        # ↓ in the search box goes down to the results, as in any list with a filter above it
        Binding("down", "to_results", "To the results", id="customer_search.to_results", show=False),
    ]

    class Picked(Message):
        def __init__(self, customer: Customer) -> None:
            super().__init__()
            self.customer = customer

    class Searched(Message):
        """How many matched, so the dialog around can say so."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, exclude: str | None = None, placeholder: str = "name, phone, email or card number",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._exclude = exclude
        self._placeholder = placeholder
        self._found: dict[str, Customer] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder, max_length=200, classes="customer-query")
        yield DataTable(cursor_type="row", classes="customer-matches")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", key="name", width=26)
        table.add_column("Phone", key="phone")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    @work(exclusive=True, group="customer-search-box", exit_on_error=False)
    async def search(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # cancelled by the next keystroke
        if not query.strip():
            return
        page = await session_of(self).client.search_customers(query.strip(), limit=50)
        table = self.query_one(DataTable)
        table.clear()
        self._found = {c.id: c for c in page.items if c.id != self._exclude}
        for c in self._found.values():
            table.add_row(as_typed(c.name), as_typed(c.phone), key=c.id)
        self.post_message(self.Searched(len(self._found)))


    def action_to_results(self) -> None:
        table = self.query_one(DataTable)
        if self.screen.focused is not self.query_one(Input) or not table.row_count:
            raise SkipAction()
        table.focus()

    def action_enter_key(self) -> None:
        table = self.query_one(DataTable)
        if self.screen.focused is self.query_one(Input):
            table.focus()
        elif self.screen.focused is table and table.row_count:
            key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            self.post_message(self.Picked(self._found[key]))
        else:
            raise SkipAction()
