"""Getting to F4 Checkout and a customer's cart, and adding to it, keyboard only."""

from __future__ import annotations

from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.checkout import CheckoutScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from tests.ui.picking_a_customer import pick_customer
from tests.ui.pilot import sign_in, wait_until


async def open_checkout(pilot) -> CheckoutScreen:
    """Sign in as reception and press F4."""
    app = pilot.app
    await sign_in(pilot)
    await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "F4 Checkout")
    return app.screen


async def open_cart_for(pilot, customer: dict) -> CartScreen:
    """F4, n, find the customer, Enter: the cart opens with the benefits asked for."""
    app = pilot.app
    await open_checkout(pilot)
    await pick_customer(pilot, "n", customer["name"])
    await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
    return app.screen


async def add(pilot, key_: str, name: str) -> None:
    """Press the cart's ``key_`` (s service, p product, …), type ``name``, Enter: one line more."""
    app = pilot.app
    cart = app.screen
    count = len(cart.sale.lines)
    await pilot.press(key_)
    await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the item list")
    await pilot.press(*name)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.screen is cart and len(cart.sale.lines) == count + 1, f"{name} in the cart")
