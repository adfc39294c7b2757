"""A desk installed with the client alone (`pip install desk-tui`) and no server configured: the
sign-in screen says in one sentence how to add the server extra for the demo salon."""

from __future__ import annotations

import sys

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.login import LoginScreen
from tests.ui.pilot import wait_until


async def test_the_sign_in_screen_says_how_to_add_the_server_extra(desk_home, monkeypatch):
    monkeypatch.delenv("DESK_SERVER", raising=False)
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the server extra were not installed
    app = DeskApp(settings=load_settings(), paths=Paths.from_env())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.FAILED, "the demo refused")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the sign-in screen")
        status = app.screen.query_one("#login-status")
        await wait_until(pilot, lambda: "desk-tui[server]" in str(status.render()), "the sentence on screen")
        assert str(status.render()) == (
            "The demo server could not start (the server part of desk-tui is not installed here: add it with pip "
            "install 'desk-tui[server]', or point desk-tui at a booking server with --server URL).  Press ctrl+r to try again.")
