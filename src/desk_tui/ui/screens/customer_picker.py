"""A dialog that returns one customer, found by name, phone, email or card number."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from desk_tui.contract.customers import Customer
from desk_tui.ui.widgets.customer_search import CustomerSearch


class CustomerPickerScreen(ModalScreen[Customer | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="customer_picker.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Static(self._title, classes="title")
            yield CustomerSearch()
            yield Static("Type to search · Enter picks · Esc cancels", id="picker-status", classes="status", markup=False)

    @on(CustomerSearch.Searched)
    def _count(self, event: CustomerSearch.Searched) -> None:
        self.query_one("#picker-status", Static).update(
            f"{event.count} found · Enter picks" if event.count else "No customer matches.")

    @on(CustomerSearch.Picked)
    def _picked(self, event: CustomerSearch.Picked) -> None:
        self.dismiss(event.customer)

    def action_cancel(self) -> None:
        self.dismiss(None)
