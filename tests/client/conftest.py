from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend

from desk_tui.client.api import DeskClient
from desk_tui.client.cache import Cache
from desk_tui.client.settings import Paths
from desk_tui.client.tokens import TokenStore
from tests.support.keyrings import BrokenKeyring, DictKeyring
from tests.support.live_server import LiveServer


@pytest.fixture
def home(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("DESK_HOME", str(tmp_path / "home"))
    for name in ("DESK_SERVER", "DESK_TIMEOUT", "DESK_TOKEN_FILE", "DESK_LOG_FILE"):
        monkeypatch.delenv(name, raising=False)
    return Paths.from_env()


def _use_keyring(backend: KeyringBackend):
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    return before


@pytest.fixture
def dict_keyring():
    backend = DictKeyring()
    before = _use_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def broken_keyring():
    backend = BrokenKeyring()
    before = _use_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """One demo salon over real HTTP (SQLite) for the client tests that do not stop it."""
    with LiveServer(f"sqlite:///{tmp_path_factory.mktemp('client-db')}/demo.db", demo=True) as server:
        yield server


@pytest.fixture
async def make_client(home):
    """Build DeskClients for a server URL; all are closed at the end of the test."""
    made: list[DeskClient] = []

    def make(url: str, **kw) -> DeskClient:
        kw.setdefault("tokens", TokenStore(url, paths=home))
        kw.setdefault("cache", Cache(home.cache_dir))
        kw.setdefault("timeout", 5)
        client = DeskClient(url, **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
