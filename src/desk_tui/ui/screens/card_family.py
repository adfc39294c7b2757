"""Who may use a card besides its owner: the family members listed on it, **a** adds one (the
customer picker), **d** removes the highlighted one after a confirmation, Escape closes.

Done at the owner's request at the desk (anyone signed in may); each change is one request, the
list is redrawn from the server's answer, and a refusal is said on the dialog's status line (a
member with a session booked from the card stays until it is cancelled or settled).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from desk_tui.client.errors import ApiError, AuthExpired
from desk_tui.contract.cards import Card, CardMember
from desk_tui.contract.customers import Customer
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.screens.card_actions import card_title
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.worker_failures import SaysWorkerFailures

HINT = "a add a family member · d remove · Esc close"


class CardFamilyScreen(SaysWorkerFailures, ModalScreen[Card | None]):
    """Dismissed with the card as the server last answered (None when nothing changed)."""

    BINDINGS = [
        Binding("a", "add", "Add", id="family.add"),
        Binding("d,delete", "remove", "Remove", id="family.remove"),
        Binding("escape", "close", "Close", id="family.close"),
    ]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card
        self.changed = False

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog card-form", id="family-box"):
            yield Static(as_typed(f"Family of {card_title(self.card)}"), classes="title")
            yield Static(as_typed(f"{self.card.customer_name} owns it. These family members may use it too:"),
                         classes="form-question")
            yield OptionList(id="family-members")
            yield Static(HINT, id="form-status", classes="status", markup=False)

    def on_mount(self) -> None:
        self.show(self.card)
        self.query_one(OptionList).focus()

    def show(self, card: Card) -> None:
        self.card = card
        members = self.query_one(OptionList)
        members.clear_options()
        members.add_options([Option(as_typed(m.name), id=m.customer_id) for m in card.members]
                            or [Option("Nobody yet: press a to add a family member.", disabled=True)])
        members.highlighted = 0 if card.members else None

    @property
    def highlighted(self) -> CardMember | None:
        members = self.query_one(OptionList)
        if members.highlighted is None:
            return None
        option_id = members.get_option_at_index(members.highlighted).id
        return next((m for m in self.card.members if m.customer_id == option_id), None)

    def action_add(self) -> None:
        from desk_tui.ui.screens.customer_picker import CustomerPickerScreen

        def picked(customer: Customer | None) -> None:
            if customer is not None:
                self._add(customer)

        self.app.push_screen(CustomerPickerScreen(f"Who may use {card_title(self.card)}?"), picked)

    def action_remove(self) -> None:
        member = self.highlighted
        if member is None:
            self.say("Nobody to remove: the card is not shared yet.")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(member)

        self.app.push_screen(ConfirmScreen(f"Stop sharing {card_title(self.card)} with {member.name}?",
                                           yes="Remove", no="Back"), answered)

    @work(exclusive=True, group="card-family", exit_on_error=False)
    async def _add(self, customer: Customer) -> None:
        await self._send(lambda: self.session.client.cards.share_card(self.card.id, customer.id),
                         f"{customer.name} may now use it.")

    @work(exclusive=True, group="card-family", exit_on_error=False)
    async def _remove(self, member: CardMember) -> None:
        await self._send(lambda: self.session.client.cards.unshare_card(self.card.id, member.customer_id),
                         f"{member.name} may no longer use it.")

    async def _send(self, call: Callable[[], Awaitable[Card]], done: str) -> None:
        self.say("Sending…")
        try:
            card = await call()
        except AuthExpired:
            raise
        except ApiError as exc:
            self.say(exc.sentence)
            return
        self.changed = True
        self.show(card)
        self.say(f"{done} {HINT}")

    def say(self, text: str) -> None:
        self.query_one("#form-status", Static).update(as_typed(text))

    def action_close(self) -> None:
        self.dismiss(self.card if self.changed else None)
