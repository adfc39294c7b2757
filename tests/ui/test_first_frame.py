"""A fresh desk's first frame is the sign-in itself: the app's first screen (not pushed over an
empty one), drawn with the sign-in's own sheets; the other screens' sheets follow right after it,
in SHEETS' order, so a later sheet still wins a tie (docs/performance.md, session 13)."""

from __future__ import annotations

import os
import shutil
from typing import Any

from textual.screen import Screen
from textual.widgets import Input

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.stylesheets import SHEETS, SIGN_IN_SHEETS
from tests.ui.pilot import sign_in, wait_until

OURS = {os.path.abspath(p) for p in SHEETS}


def sheets_read(app: DeskApp) -> list[str]:
    """Our style sheets the app's stylesheet holds, in its order."""
    return [path for path, class_var in app.stylesheet.source if not class_var and path in OURS]


class Watched(DeskApp):
    """The desk, noting which sheets it held when it chose its first screen."""

    def get_default_screen(self) -> Screen[Any]:
        self.sheets_at_first_screen = sheets_read(self)
        return super().get_default_screen()


async def test_a_fresh_desk_opens_on_the_sign_in_with_its_own_sheets_and_gets_the_rest_after(make_app):
    settings = make_app().settings
    app = Watched(settings=settings, paths=make_app().paths)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.sheets_at_first_screen == [os.path.abspath(p) for p in SIGN_IN_SHEETS]
        assert isinstance(app.screen_stack[0], LoginScreen) and len(app.screen_stack) == 1
        await wait_until(pilot, lambda: len(sheets_read(app)) == len(SHEETS), "the other sheets")
        assert sheets_read(app) == [os.path.abspath(p) for p in SHEETS]  # in order: app.tcss first
        # The first sign-in cannot pop the screen it was typed on: it opens the calendar over it.
        await sign_in(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "the calendar")
        assert app.signed_in is not None and app.session_confirmed
        [beneath] = [s for s in app.get_screen_stack("_default") if isinstance(s, LoginScreen)]
        assert beneath.query_one("#pin", Input).value == ""  # not kept beneath, all day, with the PIN in it
        assert sheets_read(app) == [os.path.abspath(p) for p in SHEETS]  # loaded once, not again


async def test_a_stored_sign_in_the_server_resumes_takes_the_desk_from_the_first_sign_in(ui_server, desk_home):
    # A token is stored but the cache that would draw the calendar is gone (cleared, or another
    # disk): the sign-in shows first, and the server resuming the token takes the desk past it.
    first = DeskApp(settings=load_settings(server=ui_server.url, token_file=True), paths=Paths.from_env())
    async with first.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: isinstance(first.screen, CalendarScreen), "the calendar")
        await first.workers.wait_for_complete()
    shutil.rmtree(Paths.from_env().cache_dir)
    app = DeskApp(settings=load_settings(server=ui_server.url, token_file=True), paths=Paths.from_env())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen_stack[0], LoginScreen)
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "the calendar, signed in again")
        assert app.staff == "Réka Tóth (reception)" and app.session_confirmed


class StartedBlurred(DeskApp):
    """The desk as Textual's web driver starts it (`desk-tui web`): blurred before its first
    screen is shown (the driver posts AppBlur as it starts; the browser tab's focus, or the
    first key, ends it)."""

    def get_default_screen(self) -> Screen[Any]:
        self.set_reactive(DeskApp.app_focus, False)
        return super().get_default_screen()


async def test_a_desk_started_blurred_takes_its_first_keys_into_the_user_field(make_app):
    # The browser desk (tests/e2e/test_web.py) hung on this: nothing was focused when the first
    # key came, so "reception" went nowhere and Tab took "1111" to the location picker.
    app = StartedBlurred(settings=make_app().settings, paths=make_app().paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
        assert not app.app_focus and app.screen.focused is None
        await pilot.press(*"reception", "tab", *"1111")
        login = app.screen
        assert isinstance(login, LoginScreen)
        assert login.query_one("#username", Input).value == "reception"
        assert login.query_one("#pin", Input).value == "1111"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "the calendar")
