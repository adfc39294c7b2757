"""Pilot tests drive the real DeskApp against a real API server on loopback."""

from __future__ import annotations

import inspect

import pytest

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from tests.support.api_client import login
from tests.support.live_server import LiveServer
from tests.support.parsed_styles import shared_parsed_styles
from tests.ui.pilot import hold_cursors_still


@pytest.fixture(scope="session", autouse=True)
def _parsed_styles_shared():
    """Each app's sheets are parsed once per worker, not again by every test (parsed_styles.py)."""
    with shared_parsed_styles():
        yield


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory):
    """One demo salon (SQLite) for the UI tests of this worker."""
    with LiveServer(f"sqlite:///{tmp_path_factory.mktemp('ui-db')}/ui.db", demo=True) as server:
        yield server  # its demo accounts' PINs are cheap to check (quick_pins.py)


@pytest.fixture
def manager_api(ui_server):
    """An HTTP client signed in to ``ui_server`` as the demo's manager: to arrange what a test needs."""
    with login(ui_server.url, "manager") as client:
        yield client


@pytest.fixture
def desk_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def make_app(ui_server, desk_home):
    def make(server_url: str | None = None, *, clock=None, **overrides) -> DeskApp:
        settings = load_settings(server=server_url or ui_server.url, **overrides)
        extra = {"clock": clock} if clock is not None else {}
        return DeskApp(settings=settings, paths=Paths.from_env(), **extra)

    return make


@pytest.fixture
def no_color_xterm(monkeypatch):
    """NO_COLOR on PuTTY's default terminal (TERM=xterm: 8 colours), whatever the developer's
    terminal is: the colour system the app sees is pinned, so the shot is the same everywhere."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)


@pytest.fixture
def snap_compare(snap_compare):
    """The plugin's snap_compare with every text cursor held still before the shot: a blinking
    cursor is drawn or not depending on the moment, which a busy machine makes random."""

    def compare(app, *, run_before=None, **options):
        async def prepared(pilot) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await hold_cursors_still(pilot)

        return snap_compare(app, run_before=prepared, **options)

    return compare
