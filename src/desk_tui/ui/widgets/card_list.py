"""The Packages tab's body: one CardBlock per card, usable first, then the wallet's history."""

from __future__ import annotations

from datetime import date

from textual.containers import VerticalScroll
from textual.widgets import Static

from desk_tui.contract.cards import Card
from desk_tui.ui.card_format import sort_cards
from desk_tui.ui.widgets.card_block import CardBlock


class CardList(VerticalScroll, can_focus=False):
    async def show_cards(self, cards: list[Card], *, today: date, focus_id: str | None = None,
                         focus: bool = True, customer_id: str | None = None) -> None:
        """Replace the blocks with ``cards``; the cursor goes to ``focus_id`` if given and present.
        ``customer_id``: whose profile it is (their cards first; cards shared with them follow).

        ``focus=False`` leaves the focus where it is: focusing a card would bring its tab to the
        front, and a receptionist who moved to another tab while the cards loaded stays there."""
        await self.remove_children()
        if not cards:
            await self.mount(Static("No packages yet. Press s to sell one.", classes="plan"))
            return
        own = sort_cards([c for c in cards if customer_id is None or c.customer_id == customer_id])
        shared = sort_cards([c for c in cards if customer_id is not None and c.customer_id != customer_id])
        blocks = [CardBlock(card, today=today, customer_id=customer_id) for card in (*own, *shared)]
        await self.mount_all(blocks)
        target = next((b for b in blocks if b.card.id == focus_id), blocks[0])
        if focus:
            target.focus_services()
        target.scroll_visible(animate=False)

    def block(self, card_id: str) -> CardBlock | None:
        found = self.query(f"#card-{card_id}")
        return found.first(CardBlock) if found else None

    def update_card(self, card: Card) -> None:
        """Redraw one card from the server's answer, in place."""
        if (block := self.block(card.id)) is not None:
            block.show(card)
