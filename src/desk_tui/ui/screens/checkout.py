"""F4 Checkout: the carts left open at this location, and new ones.

**n** starts a cart for a customer (their membership benefits appear at once), **w** a walk-in
cart for a product sale, Enter reopens a cart someone left open (a customer who stepped away to
look at the shelf). An appointment's cart starts from the appointment screen (F4 there).
**d** switches to the latest completed sales, where Enter shows a receipt again.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from desk_tui.contract.customers import Customer
from desk_tui.contract.sales import Sale
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.timefmt import local_datetime
from desk_tui.ui.type_ahead import KeyHold


class CheckoutScreen(DeskScreen):
    MODE = "checkout"
    BINDINGS = [
        Binding("n", "new_cart", "New cart", id="checkout.new"),
        Binding("w", "walk_in", "Walk-in", id="checkout.walk_in"),
        Binding("enter", "open_cart", "Open", id="checkout.open"),
        Binding("d", "toggle_done", "Open / done", id="checkout.done"),
        Binding("ctrl+r", "reload", "Refresh", id="checkout.reload"),
    ]

    done: reactive[bool] = reactive(False, init=False)
    """False: carts left open; True: the latest completed sales (receipts)."""

    def __init__(self) -> None:
        super().__init__()
        self.carts: dict[str, Sale] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Open carts at this location", id="checkout-title", classes="title")
        yield DataTable(id="open-carts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="checkout-hint", classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("When", key="when", width=16)
        table.add_column("Customer", key="customer", width=24)
        table.add_column("Items", key="items", width=5)
        table.add_column("To pay", key="total")
        table.focus()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_toggle_done(self) -> None:
        self.done = not self.done

    def watch_done(self, done: bool) -> None:
        self.query_one("#checkout-title", Static).update(
            "Completed sales at this location (Enter shows the receipt)" if done else "Open carts at this location")
        self.query_one(DataTable).clear()
        self.action_reload()

    @work(exclusive=True, group="checkout-load", exit_on_error=False)
    async def action_reload(self) -> None:
        client = self.session.client
        self.show(await (client.sales.completed_sales() if self.done else client.sales.open_sales()))

    def show(self, carts: list[Sale]) -> None:
        self.carts = {c.id: c for c in carts}
        tz = self.session.org.timezone
        table = self.query_one(DataTable)
        table.clear()
        for cart in carts:
            when = cart.completed_at if self.done and cart.completed_at else cart.opened_at
            table.add_row(local_datetime(when, tz), as_typed(cart.customer_name or "walk-in"), str(len(cart.lines)),
                          format_money(cart.total, self.session.org), key=cart.id)
        if self.done:
            hint = "Enter shows the receipt · d back to open carts" if carts else "No completed sales yet."
        elif carts:
            hint = "Enter opens the highlighted cart · n new cart · w walk-in · d completed sales"
        else:
            hint = ("No open carts. n starts a cart for a customer, w a walk-in sale; F4 on an appointment "
                    "checks it out; d shows completed sales.")
        self.query_one("#checkout-hint", Static).update(hint)

    def on_data_table_row_selected(self) -> None:
        self.action_open_cart()  # Enter on the focused table arrives as a selection

    def action_open_cart(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        sale_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert sale_id is not None  # every row is added keyed by its sale's id
        cart = self.carts[sale_id]
        if cart.status == "completed":
            from desk_tui.ui.screens.receipt import ReceiptScreen

            self.app.push_screen(ReceiptScreen(cart, reprint=True))
        else:
            self.open_cart(cart)

    def open_cart(self, sale: Sale) -> None:
        from desk_tui.ui.screens.cart import CartScreen

        self.app.push_screen(CartScreen(sale))

    def action_new_cart(self) -> None:
        from desk_tui.ui.screens.customer_picker import CustomerPickerScreen

        # The picker's callback runs while its Enter is handled: the hold starts before the next key.
        def chosen(customer: Customer | None) -> None:
            if customer:
                self._new_cart(self.desk.hold_keys(), customer.id)

        self.app.push_screen(CustomerPickerScreen("New cart for…"), chosen)

    def action_walk_in(self) -> None:
        self._new_cart(self.desk.hold_keys(), None)

    @work(exclusive=True, group="checkout-new", exit_on_error=False)
    async def _new_cart(self, hold: KeyHold, customer_id: str | None) -> None:
        """The server makes the cart; keys typed meanwhile (a fast "w s deep⏎") wait for it."""
        from desk_tui.ui.screens.cart import open_cart

        await open_cart(self.desk, hold, customer_id=customer_id)
