"""Keys that arrive in one burst reach the widget they were typed for (ui/type_ahead.py).

A terminal read hands the app everything typed since the last one. Without the type-ahead
gate every key after a Tab, or after an Enter that moves to the next field, went to the widget
focused when the burst was read: the PIN landed in the username.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.login import LoginScreen
from tests.ui.pilot import burst, wait_until


async def _login_screen_ready(pilot) -> LoginScreen:
    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.location_options,
                     "the login screen with its locations")
    return app.screen


async def _signed_in_or_refused(pilot, login: LoginScreen) -> None:
    status = login.query_one("#login-status")
    await wait_until(pilot, lambda: pilot.app.signed_in is not None
                     or str(status.render()).strip() not in ("", "Signing in…"), "the sign-in's outcome")
    assert pilot.app.signed_in is not None, (
        f"not signed in: {str(status.render())!r}; username field "
        f"{login.query_one('#username', Input).value!r}")


async def _sign_in_at_speed(pilot, *then: str) -> None:
    """reception⇥1111⏎ (and ``then``) in one burst; fails unless that signed in."""
    login = await _login_screen_ready(pilot)
    burst(pilot, *"reception", "tab", *"1111", "enter", *then)
    await _signed_in_or_refused(pilot, login)


async def test_username_tab_pin_enter_in_one_burst_signs_in(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in_at_speed(pilot)
        assert app.staff.startswith("Réka Tóth"), app.staff


async def test_a_key_typed_after_the_pin_waits_for_the_signed_in_shell(make_app):
    # F4 right after Enter: the server is still checking the PIN; F4 is for the shell, not the
    # login screen (where it does nothing).
    from desk_tui.ui.screens.checkout import CheckoutScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in_at_speed(pilot, "f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "F4 Checkout, typed ahead")


async def test_username_enter_pin_enter_in_one_burst_signs_in(make_app):
    # The other way receptionists move on: Enter in the username goes to the PIN. That is a
    # priority binding, run before the next key is read, so it held before the gate too; kept
    # so that no change to the gate or the form breaks the habit.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        login = await _login_screen_ready(pilot)
        burst(pilot, *"manager", "enter", *"2222", "enter")
        await _signed_in_or_refused(pilot, login)
        assert "manager" in app.staff, app.staff


async def test_keys_typed_while_the_server_makes_the_cart_wait_for_the_cart(make_app):
    # "w s deep⏎" at once on F4: the walk-in cart comes from the server, held back here to be sure
    # the keys beat it. Without the hold, s was lost on the list and d opened the completed sales.
    from desk_tui.ui.screens.cart import CartScreen
    from desk_tui.ui.screens.checkout import CheckoutScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _sign_in_at_speed(pilot)
        await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "F4 Checkout")
        checkout = app.screen
        gate = asyncio.Event()
        real_open_sale = app.client.sales.open_sale

        async def late_open_sale(**kwargs):
            await gate.wait()
            return await real_open_sale(**kwargs)

        app.client.sales.open_sale = late_open_sale
        burst(pilot, "w", "s", *"deep", "enter")
        await wait_until(pilot, lambda: len(app._typed_ahead) == 6, "the keys after w held back")
        assert app.screen is checkout and not checkout.done
        gate.set()
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen) and len(app.screen.sale.lines) == 1,
                         "the cart with the line typed ahead")
        assert [x.name for x in app.screen.sale.lines] == ["Deep Tissue Massage"]
        assert not checkout.done


async def test_the_gate_waits_for_a_screen_still_mounting_then_lets_keys_through():
    """The gate reads Textual's public API only (``screen_stack``, ``walk_children``,
    ``Widget.is_mounted``, ``message_queue_size``): a screen just pushed is not settled until it
    and its widgets are mounted, and then it is. A Textual upgrade that changes any of these
    fails here, not as keys landing in the wrong field."""
    from textual.screen import Screen
    from textual.widgets import Input

    from desk_tui.ui.type_ahead import TypeAheadApp

    class Dialog(Screen[None]):
        def compose(self):
            yield Input(id="typed-here")

    app = TypeAheadApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: not app._busy(), "the empty app settled")
        dialog = Dialog()
        app.push_screen(dialog)  # not awaited: the dialog is on the stack, still mounting
        assert dialog in app.screen_stack and app._busy()
        await wait_until(pilot, lambda: not app._busy(), "the dialog settled")
        assert dialog.query_one("#typed-here", Input).is_mounted
        hold = app.hold_keys()
        assert app._busy()  # a key that asked the server for its screen holds the next ones
        hold.release()
        assert not app._busy()
