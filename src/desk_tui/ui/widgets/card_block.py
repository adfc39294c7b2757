"""One customer card on the Packages tab: its heading and a list of its services with progress bars.

The list is an OptionList so the services are navigable with the arrow keys; a pool of units
(360 minutes for any mix of services) gets a heading row that cannot be picked, with the bar,
and one row per service saying how many of it still fit. The block posts :class:`Highlighted`
up whenever the service under the cursor changes, so its screen knows what **r** redeems;
the screen hands a new :class:`Card` down after every change the server confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk_tui.contract.cards import Balance, Card
from desk_tui.ui import card_format as fmt
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.family import family_line, shared_by

NAME_WIDTH = 24
BAR_WIDTH = fmt.MAX_CIRCLES


@dataclass(frozen=True)
class ServicePick:
    """A service of a card: what a quick redemption names."""

    card_id: str
    entitlement_id: str
    service_id: str
    service_name: str


class CardBlock(Vertical, can_focus=False):
    COMPONENT_CLASSES = {"card-block--used", "card-block--booked", "card-block--free"}
    """The bar's colours come from styles/cards.tcss; the glyphs already tell the parts apart."""

    class Highlighted(Message):
        """The service under the cursor changed (or this card got the focus)."""

        def __init__(self, block: CardBlock, pick: ServicePick | None) -> None:
            super().__init__()
            self.block = block
            self.pick = pick

    def __init__(self, card: Card, *, today: date, customer_id: str | None = None) -> None:
        """``customer_id``: whose profile shows the card; another customer's card is one shared
        with them as a family member, and says whose it is."""
        super().__init__(id=f"card-{card.id}", classes="card-block")
        self.card = card
        self.today = today
        self.customer_id = customer_id
        self._picks: dict[str, ServicePick] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="card-heading"):
            yield Label(classes="card-name")
            yield Label(classes="card-number")
            yield Label(classes="card-status")
            yield Label(classes="card-expiry")
        yield Label(classes="card-family")
        yield OptionList(classes="card-services", compact=True)

    def on_mount(self) -> None:
        self.show(self.card)

    # -- attributes down -----------------------------------------------------------------------
    def show(self, card: Card) -> None:
        """Draw ``card`` (the server's latest word on it), keeping the cursor on the same row."""
        self.card = card
        for word in fmt.STATUS_WORDS:
            self.set_class(word == card.status, f"status-{word}")
        self.query_one(".card-name", Label).update(as_typed(card.package_name))
        self.query_one(".card-number", Label).update(as_typed(f"#{card.number}" if card.number else "no card number"))
        state, expiry = fmt.state_parts(card, self.today)  # "Refunded" and no countdown, not "2/5 remaining"
        self.query_one(".card-status", Label).update(state)
        label = self.query_one(".card-expiry", Label)
        label.update(expiry)
        label.set_class("(in " in expiry or "(today)" in expiry, "soon")
        family = self.query_one(".card-family", Label)
        family.update(as_typed(family_line(card, self.customer_id)))
        family.display = bool(family_line(card, self.customer_id))  # a card nobody shares keeps its one-line heading
        self.set_class(shared_by(card, self.customer_id) is not None, "shared")
        self._fill_services(card)

    def _fill_services(self, card: Card) -> None:
        services = self.query_one(OptionList)
        keep = services.highlighted
        services.clear_options()
        self._picks.clear()
        options: list[Option] = []
        for balance in card.balances:
            if fmt.is_pool(balance):
                options.append(Option(self._row(fmt.pool_label(balance, card.unit_type), balance), disabled=True))
                for svc in balance.services:
                    options.append(self._pick_option(card, balance.entitlement_id, svc.service_id, svc.service_name,
                                                     Text("  " + fmt.service_text(svc, card.unit_type))))
            else:
                svc = balance.services[0]
                options.append(self._pick_option(card, balance.entitlement_id, svc.service_id, svc.service_name,
                                                 self._row(svc.service_name, balance)))
        services.add_options(options)
        if keep is not None and keep < services.option_count:
            services.highlighted = keep
        elif self._picks:
            services.highlighted = next(i for i, o in enumerate(options) if not o.disabled)

    def _pick_option(self, card: Card, entitlement_id: str, service_id: str, name: str, prompt: Text) -> Option:
        option_id = f"{entitlement_id}|{service_id}"
        self._picks[option_id] = ServicePick(card.id, entitlement_id, service_id, name)
        return Option(prompt, id=option_id)

    def _row(self, name: str, balance: Balance) -> Text:
        parts = fmt.bar(balance)
        text = Text(name[:NAME_WIDTH - 1].ljust(NAME_WIDTH))
        text.append(parts.used, style=self.get_component_rich_style("card-block--used", partial=True))
        text.append(parts.booked, style=self.get_component_rich_style("card-block--booked", partial=True))
        text.append(parts.free, style=self.get_component_rich_style("card-block--free", partial=True))
        text.append(" " * (BAR_WIDTH - len(parts.text) + 2))
        text.append(fmt.counter_text(balance, self.card.unit_type, live=fmt.is_live(self.card, self.today)))
        return text

    # -- what is picked --------------------------------------------------------------------------
    @property
    def pick(self) -> ServicePick | None:
        services = self.query_one(OptionList)
        if services.highlighted is None:
            return None
        option = services.get_option_at_index(services.highlighted)
        return self._picks.get(option.id or "")

    def focus_services(self) -> None:
        # A reload may replace this block while a focus request for it is still on its way.
        for services in self.query(OptionList):
            services.focus()
            return

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self, self.pick))

    def on_descendant_focus(self) -> None:
        self.add_class("focused")
        self.post_message(self.Highlighted(self, self.pick))

    def on_descendant_blur(self) -> None:
        self.remove_class("focused")
