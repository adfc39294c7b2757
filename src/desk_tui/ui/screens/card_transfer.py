"""Transfer a card to another customer: search as you type, Enter picks, a confirmation, one PATCH.

The old owner stays traceable in the ledger (a ``transfer`` entry); the card leaves this
profile and appears on the new owner's.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.contract.cards import Card
from desk_tui.contract.customers import Customer
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.screens.card_actions import card_title
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.customer_search import CustomerSearch
from desk_tui.ui.worker_failures import SaysWorkerFailures


class TransferScreen(SaysWorkerFailures, ModalScreen[Card | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="transfer.cancel")]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog card-form", id="transfer-box"):
            yield Static(f"Transfer {card_title(self.card)}", classes="title")
            yield Static(f"From {self.card.customer_name} to:", classes="form-question")
            yield CustomerSearch(exclude=self.card.customer_id, placeholder="name, phone or email")
            yield Static("Type to search · Enter picks", id="form-status", classes="status", markup=False)

    @on(CustomerSearch.Searched)
    def _count(self, event: CustomerSearch.Searched) -> None:
        self.say(f"{event.count} found · Enter picks" if event.count else "No other customer matches.")

    @on(CustomerSearch.Picked)
    def _pick(self, event: CustomerSearch.Picked) -> None:
        target = event.customer

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(target)

        self.app.push_screen(ConfirmScreen(f"Transfer {card_title(self.card)} from {self.card.customer_name} "
                                           f"to {target.name}? It leaves this profile.", yes="Transfer"), answered)

    @work(exclusive=True, group="transfer-send", exit_on_error=False)
    async def _send(self, target: Customer) -> None:
        self.say("Sending…")
        try:
            # Keyed by the client as one intent per target: a retry to the same customer after a
            # timeout is replayed, a transfer to someone else is another request.
            card = await self.session.client.cards.transfer_card(self.card.id, target.id, note=f"Transferred to {target.name}")
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
