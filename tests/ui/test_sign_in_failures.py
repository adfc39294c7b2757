"""A sign-in that goes wrong on the way says so on the sign-in screen, never "Signing in…" for
ever, and the PIN can be typed again: the real app, the real server, and a real proxy on
loopback between them that drops the line or answers in the server's place."""

from __future__ import annotations

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.login import LoginScreen
from tests.support.proxy import LossyProxy
from tests.ui.pilot import wait_until

PORTAL_PAGE = b"<html><body>Please accept the terms of use of this network.</body></html>"
PORTAL = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
          b"Content-Length: " + str(len(PORTAL_PAGE)).encode() + b"\r\n\r\n" + PORTAL_PAGE)


def said(app) -> str:
    return str(app.screen.query_one("#login-status").render()).strip()


async def _type_pin(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the sign-in screen")
    await pilot.press(*"reception", "enter", *"1111", "enter")


async def test_a_sign_in_whose_line_drops_says_so_and_signs_in_when_tried_again(ui_server, desk_home):
    async with LossyProxy(ui_server.url) as proxy:
        app = DeskApp(settings=load_settings(server=proxy.url), paths=Paths.from_env())
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
            proxy.lose_answers = True  # the PIN reaches the server; its answer never comes back
            await _type_pin(pilot)
            await wait_until(pilot, lambda: "cannot be reached" in said(app), "the dropped line said")
            assert isinstance(app.screen, LoginScreen) and app.signed_in is None and proxy.lost >= 1

            proxy.lose_answers = False  # the line is back: the PIN again, and Enter
            await pilot.press(*"1111", "enter")
            await wait_until(pilot, lambda: app.signed_in is not None and not isinstance(app.screen, LoginScreen),
                             "signed in")


async def test_a_sign_in_answered_by_something_other_than_the_server_is_said(ui_server, desk_home):
    async with LossyProxy(ui_server.url) as proxy:
        app = DeskApp(settings=load_settings(server=proxy.url), paths=Paths.from_env())
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
            proxy.answer_instead = PORTAL  # a 200 that is not a sign-in: the client cannot read it
            await _type_pin(pilot)
            await wait_until(pilot, lambda: "did not work" in said(app), "the unreadable answer said")
            assert isinstance(app.screen, LoginScreen) and app.signed_in is None and proxy.lost == 1
            assert app.screen.query_one("#pin").value == ""  # ready for the PIN again
