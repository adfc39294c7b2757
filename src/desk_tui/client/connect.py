"""Decide which booking API this app talks to: a configured remote one, or the embedded demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desk_tui.client.api import DeskClient
from desk_tui.client.cache import Cache
from desk_tui.client.intents import IntentJournal
from desk_tui.client.paths import Paths
from desk_tui.client.settings import ClientSettings
from desk_tui.client.tokens import TokenStore

if TYPE_CHECKING:
    # Its lock file and process checks (filelock, sqlite3, psutil: ≈1.8 MiB) are for the demo
    # only: a desk with a configured server never imports it (make bench, peak RSS).
    from desk_tui.client.embedded import EmbeddedServer


@dataclass(frozen=True)
class Connection:
    url: str
    demo: bool
    embedded: EmbeddedServer | None = None

    @property
    def server_id(self) -> str:
        """What stored tokens and cached data belong to. The demo server gets a new port on
        every start, so it is known by its database instead; otherwise nothing would survive
        a restart (neither the token that spares a PIN nor the cache that draws at once)."""
        return f"embedded:{self.embedded.db}" if self.embedded is not None else self.url


def connect(settings: ClientSettings, paths: Paths) -> Connection:
    """Blocking when it has to start the demo server (about a second): call it from a worker."""
    if settings.server:
        return Connection(url=settings.server.rstrip("/"), demo=False)
    from desk_tui.client.embedded import ensure_embedded_server

    server = ensure_embedded_server(paths)
    return Connection(url=server.url, demo=True, embedded=server)


def open_client(connection: Connection, settings: ClientSettings, paths: Paths) -> DeskClient:
    """The DeskClient for a connection, with this user's token store, cache and intent journal
    (the writes still waiting for an answer survive a restart of the app)."""
    tokens = TokenStore(connection.server_id, paths=paths, allow_file=settings.token_file)
    return DeskClient(connection.url, tokens=tokens, cache=Cache(paths.cache_dir), timeout=settings.timeout,
                      demo=connection.demo, server_id=connection.server_id,
                      intents=IntentJournal(paths.intents_dir, connection.server_id),
                      ca_bundle=settings.ca_bundle, allow_plain_http=settings.insecure)
