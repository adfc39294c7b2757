"""A customer's profile: contact details, store credit, and the Packages, Memberships and Activity tabs.

The Packages tab is where the till redeems a package: every card with its bars and counters; **r**
redeems one of the highlighted service after a confirmation (one request per press, the counter
redrawn from the server's answer), **h** opens the card's history. The manager's tools (adjust,
extend, transfer, refund) are not offered to reception; the server would refuse them anyway.

The Memberships tab shows every enrolment with the credits it has left this month; **x**
cancels one (managers). **F4** opens a checkout cart for this customer with their benefits
already in view; **s** (a package) and **m** (a membership) sell at
the till the same way, with the list already open, so the money is taken with the sale.

A change to the customer's cards, memberships or appointments made at any desk (a live event)
reloads what the profile shows: its counters follow without a key pressed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from desk_tui.contract.cards import Card, CardChange
from desk_tui.contract.customers import ActivityEntry, Customer
from desk_tui.contract.events import Event
from desk_tui.contract.memberships import Enrollment
from desk_tui.contract.reference import ROLE_RANK
from desk_tui.ui import card_format as fmt
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.family import owner_only, shared_by
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import cannot_redeem, closed_card, for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.card_actions import (
    AdjustScreen,
    ExtendScreen,
    RefundScreen,
    card_title,
)
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.timefmt import local_datetime
from desk_tui.ui.type_ahead import KeyHold
from desk_tui.ui.widgets.card_block import CardBlock, ServicePick
from desk_tui.ui.widgets.card_list import CardList
from desk_tui.ui.widgets.membership_list import MembershipList

MANAGER_ACTIONS = {"adjust", "extend", "transfer", "refund", "cancel_membership"}
#: what each manager's key does, for "… is for managers and owners"
MANAGER_WORDS = {"adjust": "Adjusting a card", "extend": "Changing a card's expiry", "transfer": "Transferring a card",
                 "refund": "Refunding a card", "cancel_membership": "Cancelling a membership"}
#: a closed card refuses these: the word for "cannot be …"
CLOSED_WORDS = {"adjust": "adjusted", "extend": "extended", "transfer": "transferred", "refund": "refunded again"}
CARD_ACTIONS = {"redeem", "history", "family"} | MANAGER_ACTIONS
#: what a card key does, for "… is for <owner>" on a family member's profile (ui/family.py)
OWNER_WORDS = MANAGER_WORDS | {"family": "Changing who may use a card"}


class CustomerProfileScreen(DeskScreen):
    MODE = "customers"
    BINDINGS = [
        # Short words and Escape unlisted: a manager's eight keys must fit the footer at 80 columns.
        Binding("escape", "back", "Back", id="profile.back", show=False),
        Binding("r", "redeem", "Redeem", id="profile.redeem"),
        Binding("h", "history", "History", id="profile.history"),
        Binding("s", "sell", "Sell", id="profile.sell"),
        Binding("a", "adjust", "Adjust", id="profile.adjust"),
        Binding("e", "extend", "Extend", id="profile.extend"),
        Binding("t", "transfer", "Transfer", id="profile.transfer"),
        Binding("f", "refund", "Refund", id="profile.refund"),
        Binding("m", "enrol", "Sell membership", id="profile.enrol"),
        # Off the footer (full at 80 columns): a shared card's block names its family and says w.
        Binding("w", "family", "Family", id="profile.family", show=False),
        Binding("x", "cancel_membership", "Cancel membership", id="profile.cancel_membership"),
        # Off the footer: a manager's card keys fill 80 columns; F1 and the palette list it.
        Binding("f4", "checkout", "Checkout", id="profile.checkout", show=False),
        Binding("ctrl+r", "reload", "Refresh", id="profile.reload", show=False),
        Binding("right_square_bracket", "tab(1)", "Tab", id="profile.next_tab"),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="profile.prev_tab", show=False),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer: Customer | None = None
        self.pick: ServicePick | None = None
        """The service under the cursor of the last focused card: what r and the card keys act on."""
        self.cards: dict[str, Card] = {}
        self.enrollments: dict[str, Enrollment] = {}

    def _today(self) -> date:
        """Today in the salon's time zone (expiry dates are business dates), from the app's clock."""
        return self.desk.today()

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="profile-summary")
        with TabbedContent(id="profile-tabs"):
            with TabPane("Packages", id="tab-packages"):
                yield CardList(id="cards")
            with TabPane("Memberships", id="tab-memberships"):
                yield MembershipList(id="memberships")
                yield Static("", id="memberships-hint", classes="hint", markup=False)
            with TabPane("Activity", id="tab-activity"):
                yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True  # a manager's eight card keys, readable at 80 columns
        table = self.query_one("#activity", DataTable)
        table.add_column("When", key="at", width=16)
        table.add_column("What", key="summary")
        table.add_column("Staff", key="staff", width=16)
        self.action_reload()
        self.desk.live_events.subscribe(self, self._heard_event)

    @property
    def tz(self) -> str:
        return self.desk.org_settings.timezone if self.desk.org_settings else "UTC"

    # -- loading ---------------------------------------------------------------------------------
    def _heard_event(self, event: Event) -> None:
        # A card shared with this customer is announced under its owner: it is followed by its id.
        if event.kind != "reset" and event.customer_id != self.customer_id and event.card_id not in self.cards:
            return
        if event.kind == "membership.changed":
            self.load_memberships()
            self.load_activity()
        elif event.kind != "catalogue.changed":
            self.load()  # exclusive: a burst of events (one checkout) ends in one reload
    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="profile", exit_on_error=False)
    async def load(self, focus_id: str | None = None) -> None:
        client = self.desk.client
        if self.desk.org_settings is None:
            self.desk.org_settings = await client.settings()
        self.show_customer(await client.customer(self.customer_id))
        cards = await client.customer_cards(self.customer_id)
        cards += await client.shared_cards(self.customer_id)  # family cards of others, after their own
        self.cards = {c.id: c for c in cards}
        keep = focus_id or (self.pick.card_id if self.pick else None)
        self.pick = None
        on_packages = self.query_one(TabbedContent).active == "tab-packages"
        await self.query_one(CardList).show_cards(cards, today=self._today(), focus_id=keep, focus=on_packages,
                                                  customer_id=self.customer_id)
        self.refresh_bindings()
        self.load_memberships()
        self.load_activity()

    @work(exclusive=True, group="profile-memberships", exit_on_error=False)
    async def load_memberships(self) -> None:
        enrollments = await self.desk.client.memberships(self.customer_id)
        self.enrollments = {e.id: e for e in enrollments}
        self.query_one(MembershipList).show_memberships(enrollments, self.desk.org_settings, today=self._today())
        name = self.customer.name if self.customer else "the customer"
        self.query_one("#memberships-hint", Static).update(
            "" if enrollments else f"No memberships. Press m to enrol {name} in a plan.")
        self.refresh_bindings()

    @work(exclusive=True, group="profile-activity", exit_on_error=False)
    async def load_activity(self) -> None:
        page = await self.desk.client.activity(self.customer_id)
        self.show_activity(page.items)

    def show_customer(self, c: Customer) -> None:
        self.customer = c
        self.title = c.name
        contact = " · ".join(x for x in (c.phone, c.email) if x) or "no contact details"
        credit = format_money(c.store_credit, self.desk.org_settings)
        self.query_one("#profile-summary", Static).update(Text.assemble((c.name, "bold"), f"  {contact}\nStore credit: {credit}"))

    def show_activity(self, entries: list[ActivityEntry]) -> None:
        table = self.query_one("#activity", DataTable)
        table.clear()
        for e in entries:
            table.add_row(local_datetime(e.at, self.tz), as_typed(e.summary), as_typed(e.staff_name), key=e.id)

    def card_changed(self, card: Card) -> None:
        """The server's answer after a change: redraw that card, and the log that records it."""
        self.cards[card.id] = card
        self.query_one(CardList).update_card(card)
        self.refresh_bindings()
        self.load_activity()

    # -- what is picked ------------------------------------------------------------------------------
    @on(CardBlock.Highlighted)
    def _picked(self, event: CardBlock.Highlighted) -> None:
        self.pick = event.pick
        self.refresh_bindings()

    def action_tab(self, step: int) -> None:
        """[ and ] move between Packages, Memberships and Activity without leaving the list."""
        tabs = self.query_one(TabbedContent)
        order = [pane.id for pane in tabs.query(TabPane) if pane.id is not None]  # every pane has one
        tabs.active = order[(order.index(tabs.active) + step) % len(order)]
        target = {"tab-packages": None, "tab-memberships": MembershipList, "tab-activity": DataTable}[tabs.active]
        if target is MembershipList:
            self.query_one(MembershipList).focus()
        elif target is DataTable:
            self.query_one("#activity", DataTable).focus()
        elif (block := next(iter(self.query(CardBlock)), None)) is not None:
            block.focus_services()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()  # the card keys belong to the Packages tab

    @property
    def picked_card(self) -> Card | None:
        return self.cards.get(self.pick.card_id) if self.pick else None

    def _is_manager(self) -> bool:
        who = self.desk.signed_in
        return who is not None and ROLE_RANK.get(who.staff.role, 0) >= ROLE_RANK["manager"]

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """What the client already knows would be refused, in a sentence (ui/refusals.py)."""
        tab = self.query_one(TabbedContent).active
        if action == "cancel_membership" and tab != "tab-memberships":
            return None
        pick, card = self.pick, self.picked_card
        if (tab == "tab-packages" and card is not None and action in OWNER_WORDS
                and shared_by(card, self.customer_id) is not None):
            return owner_only(card, self.customer.name if self.customer else "this customer", OWNER_WORDS[action])
        if action in MANAGER_ACTIONS and not self._is_manager():
            return for_managers(MANAGER_WORDS[action])
        if tab != "tab-packages" or pick is None or card is None:
            return None
        if action == "redeem":
            return cannot_redeem(card, pick.service_id, self._today())
        if action in CLOSED_WORDS:
            return closed_card(card, CLOSED_WORDS[action], self._today())
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MANAGER_ACTIONS and not self._is_manager():
            return False  # not offered to reception: not in the footer, not in the palette (the key says why)
        tab = self.query_one(TabbedContent).active
        if action == "enrol":
            return tab == "tab-memberships"
        if action == "cancel_membership":
            if tab != "tab-memberships":
                return False
            picked = self.picked_enrollment
            return None if picked is None else picked.status in ("active", "scheduled")
        if action in CARD_ACTIONS or action == "sell":
            if tab != "tab-packages":
                return False  # the card keys belong to the Packages tab
            if action != "sell" and (self.picked_card is None or self.why_not(action, parameters)):
                return None  # shown dimmed; pressed, it says why
            return True
        return True

    # -- quick redeem ------------------------------------------------------------------------------
    def action_redeem(self) -> None:
        pick, card = self.pick, self.picked_card
        if pick is None or card is None:
            return
        balance = next(b for b in card.balances if b.entitlement_id == pick.entitlement_id)
        owner = shared_by(card, self.customer_id)  # a family member uses the owner's card
        whose = f"{owner}'s {card_title(card)}" if owner else card_title(card)
        who = self.customer.name if owner and self.customer else card.customer_name
        question = (f"Redeem 1 × {pick.service_name} from {whose} for {who}?\n"
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
        written = await self.desk.client.redeem(pick.card_id, pick.service_id, entitlement_id=pick.entitlement_id,
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
    def action_history(self) -> None:
        from desk_tui.ui.screens.card_history import CardHistoryScreen

        if (card := self.picked_card) is not None:
            self.app.push_screen(CardHistoryScreen(card), self._maybe_changed)

    def _maybe_changed(self, card: Card | CardChange | None) -> None:
        if isinstance(card, CardChange):
            card = card.card
        if card is not None:
            self.card_changed(card)

    def action_adjust(self) -> None:
        if (pick := self.pick) is not None and (card := self.picked_card) is not None:
            self.app.push_screen(AdjustScreen(card, pick.entitlement_id), self._maybe_changed)

    def action_extend(self) -> None:
        if (card := self.picked_card) is not None:
            self.app.push_screen(ExtendScreen(card, today=self._today()), self._maybe_changed)

    def action_refund(self) -> None:
        if (card := self.picked_card) is None:
            return

        def refunded(result: Card | None) -> None:
            if result is not None:
                self.notify(f"{format_money(card.refund_value, self.desk.org_settings)} added to store credit.",
                            title="Refunded")
                self.load(focus_id=result.id)  # the store credit changed too

        self.app.push_screen(RefundScreen(card), refunded)

    def action_transfer(self) -> None:
        from desk_tui.ui.screens.card_transfer import TransferScreen

        if (card := self.picked_card) is None:
            return

        def moved(result: Card | None) -> None:
            if result is not None:
                self.notify(f"{card_title(result)} now belongs to {result.customer_name}.", title="Transferred")
                self.pick = None
                self.load()

        self.app.push_screen(TransferScreen(card), moved)

    def action_family(self) -> None:
        from desk_tui.ui.screens.card_family import CardFamilyScreen

        if (card := self.picked_card) is not None:
            self.app.push_screen(CardFamilyScreen(card), self._maybe_changed)

    def action_sell(self) -> None:
        """At the till, like every sale: a cart for this customer with the package list open."""
        self.action_checkout("package")

    # -- memberships ---------------------------------------------------------------------------------
    @property
    def picked_enrollment(self) -> Enrollment | None:
        enrollment_id = self.query_one(MembershipList).enrollment_id
        return self.enrollments.get(enrollment_id) if enrollment_id else None

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_enrol(self) -> None:
        """At the till: a cart for this customer with the membership plans open; the membership
        starts when the sale completes."""
        self.action_checkout("membership")

    def action_cancel_membership(self) -> None:
        from desk_tui.ui.screens.membership_cancel import CancelMembershipScreen

        picked = self.picked_enrollment
        if picked is None or self.customer is None:
            return

        def cancelled(result: Enrollment | None) -> None:
            if result is not None:
                self.notify(f"{result.plan_name} cancelled.", title="Memberships")
                self.load_memberships()
                self.load_activity()

        self.app.push_screen(CancelMembershipScreen(picked, self.customer.name, today=self._today()), cancelled)

    # -- checkout ------------------------------------------------------------------------------------
    def action_checkout(self, selling: Literal["package", "membership"] | None = None) -> None:
        self._checkout(self.desk.hold_keys(), selling)

    @work(exclusive=True, group="profile-checkout", exit_on_error=False)
    async def _checkout(self, hold: KeyHold, selling: Literal["package", "membership"] | None) -> None:
        """A cart for this customer; keys typed while the server makes it wait for the cart."""
        from desk_tui.ui.screens.cart import open_cart

        cart_closed = await open_cart(self.desk, hold, customer_id=self.customer_id, selling=selling)
        sale = await cart_closed
        self.load()  # held or redeemed sessions, new cards and store credit may have changed
        if sale is not None and sale.status == "completed":
            self.load_memberships()
            self.load_activity()

    def action_back(self) -> None:
        self.app.pop_screen()
