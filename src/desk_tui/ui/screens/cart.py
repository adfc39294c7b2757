"""One checkout cart: lines, the membership benefits banner, redemptions, payment.

**s**/**p** add a service or a product; **k**/**m** sell a package (a card issued when the sale
completes) or a membership (it starts when the sale completes). **a** applies the highest
membership discount to every eligible line, **r** covers the
highlighted line with a credit or a package (the credit is only *held* until the sale
completes), **u** gives it back, **F10** takes payment — or completes a fully covered cart —
and shows the receipt. Escape leaves the cart open in the F4 list; **x** abandons it and
releases every hold. Every change is one request whose answer is the whole cart, redrawn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from desk_tui.client.errors import ApiError
from desk_tui.contract.events import Event
from desk_tui.contract.sales import Benefits, LineRedeem, Sale, SaleLine, SaleLineCreate
from desk_tui.ui import sale_choices
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.benefits_banner import BenefitsBanner, discounts_to_apply
from desk_tui.ui.widgets.cart_lines import CartLines, own_hold
from desk_tui.ui.widgets.cart_summary import CartSummary
from desk_tui.ui.widgets.cart_totals import CartTotals

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp
    from desk_tui.ui.type_ahead import KeyHold

#: actions that change an open cart
CHANGES = {"add_service", "add_product", "add_package", "add_membership", "edit_line", "remove_line", "apply",
           "redeem", "release", "pay", "abandon", "customer"}


class CartScreen(DeskScreen):
    MODE = "checkout"
    BINDINGS = [
        Binding("escape", "back", "Back", id="cart.back", show=False),
        Binding("s", "add_service", "Service", id="cart.add_service"),
        Binding("p", "add_product", "Product", id="cart.add_product"),
        Binding("r", "redeem", "Redeem", id="cart.redeem"),
        Binding("a", "apply", "Apply", id="cart.apply"),
        Binding("f10", "pay", "Pay", id="cart.pay"),
        Binding("u", "release", "Un-redeem", id="cart.release"),
        # Off the footer so the cart's own keys fit 80 columns; the line hint and F1 name them.
        Binding("k", "add_package", "Sell a package", id="cart.add_package", show=False),
        Binding("m", "add_membership", "Sell a membership", id="cart.add_membership", show=False),
        Binding("e", "edit_line", "Edit", id="cart.edit_line", show=False),
        Binding("delete", "remove_line", "Remove", id="cart.remove_line", show=False),
        Binding("c", "customer", "Customer", id="cart.customer"),
        Binding("x", "abandon", "Abandon", id="cart.abandon"),
        Binding("ctrl+r", "reload", "Refresh", id="cart.reload", show=False),
    ]

    def __init__(self, sale: Sale, *, selling: Literal["package", "membership"] | None = None) -> None:
        """``selling``: open the package or membership list at once (the profile's Sell keys)."""
        super().__init__()
        self.sale = sale
        self._selling = selling

    @property
    def benefits(self) -> Benefits | None:
        """What the server says applies to the cart now: the banner holds it."""
        return self.query_one(BenefitsBanner).benefits

    def compose_body(self) -> ComposeResult:
        yield CartSummary(id="cart-summary")
        yield BenefitsBanner(id="cart-banner")
        yield CartLines(id="cart-lines")
        yield Static("e edit · Del remove · k sell a package · m sell a membership · F1 keys", classes="hint")
        yield CartTotals(id="cart-totals")
        yield Static("", id="cart-status", classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True
        self.show(self.sale)
        self.load_benefits()
        self.desk.live_events.subscribe(self, self._heard_event)
        self.query_one(CartLines).focus()
        if self.sale.appointment_id and any(own_hold(x) for x in self.sale.lines):
            self.say("The membership credit is applied: u on its line gives it back.")
        if self._selling == "package":
            self.action_add_package()
        elif self._selling == "membership":
            self.action_add_membership()

    # -- drawing -------------------------------------------------------------------------------
    def show(self, sale: Sale) -> None:
        self.sale = sale
        settings = self.session.org
        self.title = f"Cart — {sale.customer_name or 'walk-in'}"
        self.query_one(CartSummary).show_sale(sale, settings)
        self.query_one(CartLines).show_sale(sale, settings)
        self.query_one(CartTotals).show_sale(sale, settings)
        self.refresh_bindings()

    def say(self, text: str) -> None:
        self.query_one("#cart-status", Static).update(text)

    @work(exclusive=True, group="cart-benefits", exit_on_error=False)
    async def load_benefits(self) -> None:
        benefits = None
        if self.sale.customer_id is not None and self.sale.status == "open":
            benefits = await self.session.client.sales.sale_benefits(self.sale.id)
        self.query_one(BenefitsBanner).show(benefits, self.sale)
        self.refresh_bindings()

    def _heard_event(self, event: Event) -> None:
        """Another desk used the customer's card or membership credit, or completed this very sale:
        the banner (and the cart) follow."""
        if event.kind == "reset" or (event.kind == "sale.completed" and event.sale_id == self.sale.id):
            self.action_reload()
        elif event.kind in ("card.changed", "membership.changed") and self.sale.customer_id is not None \
                and event.customer_id == self.sale.customer_id and self.sale.status == "open":
            self.load_benefits()

    def changed(self, sale: Sale | None, message: str = "") -> None:
        """The server's answer to a change: redraw the cart and ask again what benefits apply."""
        if sale is None:
            return
        self.show(sale)
        self.load_benefits()
        if message:
            self.say(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Said by DeskScreen's handler, which Textual runs as well (no super() here).
        error = event.worker.error if event.state == WorkerState.ERROR else None
        if isinstance(error, ApiError) and error.status == 409 and event.worker.group != "cart-load":
            # Someone else completed it, the idle timeout closed it, or a credit went elsewhere:
            # show the cart as it is now rather than as it was.
            self.action_reload()

    @work(exclusive=True, group="cart-load", exit_on_error=False)
    async def action_reload(self) -> None:
        self.changed(await self.session.client.sales.sale(self.sale.id))

    # -- what can be done now --------------------------------------------------------------------
    @property
    def line(self) -> SaleLine | None:
        line_id = self.query_one(CartLines).line_id
        return next((x for x in self.sale.lines if x.id == line_id), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in CHANGES:
            return True
        if self.sale.status != "open":
            return False
        line = self.line
        if action == "customer":
            return self.sale.customer_id is None and self.sale.appointment_id is None
        # What does not apply to this cart or line is hidden, not greyed: the footer stays readable at 80.
        if action == "apply":
            return discounts_to_apply(self.benefits, self.sale) > 0
        if action == "redeem":
            return line is not None and line.redeemed_from is None and bool(self._offers(line))
        if action == "release":
            return line is not None and own_hold(line)
        if action in ("edit_line", "remove_line"):
            return None if line is None else True
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def _offers(self, line: SaleLine) -> list[tuple[str, LineRedeem]]:
        return self.query_one(BenefitsBanner).offers(line)

    # -- adding and editing lines ----------------------------------------------------------------
    def action_add_service(self) -> None:
        self._pick("Add a service", lambda: sale_choices.services(self.session),
                   lambda item_id: SaleLineCreate(service_id=item_id))

    def action_add_product(self) -> None:
        self._pick("Add a product", lambda: sale_choices.products(self.session),
                   lambda item_id: SaleLineCreate(product_id=item_id))

    def action_add_package(self) -> None:
        if not self._needs_customer("A package"):
            self._pick("Sell a package", lambda: sale_choices.packages(self.session),
                       lambda item_id: SaleLineCreate(package_id=item_id))

    def action_add_membership(self) -> None:
        async def plans() -> list[tuple[str, str]]:
            customer_id = self.sale.customer_id
            assert customer_id is not None  # pushed only past _needs_customer
            return await sale_choices.plans(self.session, customer_id)

        if not self._needs_customer("A membership"):
            self._pick("Sell a membership, or its next month", plans, lambda item_id: SaleLineCreate(plan_id=item_id))

    def _pick(self, title: str, load: Callable[[], Awaitable[list[tuple[str, str]]]],
              line: Callable[[str], SaleLineCreate]) -> None:
        # Pushed from the key handler itself, not from a worker: the list is on screen (and
        # fills when the server answers) before the next key of a fast "s deep⏎" is handled.
        def chosen(item_id: str | None) -> None:
            if item_id:
                self._add(line(item_id))

        self.app.push_screen(ChoiceScreen(title, load), chosen)

    def _needs_customer(self, what: str) -> bool:
        if self.sale.customer_id is None:
            self.say(f"{what} is sold to a customer: press c to choose who, then sell it.")
            return True
        return False

    @work(group="cart-add", exit_on_error=False)
    async def _add(self, data: SaleLineCreate) -> None:
        # Not exclusive: two lines picked in quick succession are two requests, neither cancelled.
        sale = await self.session.client.sales.add_sale_line(self.sale.id, data)
        if len(sale.lines) < len(self.sale.lines):
            return  # the other add answered later with more: that cart is already on screen
        self.changed(sale)
        table = self.query_one(CartLines)
        table.move_cursor(row=table.row_count - 1, animate=False)
        self.say(f"Added {sale.lines[-1].name}.")

    def action_edit_line(self) -> None:
        from desk_tui.ui.screens.line_edit import LineEditScreen

        line = self.line
        if line is None:
            return
        if line.redeemed_from is not None:
            self.say(f"{line.name} is covered by {line.redeemed_from.source_name}; press u to give it back first.")
            return
        self.app.push_screen(LineEditScreen(self.sale.id, line), lambda sale: self.changed(sale, "Line saved."))

    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_remove_line(self) -> None:
        line = self.line
        if line is None:
            return
        held = " Its hold is released." if own_hold(line) else ""
        if await self.app.push_screen_wait(ConfirmScreen(f"Remove {line.name} from the cart?{held}", yes="Remove")):
            self.changed(await self.session.client.sales.remove_sale_line(self.sale.id, line.id), f"Removed {line.name}.")

    # -- benefits ----------------------------------------------------------------------------------
    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_apply(self) -> None:
        count = len(self.benefits.discounts) if self.benefits else 0
        self.changed(await self.session.client.sales.apply_discounts(self.sale.id),
                     f"Membership discount applied to {count} line{'s' if count != 1 else ''}.")

    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_redeem(self) -> None:
        line = self.line
        if line is None:
            return
        offers = self._offers(line)
        if not offers:
            self.say(f"Nothing the customer holds covers {line.name}.")
            return
        source: LineRedeem | None
        if len(offers) == 1:
            label, source = offers[0]
            if not await self.app.push_screen_wait(ConfirmScreen(
                    f"Cover {line.name} with {label.removeprefix('★ ').removeprefix('▣ ')}?\n"
                    "The line becomes 0; the credit is used only when the sale completes.", yes="Redeem")):
                return
        else:
            source = await self.app.push_screen_wait(ChoiceScreen(f"Cover {line.name} with…", offers,
                                                                  filter_placeholder=None))
            if source is None:
                return
        try:
            sale = await self.session.client.sales.redeem_line(self.sale.id, line.id, source)
        except ApiError as exc:
            self.say(exc.sentence)
            self.load_benefits()  # what was offered is no longer true: ask again
            return
        self.changed(sale, f"{line.name} covered: on hold until the sale completes.")

    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_release(self) -> None:
        line = self.line
        if line is not None and own_hold(line):
            self.changed(await self.session.client.sales.release_line(self.sale.id, line.id),
                         f"{line.name} is paid again; the hold was released.")

    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_customer(self) -> None:
        from desk_tui.ui.screens.customer_picker import CustomerPickerScreen

        customer = await self.app.push_screen_wait(CustomerPickerScreen("Whose cart is this?"))
        if customer is not None:
            self.changed(await self.session.client.sales.set_sale_customer(self.sale.id, customer.id),
                         f"Cart is for {customer.name}.")

    # -- finishing -----------------------------------------------------------------------------------
    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_pay(self) -> None:
        from desk_tui.ui.screens.payment import PaymentScreen
        from desk_tui.ui.screens.receipt import ReceiptScreen

        if not self.sale.lines:
            self.say("The cart is empty: add a service (s), a product (p) or a package (k) first.")
            return
        sale = await self.app.push_screen_wait(PaymentScreen(self.sale))
        if sale is None:
            return
        created = [f"{x.name} card issued" for x in sale.lines if x.issued_card_id]
        created += [f"{x.name}: next month paid" if x.renews_enrollment_id else f"{x.name} started"
                    for x in sale.lines if x.issued_enrollment_id]
        self.changed(sale, "Sale completed." + "".join(f" {x}." for x in created))
        await self.app.push_screen_wait(ReceiptScreen(sale))
        self.dismiss(sale)

    @work(exclusive=True, group="cart-action", exit_on_error=False)
    async def action_abandon(self) -> None:
        holds = sum(1 for x in self.sale.lines if own_hold(x))
        released = f" {holds} held credit{'s' if holds != 1 else ''} or session{'s' if holds != 1 else ''} " \
                   "go back to the customer." if holds else ""
        if not await self.app.push_screen_wait(ConfirmScreen(f"Abandon this cart?{released}", yes="Abandon",
                                                             no="Keep it")):
            return
        sale = await self.session.client.sales.abandon_sale(self.sale.id)
        self.notify("Cart abandoned; nothing was charged or used.", title="Checkout")
        self.dismiss(sale)

    def action_back(self) -> None:
        if self.sale.status == "open" and any(own_hold(x) for x in self.sale.lines):
            self.notify("The cart stays open in F4 Checkout. Its held credits are released if it is left idle.",
                        title="Cart kept")
        self.dismiss(self.sale)


async def open_cart(desk: DeskApp, hold: KeyHold, *, customer_id: str | None = None,
                    appointment_id: str | None = None,
                    selling: Literal["package", "membership"] | None = None) -> asyncio.Future[Sale | None]:
    """From a worker: ask the server for a cart and push it. ``hold`` was taken by the key that
    asked for it and ends once the cart is on the stack, so keys typed while the server made it
    reach the cart. Returns what the cart is dismissed with (await it to wait for the cart)."""
    try:
        sale = await desk.client.sales.open_sale(customer_id=customer_id, appointment_id=appointment_id)
        return desk.push_screen(CartScreen(sale, selling=selling), wait_for_dismiss=True)
    finally:
        hold.release()

