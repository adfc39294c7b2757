"""New customer: name, phone, email. The server validates; its words are shown under the form.

A phone number already on file (however it was typed) is named before saving: reception may be
about to make a second record for someone who is there already. Saving again goes on (a couple
may share a landline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.contract.customers import Customer, CustomerBrief, CustomerCreate
from desk_tui.ui.desk_session import session_of
from desk_tui.ui.form_keys import ENTER, enter_key
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.worker_failures import SaysWorkerFailures

if TYPE_CHECKING:
    pass


class CustomerFormScreen(SaysWorkerFailures, ModalScreen[Customer | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="customer_form.cancel"),
        Binding("ctrl+enter,ctrl+j", "save", "Save", id="customer_form.save"),
        ENTER,
    ]

    def __init__(self) -> None:
        super().__init__()
        #: the phone number whose "already on file" was shown: saving it again goes on
        self._phone_warned: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="customer-form", classes="dialog"):
            yield Static("New customer", classes="title")
            with Grid(classes="form-grid"):
                yield Label("Name")
                yield Input(id="name", max_length=200, placeholder="first and last name")
                yield Label("Phone")
                yield Input(id="phone", max_length=40, placeholder="optional")
                yield Label("Email")
                yield Input(id="email", max_length=254, placeholder="optional")
            yield Button("Save", id="save", variant="primary")
            yield Static("", id="form-status", classes="status", markup=False)

    def action_enter_key(self) -> None:
        enter_key(self, last="email", submit=self.action_save)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        status = self.query_one("#form-status", Static)
        try:
            data = CustomerCreate(
                name=self.query_one("#name", Input).value,
                phone=self.query_one("#phone", Input).value or None,
                email=self.query_one("#email", Input).value or None,
            )
        except ValidationError as exc:
            status.update(str(FormProblem.from_validation(exc)))
            return
        self._save(data)

    @work(exclusive=True, group="customer-save", exit_on_error=False)
    async def _save(self, data: CustomerCreate) -> None:
        status = self.query_one("#form-status", Static)
        status.update("Saving…")
        client = session_of(self).client
        try:
            if data.phone and data.phone != self._phone_warned:
                others = await client.customers_with_phone(data.phone)
                if others:
                    self._phone_warned = data.phone
                    status.update(f"{data.phone} is already on file for {_names(others)}. Save again to add "
                                  f"{data.name} anyway, or Esc and find {others[0].name}.")
                    return
            # A retried save after a timeout has the key of its intent: never a second customer.
            customer = await client.create_customer(data)
        except AuthExpired:
            raise  # the app asks for the PIN again; what was typed stays in the fields
        except ApiError as exc:
            status.update(exc.sentence)  # what was typed stays in the fields
            return
        if customer.same_phone and data.phone != self._phone_warned:  # filed meanwhile at another desk
            self.notify(f"{data.phone} is also on file for {_names(customer.same_phone)}.", title="Same phone",
                        severity="warning", timeout=10)
        self.dismiss(customer)


    def action_cancel(self) -> None:
        self.dismiss(None)


def _names(customers: Sequence[Customer | CustomerBrief]) -> str:
    names = [c.name for c in customers[:3]]
    more = f" and {len(customers) - 3} more" if len(customers) > 3 else ""
    return (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + more
