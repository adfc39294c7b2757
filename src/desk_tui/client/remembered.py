"""Who is signed in on this desk, remembered without the token, so the calendar is drawn at once.

A desk that signed in before opens on its calendar, drawn from the cache, while the stored token
is checked with the server in the background (ui/session.py); a refused token brings the sign-in
screen. Kept in the cache next to what it draws: the staff member, the location and when the
sign-in ends (``/me`` as the server answered it) — nothing that signs anyone in. Forgotten at
sign-out and when the server refuses the token.
"""

from __future__ import annotations

from datetime import datetime

from desk_tui.client.cache import Cache, cache_key
from desk_tui.client.cached import peek
from desk_tui.client.paths import Paths
from desk_tui.client.tokens import last_username
from desk_tui.contract.auth import Me


def remembered_key(server_id: str) -> str:
    return cache_key(server_id, None, "/me")


def remember(cache: Cache, server_id: str, me: Me) -> None:
    cache.put(remembered_key(server_id), me.model_dump_json().encode(), None)


def forget(cache: Cache, server_id: str) -> None:
    cache.forget(remembered_key(server_id))


def remembered_sign_in(server_id: str, *, paths: Paths, now: datetime) -> Me | None:
    """The sign-in of whoever used this server last on this desk, if it has not ended yet."""
    username = last_username(server_id, paths=paths)
    if username is None:
        return None
    me = peek(Cache(paths.cache_dir), remembered_key(server_id), Me)
    if me is None or me.staff.username != username or me.expires_at is None or me.expires_at <= now:
        return None
    return me
