"""A customer's profile: contact details, store credit, and the Packages, Memberships and Activity tabs.

The Packages tab is where the till redeems a package: every card with its bars and counters; **r**
redeems one of the highlighted service after a confirmation (one request per press, the counter
redrawn from the server's answer), **h** opens the card's history. The manager's tools (adjust,
extend, transfer, refund) are not offered to reception; the server would refuse them anyway.

The Memberships tab shows every enrolment with the credits it has left this month; **x**
cancels one, **z** freezes it from a day to a day and **u** ends its freeze early (managers). **F4** opens a checkout cart for this customer with their benefits
already in view; **s** (a package) and **m** (a membership) sell at
the till the same way, with the list already open, so the money is taken with the sale.

A change to the customer's cards, memberships or appointments made at any desk (a live event)
reloads what the profile shows: its counters follow without a key pressed.

Each tab is its own widget (ui/widgets/profile_packages_tab.py, profile_memberships_tab.py,
profile_activity_tab.py): it loads and draws what it shows and does what its keys ask, and
posts up what changed. This screen keeps the keys (one footer, one palette), decides which
apply on which tab, and wires the tabs to each other and to the live events.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static, TabbedContent, TabPane

from desk_tui.contract.cards import Card
from desk_tui.contract.customers import Customer
from desk_tui.contract.events import Event
from desk_tui.contract.memberships import Enrollment
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.type_ahead import KeyHold
from desk_tui.ui.widgets.card_block import CardBlock, ServicePick
from desk_tui.ui.widgets.membership_list import MembershipList, cannot_freeze
from desk_tui.ui.widgets.profile_activity_tab import ProfileActivityTab
from desk_tui.ui.widgets.profile_memberships_tab import ProfileMembershipsTab
from desk_tui.ui.widgets.profile_packages_tab import ProfilePackagesTab

MEMBERSHIP_ACTIONS = {"cancel_membership", "freeze_membership", "end_freeze"}
MANAGER_ACTIONS = {"adjust", "extend", "transfer", "refund"} | MEMBERSHIP_ACTIONS
#: what each manager's key does, for "… is for managers and owners"
MANAGER_WORDS = {"adjust": "Adjusting a card", "extend": "Changing a card's expiry", "transfer": "Transferring a card",
                 "refund": "Refunding a card", "cancel_membership": "Cancelling a membership",
                 "freeze_membership": "Freezing a membership", "end_freeze": "Ending a membership's freeze"}
CARD_ACTIONS = {"redeem", "history", "family"} | MANAGER_ACTIONS - MEMBERSHIP_ACTIONS


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
        # Off the footer (full at 80 columns): a shared card's block says "Family (w): …".
        Binding("w", "family", "Family", id="profile.family", show=False),
        Binding("x", "cancel_membership", "Cancel membership", id="profile.cancel_membership"),
        Binding("z", "freeze_membership", "Freeze", id="profile.freeze_membership"),
        Binding("u", "end_freeze", "End freeze", id="profile.end_freeze"),
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
        self.packages = ProfilePackagesTab(customer_id)
        self.memberships = ProfileMembershipsTab(customer_id)
        self.activity = ProfileActivityTab(customer_id)

    @property
    def pick(self) -> ServicePick | None:
        """The service the card keys act on (the Packages tab's cursor)."""
        return self.packages.pick

    @property
    def cards(self) -> dict[str, Card]:
        return self.packages.cards

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="profile-summary")
        with TabbedContent(id="profile-tabs"):
            yield self.packages
            yield self.memberships
            yield self.activity

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True  # a manager's eight card keys, readable at 80 columns
        self.action_reload()
        self.desk.live_events.subscribe(self, self._heard_event)

    # -- loading ---------------------------------------------------------------------------------
    def _heard_event(self, event: Event) -> None:
        # A card shared with this customer is announced under its owner: it is followed by its id.
        if event.kind != "reset" and event.customer_id != self.customer_id and event.card_id not in self.cards:
            return
        if event.kind == "membership.changed":
            self.memberships.load()
            self.activity.load()
        elif event.kind != "catalogue.changed":
            self.load()  # exclusive: a burst of events (one checkout) ends in one reload

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="profile", exit_on_error=False)
    async def load(self, focus_id: str | None = None) -> None:
        client = self.session.client
        self.show_customer(await client.customer(self.customer_id))
        cards = await client.cards.own_and_shared(self.customer_id)  # family cards of others after their own
        on_packages = self.query_one(TabbedContent).active == "tab-packages"
        await self.packages.show_cards(cards, focus_id=focus_id, focus=on_packages)
        self.refresh_bindings()
        self.memberships.load()
        self.activity.load()

    def show_customer(self, c: Customer) -> None:
        self.customer = c
        self.memberships.customer_name = self.packages.customer_name = c.name
        self.title = c.name
        contact = " · ".join(x for x in (c.phone, c.email) if x) or "no contact details"
        credit = format_money(c.store_credit, self.session.org)
        self.query_one("#profile-summary", Static).update(Text.assemble((c.name, "bold"), f"  {contact}\nStore credit: {credit}"))

    @on(ProfilePackagesTab.CardChanged)
    def _card_changed(self) -> None:
        self.refresh_bindings()
        self.activity.load()

    @on(ProfilePackagesTab.ReloadAsked)
    def _reload_asked(self, event: ProfilePackagesTab.ReloadAsked) -> None:
        self.load(focus_id=event.focus_id)

    @on(ProfileMembershipsTab.Loaded)
    def _memberships_loaded(self) -> None:
        self.refresh_bindings()

    @on(ProfileMembershipsTab.Cancelled)
    @on(ProfileMembershipsTab.FreezeChanged)
    def _membership_changed(self) -> None:
        self.activity.load()

    # -- what is picked ------------------------------------------------------------------------------
    @on(CardBlock.Highlighted)
    def _picked(self) -> None:
        self.refresh_bindings()  # the Packages tab has taken the pick on its way up

    def action_tab(self, step: int) -> None:
        """[ and ] move between Packages, Memberships and Activity without leaving the list."""
        tabs = self.query_one(TabbedContent)
        order = [pane.id for pane in tabs.query(TabPane) if pane.id is not None]  # every pane has one
        tabs.active = order[(order.index(tabs.active) + step) % len(order)]
        if tabs.active == "tab-memberships":
            self.query_one(MembershipList).focus()
        elif tabs.active == "tab-activity":
            self.activity.focus_log()
        else:
            self.packages.focus_services()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()  # the card keys belong to the Packages tab

    @property
    def picked_card(self) -> Card | None:
        return self.packages.picked_card

    @property
    def picked_enrollment(self) -> Enrollment | None:
        return self.memberships.picked

    def _is_manager(self) -> bool:
        return self.session.at_least("manager")

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """What the client already knows would be refused, in a sentence (ui/refusals.py)."""
        tab = self.query_one(TabbedContent).active
        if action in MEMBERSHIP_ACTIONS and tab != "tab-memberships":
            return None
        if action in MANAGER_ACTIONS and not self._is_manager():
            return for_managers(MANAGER_WORDS[action])
        if action in ("freeze_membership", "end_freeze") and (picked := self.picked_enrollment) is not None:
            return cannot_freeze(picked, self.session.today(), ending=action == "end_freeze")
        if tab != "tab-packages":
            return None
        return self.packages.why_not(action)

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
            return None if picked is None else picked.status in ("active", "scheduled", "frozen")
        if action in ("freeze_membership", "end_freeze"):
            if tab != "tab-memberships":
                return False
            return None if self.picked_enrollment is None or self.why_not(action, parameters) else True
        if action in CARD_ACTIONS or action == "sell":
            if tab != "tab-packages":
                return False  # the card keys belong to the Packages tab
            if action != "sell" and (self.picked_card is None or self.why_not(action, parameters)):
                return None  # shown dimmed; pressed, it says why
            return True
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    # -- the keys: each tab does what its keys ask -----------------------------------------------------
    def action_redeem(self) -> None:
        self.packages.ask_to_redeem()

    def action_history(self) -> None:
        self.packages.open_history()

    def action_family(self) -> None:
        self.packages.family()

    def action_adjust(self) -> None:
        self.packages.adjust()

    def action_extend(self) -> None:
        self.packages.extend()

    def action_refund(self) -> None:
        self.packages.refund()

    def action_transfer(self) -> None:
        self.packages.transfer()

    def action_sell(self) -> None:
        """At the till, like every sale: a cart for this customer with the package list open."""
        self.action_checkout("package")

    def action_enrol(self) -> None:
        """At the till: a cart for this customer with the membership plans open; the membership
        starts when the sale completes."""
        self.action_checkout("membership")

    def action_cancel_membership(self) -> None:
        self.memberships.cancel_picked()

    def action_freeze_membership(self) -> None:
        self.memberships.freeze_picked()

    def action_end_freeze(self) -> None:
        self.memberships.end_freeze_picked()

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
            self.memberships.load()
            self.activity.load()

    def action_back(self) -> None:
        self.app.pop_screen()
