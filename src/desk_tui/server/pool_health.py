"""Which pooled PostgreSQL connections need a ping before they are handed out.

``pool_pre_ping`` pinged on every checkout: a round trip before each request's first statement,
≈9 % of a redemption on a busy machine (issue 17). A connection the server closed (a restart, an
administrator's ``pg_terminate_backend``, a crash) leaves something to read on its socket: the
server's farewell message, or the end of the stream. So a connection is pinged only when its socket
has something to read, which a healthy idle connection never has, or when it sat in the pool longer
than :data:`TRUSTED_IDLE_SECONDS` (a network that dropped it without a word: a NAT or firewall
timeout, a server on another machine that lost power). A failed ping is a disconnect: the pool
throws the connection away and opens a new one, as it did with ``pool_pre_ping``.
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

#: a connection back in the pool for less than this is handed out without a round trip
TRUSTED_IDLE_SECONDS = 5.0
_IDLE_SINCE = "desk_idle_since"


def ping_when_in_doubt(engine: Engine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_conn: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None:
            return  # just opened
        if time.monotonic() - since < TRUSTED_IDLE_SECONDS and not _has_unread(dbapi_conn):
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_conn, None):
                raise exc.DisconnectionError(str(error)) from error
            raise


def _has_unread(dbapi_conn: Any) -> bool:
    """Whether the server sent something (or closed) while nobody was asking: only a dead or dying
    connection does. A poll of the socket, no round trip."""
    try:
        readable, _, _ = select.select([dbapi_conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # no usable socket: let the ping find out
    return bool(readable)
