"""Losing the server mid-session, getting it back, and starting on the embedded demo server."""

from __future__ import annotations

from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.shell_header import ShellHeader
from tests.support.live_server import LiveServer
from tests.ui.pilot import notifications, sign_in, wait_until


async def test_server_lost_then_back_shows_offline_then_recovers(make_app, tmp_path):
    db_url = f"sqlite:///{tmp_path}/offline.db"
    server = LiveServer(db_url, demo=True).start()
    port = server.port
    app = make_app(server.url)
    app.OFFLINE_PROBE_SECONDS = 0.2
    # The offline toast is read below after the header has repainted: under a loaded full run that
    # took longer than the toast's 5 s, and it was gone when read. What it says is checked, not how long.
    app.NOTIFICATION_TIMEOUT = 120
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await pilot.press("f3", *"nagy")
            table = app.screen.query_one("#customer-results")
            await wait_until(pilot, lambda: table.row_count == 12, "search results")
            header = app.screen.query_one(ShellHeader)
            assert "OFFLINE" not in header.markers()

            server.stop()
            await pilot.press("backspace")  # a new search while the server is gone
            await wait_until(pilot, lambda: app.offline, "the app to notice it is offline")
            await wait_until(pilot, lambda: "OFFLINE" in header.markers(), "the OFFLINE marker")
            assert table.row_count == 12  # what was on screen stays on screen
            assert any("cannot be reached" in n.message for n in notifications(app))

            server = LiveServer(db_url, demo=True, port=port).start()
            await wait_until(pilot, lambda: not app.offline, "recovery when the server is back")
            await wait_until(pilot, lambda: "OFFLINE" not in header.markers(), "the marker gone")
            await pilot.press("y")  # searching works again
            await wait_until(pilot, lambda: app.screen.query_one("#customer-search").value == "nagy", "typed")
            await wait_until(pilot, lambda: table.row_count == 12, "fresh results")
    finally:
        server.stop()


async def test_starts_on_the_embedded_demo_server_and_signs_in(make_app, desk_home):
    from desk_tui.client.settings import Paths, load_settings
    from desk_tui.ui.app import DeskApp

    app = DeskApp(settings=load_settings(), paths=Paths.from_env())  # no server configured
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
            await sign_in(pilot)
            assert app.connection.embedded is not None and app.demo
            assert app.connection.url.startswith("http://127.0.0.1:")
            # The calendar may still be composing when sign-in returns: wait for its header.
            await wait_until(pilot, lambda: "DEMO" in app.screen.query_one(ShellHeader).markers(),
                             "the DEMO marker in the calendar's header")
    finally:
        if app.connection is not None and app.connection.embedded is not None:
            app.connection.embedded.release()


async def test_a_pin_typed_before_the_server_answers_signs_in_once_it_does(make_app, tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path}/late.db", demo=True)  # bound, not yet serving
    app = make_app(server.url)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
            await pilot.press(*"reception", "enter", *"1111", "enter")
            status = app.screen.query_one("#login-status")
            await wait_until(pilot, lambda: "as soon as the server answers" in str(status.render())
                             or app.connection_state is ConnectionState.FAILED, "the PIN kept for later")
            await wait_until(pilot, lambda: app.connection_state is ConnectionState.FAILED, "the server not answering")
            assert app.signed_in is None
            server.start()
            await pilot.press("ctrl+r")  # try again, as the login screen says
            await wait_until(pilot, lambda: app.signed_in is not None, "signed in without typing the PIN again")
            assert app.staff == "Réka Tóth (reception)"
    finally:
        server.stop()
