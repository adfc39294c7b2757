"""The booking screen's *Available packages* panel, with a course's circles.

A heading per card (its number, state and card ID), then one row per (card, service): "3/5
used" or "240 of 360 min left", the circles (● used ◐ booked ○ free), and — for cards that
cannot pay for this slot — the reason, dimmed
and not selectable. Enter on a row is "Use": the panel posts ``PackagePanel.Used`` upwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from desk_tui.contract.appointments import Counter
from desk_tui.contract.cards import Card
from desk_tui.contract.reference import Service
from desk_tui.ui import card_format as fmt
from desk_tui.ui.circles import circles, counter_label
from desk_tui.ui.family import shared_by

SOON_DAYS = 14


@dataclass(frozen=True)
class PackageChoice:
    card: Card
    entitlement_id: str
    service_id: str
    service_name: str


def unusable_reason(card: Card, *, service: Service | None, available: int, day: date, location_id: str) -> str | None:
    if card.status == "expired":
        return "expired"
    if card.status == "fully_used":
        return "fully used"
    if card.status != "active":
        return card.status.replace("_", " ")
    if card.expires_on is not None and card.expires_on < day:
        return f"expires {card.expires_on:%d %b}, before this appointment"
    if service is not None and location_id not in service.location_ids:
        return "service not offered here"
    if available <= 0:
        return "no units left for this service"
    return None


def _state(card: Card, today: date) -> Text:
    """The profile's state line ("Refunded", "Active · expires … (in 12 days)"), highlighted when
    a live card runs out within two weeks."""
    days = (card.expires_on - today).days if card.expires_on else None
    live = fmt.is_live(card, today)
    style = "dim" if not live or days is None or days > SOON_DAYS else "bold yellow"
    return Text(fmt.state_line(card, today), style=style)


class PackagePanel(OptionList):
    class Used(Message):
        def __init__(self, choice: PackageChoice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._choices: dict[str, PackageChoice] = {}

    def show_cards(self, cards: list[Card], *, services: dict[str, Service], day: date, today: date,
                   location_id: str, customer_id: str | None = None) -> None:
        """``customer_id``: whose appointment it is; another customer's card (shared with them as
        a family member) says whose it is."""
        self.clear_options()
        self._choices = {}
        options: list[Option] = []
        for card in sorted(cards, key=lambda c: c.status != "active"):
            # as the seed's card choice lists it: number (if any), card ID, expiry, then units per service
            number = f" · card {card.number}" if card.number else ""
            if (owner := shared_by(card, customer_id)) is not None:
                number += f" · shared by {owner}"
            # the ID on a line of its own: it is long, and what reception reads first stays on one line
            options.append(Option(Text.assemble((card.package_name, "bold"), number, " · ", _state(card, today),
                                                "\n", (f"  card ID {card.id}", "dim")),
                                  id=f"head:{card.id}", disabled=True))
            live = fmt.is_live(card, today)
            for balance in card.balances:
                counter = Counter(used=balance.used, booked=balance.booked, total=balance.total or balance.initial + balance.adjustments)
                for svc in balance.services:
                    reason = unusable_reason(card, service=services.get(svc.service_id), available=svc.available,
                                             day=day, location_id=location_id)
                    # The words before the circles: a narrow panel (a scrollbar, 80 columns) cuts
                    # the end of a row, and "0/2 used" is what reception reads out.
                    label = Text("  ")
                    label.append(svc.service_name)
                    if live:  # a card that is over has nothing left to count: its state says why
                        label.append(f" {counter_label(counter, card.unit_type)} ")
                        label.append_text(circles(counter.used, counter.booked, counter.total))
                    if reason:
                        label.append(f" — {reason}", style="italic")
                        label.stylize("dim")
                    key = f"{card.id}:{balance.entitlement_id}:{svc.service_id}"
                    self._choices[key] = PackageChoice(card, balance.entitlement_id, svc.service_id, svc.service_name)
                    options.append(Option(label, id=key, disabled=reason is not None))
        if not options:
            options.append(Option(Text("No packages: book a paid service.", style="dim"), disabled=True))
        self.add_options(options)
        # On the first row Enter can use (the cards' headings and unusable rows are not): Enter
        # alone books it, no ↓ first.
        self.highlighted = next((i for i, x in enumerate(options) if not x.disabled), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = self._choices.get(event.option.id or "")
        if choice is not None:
            self.post_message(self.Used(choice))
