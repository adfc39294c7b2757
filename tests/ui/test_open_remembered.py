"""A desk signed in before opens on its calendar, drawn from the cache before the server has
answered anything; the stored token is checked meanwhile, and one that does not hold brings the
sign-in screen (see SessionApp.open_remembered)."""

from __future__ import annotations

import httpx

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from desk_tui.ui.widgets.shell_header import ShellHeader
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until


def desk(url: str) -> DeskApp:
    # no keyring in the tests: the token is kept in the opt-in file, as on a desk without one
    return DeskApp(settings=load_settings(server=url, token_file=True), paths=Paths.from_env())


def says_updating(app: DeskApp) -> bool:
    """The header's UPDATING marker is shown on the current screen."""
    return "UPDATING" in app.screen.query_one(ShellHeader).markers()


def grid_rows(app: DeskApp) -> int:
    screen = app.screen
    return screen.query_one(DayGrid).row_count if isinstance(screen, CalendarScreen) else 0


async def sign_in_once(url: str) -> str:
    """Sign in on this desk and let the calendar load today; the token of that sign-in."""
    app = desk(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: grid_rows(app) > 0, "today in the calendar")
        await app.workers.wait_for_complete()
        return app.client.signed_in.token


async def test_a_desk_signed_in_before_draws_its_calendar_before_the_server_answers(desk_home, tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'salon.db'}", demo=True)
    with server:
        await sign_in_once(server.url)
    # The server is gone: nothing the first frame shows can have come from it.
    app = desk(server.url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, CalendarScreen)
        assert grid_rows(app) > 0 and app.connection_state is ConnectionState.CONNECTING
        assert app.staff == "Réka Tóth (reception)" and app.business == "Bella Salon & Spa"
        assert says_updating(app)  # what is shown is the cache's, and the header says so
        # … and as the server never answers, the stored sign-in is not taken on trust for long
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the sign-in screen")
        assert app.signed_in is None and app.connection_state is ConnectionState.FAILED


async def test_a_sign_in_ended_on_the_server_brings_the_sign_in_screen(desk_home, ui_server):
    token = await sign_in_once(ui_server.url)
    r = httpx.post(f"{ui_server.url}/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204, r.text
    app = desk(ui_server.url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert grid_rows(app) > 0  # drawn from the cache; the token is being checked
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the sign-in screen")
        assert app.signed_in is None and app.staff == "not signed in" and not app.updating
        await sign_in(pilot)
        await wait_until(pilot, lambda: grid_rows(app) > 0, "the calendar again, after signing in")
        assert isinstance(app.screen, CalendarScreen) and app.client.signed_in is not None


async def test_a_desk_whose_sign_in_holds_stays_on_its_calendar(desk_home, ui_server):
    await sign_in_once(ui_server.url)
    app = desk(ui_server.url)
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = app.screen
        assert isinstance(calendar, CalendarScreen) and grid_rows(app) > 0 and says_updating(app)
        await wait_until(pilot, lambda: app.session_confirmed, "the stored sign-in confirmed")
        assert app.screen is calendar and app.client.signed_in is not None
        await wait_until(pilot, lambda: not says_updating(app), "the header no longer saying UPDATING")
        await app.workers.wait_for_complete()
        assert app.screen is calendar and grid_rows(app) > 0


async def test_signing_out_forgets_the_remembered_sign_in(desk_home, ui_server):
    app = desk(ui_server.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: grid_rows(app) > 0, "today in the calendar")
        app.action_sign_out()
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "signed out")
    app = desk(ui_server.url)
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, LoginScreen)
