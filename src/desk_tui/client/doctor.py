"""`desk-tui doctor`: the answers remote support asks for first, in one screenful of plain text.

It only reads: it never starts the demo server (that would hide the problem being diagnosed)
and never signs anyone in or out.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import time
from pathlib import Path
from typing import TextIO

from desk_tui import __version__
from desk_tui.client import transport
from desk_tui.client.api import DeskClient
from desk_tui.client.cache import Cache
from desk_tui.client.embedded import read_state
from desk_tui.client.errors import ApiError, OfflineError
from desk_tui.client.logging_setup import last_error
from desk_tui.client.paths import Paths
from desk_tui.client.settings import ClientSettings
from desk_tui.client.tls import describe_certificate, sends_in_clear
from desk_tui.client.tokens import TokenStore


def _server(settings: ClientSettings, paths: Paths) -> tuple[str | None, str, str | None]:
    """(url, how it was chosen, server id for tokens)."""
    if settings.server:
        return settings.server, "configured", settings.server
    state = read_state(paths)
    if state is None:
        return None, "embedded demo server, not running: it starts with the app", None
    return state["url"], f"embedded demo server, pid {state['pid']}", f"embedded:{state.get('db', '')}"


async def _probe(url: str, server_id: str, settings: ClientSettings, paths: Paths) -> list[tuple[str, str]]:
    tokens = TokenStore(server_id, paths=paths, allow_file=settings.token_file)
    rows: list[tuple[str, str]] = []
    if url.startswith("https://"):
        rows.append(("Certificate", await asyncio.to_thread(describe_certificate, url, settings.ca_bundle)))
    elif sends_in_clear(url):
        rows.append(("Certificate", "none: plain http to another machine, so PINs are "
                                    + ("sent anyway (--insecure)" if settings.insecure else "not sent (use https)")))
    async with DeskClient(url, tokens=tokens, cache=Cache(paths.cache_dir), timeout=min(settings.timeout, 5.0),
                          server_id=server_id, retry=transport.NO_RETRY, ca_bundle=settings.ca_bundle,
                          allow_plain_http=settings.insecure) as client:
        started = time.perf_counter()
        try:
            health = await client.health()
        except ApiError as exc:
            rows.append(("Reachable", f"NOT reachable ({exc.code}): {exc.detail or exc.sentence}"))
        else:
            ms = (time.perf_counter() - started) * 1000
            kind = "demo" if health.get("demo") else "live"
            rows.append(("Reachable", f"reachable, round trip {ms:.0f} ms (server {health.get('version', '?')}, "
                                      f"{kind} data)"))
            rows.append(("Health", await _health(client)))
            rows.append(("Signed in", await _signed_in(client, tokens)))
        rows.append(("Keyring", f"{tokens.backend_name}; tokens kept in {tokens.storage}"))
        if tokens.warning:
            rows.append(("", tokens.warning))
    return rows


async def _health(client: DeskClient) -> str:
    try:
        health = await client.healthz()
    except OfflineError as exc:
        return f"NOT ok: the server answers but its database does not ({exc.detail})"
    except ApiError as exc:
        if exc.status == 404:
            return "not reported (a server older than /healthz)"
        return f"NOT ok ({exc.code}): {exc.detail or exc.sentence}"
    return f"{health.get('status', '?')} (database {health.get('database', '?')})"


async def _signed_in(client: DeskClient, tokens: TokenStore) -> str:
    username = tokens.last_username
    if not username:
        return "nobody has signed in to this server from here"
    try:
        me = await client.resume()
    except ApiError as exc:
        return f"{username}: could not check ({exc.sentence})"
    if me is None:
        return f"{username}: no valid stored token (the PIN will be asked)"
    expires = me.expires_at.astimezone().strftime("%Y-%m-%d %H:%M %Z") if me.expires_at else "unknown"
    return f"{me.staff.name} ({username}, {me.staff.role}) at {me.location.name}; token expires {expires}"


def run_doctor(settings: ClientSettings, paths: Paths, out: TextIO, *, log_file: Path | None = None) -> int:
    url, how, server_id = _server(settings, paths)
    rows: list[tuple[str, str]] = [
        ("Version", f"desk-tui {__version__} (Python {platform.python_version()}, {platform.system()})"),
        ("Server", f"{url} ({how})" if url else how),
    ]
    if url and server_id:
        rows += asyncio.run(_probe(url, server_id, settings, paths))
    else:
        tokens = TokenStore("-", paths=paths, allow_file=settings.token_file)
        rows.append(("Keyring", f"{tokens.backend_name}; tokens kept in {tokens.storage}"))
    size = shutil.get_terminal_size(fallback=(0, 0))
    if not size.columns or not size.lines:
        rows.append(("Terminal", "size unknown (output is not a terminal)"))
    else:
        small = size.columns < 80 or size.lines < 24
        rows.append(("Terminal", f"{size.columns}×{size.lines}" + ("  (below 80×24: screens will not fit)" if small else "")))

    def env(name: str) -> str:
        return os.environ.get(name) or "unset"

    rows.append(("Colours", f"TERM={env('TERM')}  COLORTERM={env('COLORTERM')}  NO_COLOR={env('NO_COLOR')}"))
    rows.append(("Config", f"{paths.config_file} ({'present' if paths.config_file.exists() else 'absent'})"))
    rows.append(("Cache", str(paths.cache_dir)))
    log_path = Path(log_file) if log_file is not None else paths.log_file
    rows.append(("Log", str(log_path)))
    rows.append(("Last error", last_error(log_path) or "none"))
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        print(f"{key:<{width}}{value}", file=out)
    failed = any((k == "Reachable" and not v.startswith("reachable")) or (k == "Health" and v.startswith("NOT"))
                 or (k == "Certificate" and v.startswith("NOT")) for k, v in rows)
    return 1 if failed else 0
