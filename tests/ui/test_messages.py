"""Messages (toasts) give the screen back: Esc takes them away, and a notice true of the machine
("sign-in is not remembered" on a desk without a keyring) is shown once on it, not at every start."""

from __future__ import annotations

import keyring
import pytest

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.keyrings import BrokenKeyring
from tests.ui.pilot import notifications, reach, sign_in, wait_until
from tests.ui.snapshot_start import quiet_keyring  # noqa: F401 (a fixture, asked for by name)


def _toasts(app) -> int:
    return len(notifications(app))


@pytest.mark.usefixtures("quiet_keyring")
async def test_esc_takes_the_messages_away_and_still_does_what_it_does_on_the_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.screen.query_one(DayGrid).row_count > 0, "the calendar day")
        calendar = app.screen
        app.notify("The booking server cannot be reached.", title="Offline", severity="warning", timeout=30)
        app.notify("Something else happened.", timeout=30)
        await wait_until(pilot, lambda: _toasts(app) == 2, "both messages on screen")
        # On the calendar Esc has no other meaning: the messages go, the grid stays.
        await pilot.press("escape")
        await wait_until(pilot, lambda: _toasts(app) == 0, "the messages gone")
        assert app.screen is calendar

        # A message left by the last action does not eat the Esc meant for the screen.
        booking = await reach(pilot, BookingScreen, "b", what="the booking screen")
        app.notify("Booked.", timeout=30)
        await wait_until(pilot, lambda: _toasts(app) == 1, "the message on screen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not booking, "the booking cancelled")
        assert _toasts(app) == 0


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    yield
    keyring.set_keyring(previous)


async def test_the_keyring_notice_is_shown_once_per_machine(make_app, no_keyring, desk_home):
    def notices(app) -> list[str]:
        return [n.message for n in notifications(app) if "keyring" in n.message.lower()]

    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: len(notices(first)) == 1, "the keyring notice")

    again = make_app()  # the next start on the same machine (same state folder)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(again.screen, LoginScreen), "the login screen")
        await sign_in(pilot)
        await pilot.app.workers.wait_for_complete()
        assert notices(again) == []
    assert list(desk_home.rglob("notices-shown.json")), "what was shown is remembered in the state folder"
