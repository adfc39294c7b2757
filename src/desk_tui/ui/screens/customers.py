"""F3 Customers: search as you type by name, phone, email or card number; Enter opens a profile."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from desk_tui.contract.customers import Customer
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.widgets.fitted_table import Column, FittedTable

#: Wait for a pause in typing before asking the server: one request per pause, not per key.
DEBOUNCE_SECONDS = 0.25


#: Each column as wide as its longest value in the results: a long email address is whole when
#: the names and phones leave room for it, and spelled out under the table when they do not.
COLUMNS = [Column("name", "Name", 1, max_width=28), Column("phone", "Phone", 1, max_width=18),
           Column("email", "Email", 2, max_width=40), Column("credit", "Credit", 3, max_width=12)]


class CustomersScreen(DeskScreen):
    MODE = "customers"
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="customers.search"),
        Binding("ctrl+n", "new_customer", "New customer", id="customers.new"),
        Binding("enter", "enter_key", "Open", id="customers.open", show=False, priority=True),
        # ↓ in the search box goes down to the results, as in any list with a filter above it
        Binding("down", "to_results", "To the results", id="customers.to_results", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Search: name, phone, email or card number", id="customer-search", max_length=200)
        yield FittedTable(COLUMNS, table_id="customer-results")
        yield Static("", id="customer-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#customer-search", Input).focus()
        self._results: dict[str, Customer] = {}
        self.search("")

    @on(Input.Changed, "#customer-search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def action_enter_key(self) -> None:
        # A priority binding, so "nagy⏎⏎" typed in one burst reaches the table (see form_keys).
        search = self.query_one("#customer-search", Input)
        if self.focused is search:
            self.query_one(DataTable).focus()
        elif isinstance(self.focused, DataTable):
            self.action_open()
        else:
            raise SkipAction()

    def action_to_results(self) -> None:
        table = self.query_one(DataTable)
        if self.focused is not self.query_one("#customer-search", Input) or not table.row_count:
            raise SkipAction()
        table.focus()

    @work(exclusive=True, group="customer-search", exit_on_error=False)
    async def search(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # cancelled by the next keystroke's worker
        page = await self.session.client.search_customers(query.strip(), limit=100)
        self.show_results(page.items, more=page.next_cursor is not None)

    def show_results(self, customers: list[Customer], *, more: bool) -> None:
        self._results = {c.id: c for c in customers}
        org = self.session.org
        self.query_one(FittedTable).set_rows(
            (c.id, {"name": as_typed(c.name), "phone": as_typed(c.phone), "email": as_typed(c.email),
                    "credit": format_money(c.store_credit, org) if c.store_credit else ""})
            for c in customers)
        hint = "No customer matches; press ctrl+n to add one." if not customers else (
            f"{len(customers)}{'+' if more else ''} found · Enter opens · ctrl+n new customer")
        self.query_one("#customer-hint", Static).update(hint)

    def action_open(self) -> None:
        if (key := self.query_one(FittedTable).highlighted_key) is not None:
            self._open(key)

    def _open(self, customer_id: str) -> None:
        from desk_tui.ui.screens.customer_profile import CustomerProfileScreen

        self.app.push_screen(CustomerProfileScreen(customer_id))

    def action_focus_search(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def action_new_customer(self) -> None:
        from desk_tui.ui.screens.customer_form import CustomerFormScreen

        def created(customer: Customer | None) -> None:
            if customer is not None:
                self.notify(f"{customer.name} added.")
                self._open(customer.id)

        self.app.push_screen(CustomerFormScreen(), created)
