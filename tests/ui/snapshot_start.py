"""What snapshot modules start from: a keyring that works quietly, a calendar drawn whole.

A module asks for the keyring with ``pytestmark = pytest.mark.usefixtures("quiet_keyring")``."""

from __future__ import annotations

import pytest

from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.keyrings import DictKeyring
from tests.ui.pilot import sign_in, wait_until


@pytest.fixture
def quiet_keyring():
    """A working keyring: no "sign-in is not remembered" notice on screen."""
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(DictKeyring())
    yield
    keyring.set_keyring(previous)


async def signed_in(pilot) -> None:
    await sign_in(pilot)
    await wait_until(pilot, lambda: pilot.app.business == "Bella Salon & Spa", "the business name")
    grid = pilot.app.screen.query_one(DayGrid)
    await wait_until(pilot, lambda: grid.row_count > 0, "the calendar day")
    await pilot.app.workers.wait_for_complete()
