"""The profile's Packages tab: the customer's cards, the service under the cursor, and what the
card keys do to it.

Quick redeem is here: **r** redeems one of the highlighted service after a confirmation (one
request per press, the counter redrawn from the server's answer), **h** opens the card's
history; a manager's adjust, extend, transfer and refund open their dialogs. The keys are the
profile screen's (its footer and its palette); it asks this tab to act. What changed is posted
up: :class:`CardChanged` (the log records it) and :class:`ReloadAsked` (store credit or the
owner changed too, so the whole profile is asked again).

Family cards: the cards shared with this customer follow their own, marked "Shared by <owner>";
**r** redeems one for this customer (the owner's units, the entry naming who used it), and the
owner's keys — adjust, extend, transfer, refund and **w** (who may use the card) — say they are
the owner's. On the owner's own card **w** opens the family dialog (ui/screens/card_family.py).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import TabPane

from desk_tui.contract.cards import Card, CardChange
from desk_tui.ui import card_format as fmt
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.family import owner_only, shared_by
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import cannot_redeem, closed_card
from desk_tui.ui.screens.card_actions import AdjustScreen, ExtendScreen, RefundScreen, card_title
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.card_block import CardBlock, ServicePick
from desk_tui.ui.widgets.card_list import CardList
from desk_tui.ui.worker_failures import SaysWorkerFailures

#: a closed card refuses these: the word for "cannot be …"
CLOSED_WORDS = {"adjust": "adjusted", "extend": "extended", "transfer": "transferred", "refund": "refunded again"}
#: the owner's keys, for "… is for <owner>" on a family member's profile (ui/family.py)
OWNER_WORDS = {"adjust": "Adjusting it", "extend": "Changing its expiry", "transfer": "Transferring it",
               "refund": "Refunding it", "family": "Changing who may use it"}


class ProfilePackagesTab(SaysWorkerFailures, TabPane):
    class CardChanged(Message):
        """The server changed a card (it is redrawn already): the activity log records it."""

    class ReloadAsked(Message):
        """A change reached beyond the card (store credit, its owner): ask for the whole profile."""

        def __init__(self, focus_id: str | None = None) -> None:
            super().__init__()
            self.focus_id = focus_id

    def __init__(self, customer_id: str | None = None) -> None:
        super().__init__("Packages", id="tab-packages")
        self.customer_id = customer_id
        """Whose profile: another customer's card here is one shared with them (family cards)."""
        self.customer_name = "this customer"
        self.pick: ServicePick | None = None
        """The service under the cursor of the last focused card: what r and the card keys act on."""
        self.cards: dict[str, Card] = {}

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        yield CardList(id="cards")

    async def show_cards(self, cards: list[Card], *, focus_id: str | None, focus: bool) -> None:
        """The customer's cards from the server; the cursor stays on the card it was on."""
        self.cards = {c.id: c for c in cards}
        keep = focus_id or (self.pick.card_id if self.pick else None)
        self.pick = None
        await self.query_one(CardList).show_cards(cards, today=self.session.today(), focus_id=keep, focus=focus,
                                                  customer_id=self.customer_id)

    def card_changed(self, card: Card) -> None:
        """The server's answer after a change: redraw that card, and tell the profile."""
        self.cards[card.id] = card
        self.query_one(CardList).update_card(card)
        self.post_message(self.CardChanged())

    @on(CardBlock.Highlighted)
    def _picked(self, event: CardBlock.Highlighted) -> None:
        self.pick = event.pick  # not stopped: the profile redraws its keys for it

    def focus_services(self) -> None:
        if (block := next(iter(self.query(CardBlock)), None)) is not None:
            block.focus_services()

    @property
    def picked_card(self) -> Card | None:
        return self.cards.get(self.pick.card_id) if self.pick else None

    def why_not(self, action: str) -> str | None:
        """What the client already knows a card key would be refused for (ui/refusals.py)."""
        pick, card = self.pick, self.picked_card
        if pick is None or card is None:
            return None
        if action in OWNER_WORDS and shared_by(card, self.customer_id) is not None:
            return owner_only(card, self.customer_name, OWNER_WORDS[action])
        if action == "redeem":
            return cannot_redeem(card, pick.service_id, self.session.today())
        if action in CLOSED_WORDS:
            return closed_card(card, CLOSED_WORDS[action], self.session.today())
        return None

    # -- quick redeem ------------------------------------------------------------------------------
    def ask_to_redeem(self) -> None:
        pick, card = self.pick, self.picked_card
        if pick is None or card is None:
            return
        balance = next(b for b in card.balances if b.entitlement_id == pick.entitlement_id)
        owner = shared_by(card, self.customer_id)  # a family member uses the owner's card
        whose = f"{owner}'s {card_title(card)}" if owner else card_title(card)
        question = (f"Redeem 1 × {pick.service_name} from {whose} for {self.customer_name if owner else card.customer_name}?\n"
                    f"Now {fmt.counter_text(balance, card.unit_type)}.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.redeem(pick)

        self.app.push_screen(ConfirmScreen(question, yes="Redeem", title="Quick redeem"), answered)

    @work(group="profile-redeem", exit_on_error=False)
    async def redeem(self, pick: ServicePick) -> None:
        # Not exclusive: two confirmed presses are two redemptions, and neither may be cancelled.
        # Each press is an intent the client keys by what it redeems: a press after one that got
        # an answer is a new redemption; a press after one that never got an answer (a timeout,
        # OFFLINE) is taken as its retry, the safe side, and the server replays the first.
        card = self.cards.get(pick.card_id)
        member = self.customer_id if card is not None and shared_by(card, self.customer_id) else None
        written = await self.session.client.cards.redeem(pick.card_id, pick.service_id, entitlement_id=pick.entitlement_id,
                                                        for_customer_id=member)
        change: CardChange = written.value
        self.card_changed(change.card)
        balance = next(b for b in change.card.balances if b.entitlement_id == pick.entitlement_id)
        counter = fmt.counter_text(balance, change.card.unit_type)
        if written.replayed:
            self.notify(f"The earlier redemption of 1 × {pick.service_name}, whose answer was lost, is confirmed: "
                        f"{counter}. Nothing more was redeemed now; redeem again if this is another visit.",
                        title="Already redeemed")
        else:
            self.notify(f"Redeemed 1 × {pick.service_name}: {counter}.", title="Redeemed")

    # -- the other card keys ---------------------------------------------------------------------------
    def open_history(self) -> None:
        from desk_tui.ui.screens.card_history import CardHistoryScreen

        if (card := self.picked_card) is not None:
            self.app.push_screen(CardHistoryScreen(card), self._maybe_changed)

    def _maybe_changed(self, card: Card | CardChange | None) -> None:
        if isinstance(card, CardChange):
            card = card.card
        if card is not None:
            self.card_changed(card)

    def family(self) -> None:
        """Who may use the owner's card: the family dialog; the card comes back redrawn."""
        from desk_tui.ui.screens.card_family import CardFamilyScreen

        if (card := self.picked_card) is not None:
            self.app.push_screen(CardFamilyScreen(card), self._maybe_changed)

    def adjust(self) -> None:
        if (pick := self.pick) is not None and (card := self.picked_card) is not None:
            self.app.push_screen(AdjustScreen(card, pick.entitlement_id), self._maybe_changed)

    def extend(self) -> None:
        if (card := self.picked_card) is not None:
            self.app.push_screen(ExtendScreen(card, today=self.session.today()), self._maybe_changed)

    def refund(self) -> None:
        if (card := self.picked_card) is None:
            return

        def refunded(result: Card | None) -> None:
            if result is not None:
                self.notify(f"{format_money(card.refund_value, self.session.org)} added to store credit.",
                            title="Refunded")
                self.post_message(self.ReloadAsked(focus_id=result.id))  # the store credit changed too

        self.app.push_screen(RefundScreen(card), refunded)

    def transfer(self) -> None:
        from desk_tui.ui.screens.card_transfer import TransferScreen

        if (card := self.picked_card) is None:
            return

        def moved(result: Card | None) -> None:
            if result is not None:
                self.notify(f"{card_title(result)} now belongs to {result.customer_name}.", title="Transferred")
                self.pick = None
                self.post_message(self.ReloadAsked())

        self.app.push_screen(TransferScreen(card), moved)
