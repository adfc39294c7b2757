"""A session that ends on the server (signed out elsewhere, expired) while a dialog or the customer
search is working: the app asks for the PIN again instead of going quiet.

Worker state changes do not bubble in Textual, so every dialog and widget with a worker hands
its failures to the app; these tests fail when one of them keeps its failure to itself.
"""

from __future__ import annotations

import httpx

from desk_tui.ui.screens.checkout import CheckoutScreen
from desk_tui.ui.screens.customer_form import CustomerFormScreen
from desk_tui.ui.screens.customer_picker import CustomerPickerScreen
from desk_tui.ui.screens.customers import CustomersScreen
from desk_tui.ui.screens.login import LoginScreen
from tests.ui.pilot import reach, sign_in, wait_until


def end_the_session_on_the_server(app, server_url: str) -> None:
    token = app.client.signed_in.token
    r = httpx.post(f"{server_url}/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204, r.text


async def test_the_customer_picker_asks_for_the_pin_when_the_session_has_ended(make_app, ui_server):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await reach(pilot, CheckoutScreen, "f4", what="F4 Checkout")
        # n: a new cart, but whose? The picker's search is a widget with a worker of its own.
        await reach(pilot, CustomerPickerScreen, "n", what="the customer picker")
        end_the_session_on_the_server(app, ui_server.url)
        await pilot.press(*"simon")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the PIN asked for again")


async def test_a_dialog_asks_for_the_pin_and_keeps_what_was_typed(make_app, ui_server):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await reach(pilot, CustomersScreen, "f3", what="F3 Customers")
        form = await reach(pilot, CustomerFormScreen, "ctrl+n", what="the new customer form")
        await pilot.press(*"Ilona Session")
        end_the_session_on_the_server(app, ui_server.url)
        await pilot.press("ctrl+enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the PIN asked for again")
        assert form.query_one("#name").value == "Ilona Session"


async def test_requests_that_fail_together_ask_for_the_pin_once(make_app, ui_server):
    """A screen often has several requests in flight; when the session has ended they all fail.
    The receptionist signs in once and is back where they were, not on a second sign-in."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await reach(pilot, CheckoutScreen, "f4", what="F4 Checkout")
        end_the_session_on_the_server(app, ui_server.url)
        failing = [app.run_worker(app.client.me(), exit_on_error=False) for _ in range(3)]
        await wait_until(pilot, lambda: all(w.is_finished for w in failing), "the three requests answered")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the PIN asked for again")
        await pilot.pause()
        assert sum(isinstance(screen, LoginScreen) for screen in app.screen_stack) == 1
        await pilot.press(*"reception", "enter", *"1111", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "back at the checkout")


async def test_quitting_as_the_sign_in_screen_opens_is_no_crash(make_app):
    """The sign-in screen coming as the app closes (the session ended just as the receptionist
    quit): its mount found its widgets already gone and the app ended in a traceback."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        app.push_screen(LoginScreen(reason="Your session has ended."))
    assert app.return_code in (0, None)
