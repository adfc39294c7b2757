"""Snapshot baselines (snapshots/test_snapshots/) of the login screen and the shell.

Deterministic: the demo salon is seeded from a fixed random seed, the keyring works (no
notice toast), and every worker has finished before the shot.
"""

from __future__ import annotations

import pytest

from desk_tui.ui.screens.login import LoginScreen
from tests.ui.pilot import sign_in, wait_until
from tests.ui.test_shell import DictKeyring

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def quiet_keyring():
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(DictKeyring())
    yield
    keyring.set_keyring(previous)


async def _login_ready(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state == "ready", "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
    await wait_until(pilot, lambda: str(app.screen.query_one("#location").value) == "loc_downtown", "locations")
    await pilot.app.workers.wait_for_complete()


async def _signed_in(pilot) -> None:
    await sign_in(pilot)
    await wait_until(pilot, lambda: pilot.app.business == "Bella Salon & Spa", "the business name")
    await pilot.app.workers.wait_for_complete()


async def _customers_nagy(pilot) -> None:
    await _signed_in(pilot)
    await pilot.press("f3", *"nagy")
    table = pilot.app.screen.query_one("#customer-results")
    await wait_until(pilot, lambda: table.row_count == 12, "the Nagy customers")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_login_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_shell_after_sign_in(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_signed_in)


def test_customer_search(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_customers_nagy)


def test_shell_in_16_colours(snap_compare, make_app):
    async def ansi(pilot):
        pilot.app.theme = "ansi-dark"  # what the app picks when the terminal has 16 colours
        await _signed_in(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ansi)


def test_shell_with_no_color(snap_compare, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=_signed_in)
