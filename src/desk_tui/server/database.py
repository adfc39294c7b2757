"""Engine, sessions and the declarative base shared by every domain's tables.

SQLite is the embedded default and PostgreSQL the shared engine of a chain. The one
difference services must care about is how a balance-changing transaction locks: on
PostgreSQL they ``SELECT … FOR NO KEY UPDATE`` the row (none changes a key, so an insert that
only refers to the row is not held up); on SQLite ``FOR UPDATE`` is a no-op, so a write
session starts with ``BEGIN IMMEDIATE`` and writers queue on the database lock instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Result,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, ExecutionContext
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, QueuePool
from sqlalchemy.types import TypeDecorator

from desk_tui.server.pool_health import ping_when_in_doubt
from desk_tui.server.request_scope import current_handover, current_unit, let_go_of_handed_over

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched: ``Session.execute`` is typed to return a plain
    Result, but for a DML statement it is a CursorResult, which counts them."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def new_id(prefix: str) -> str:
    """Opaque, URL-safe ids that say what they are when they turn up in a log."""
    return f"{prefix}_{secrets.token_hex(8)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def end_read(s: Session) -> None:
    """End a read session's transaction with COMMIT, not the ROLLBACK its close would send.

    psycopg forgets every statement it has prepared on a connection at a ROLLBACK (it cannot tell
    what the transaction undid), and the count towards preparing one: with every read request
    ending that way, no statement was ever prepared, and PostgreSQL parsed and planned each one
    on every request (a name search's rounds, unions of a dozen index reads: 1.5–2.5 ms of
    planning apiece). A read has nothing to undo; one that changed something (none should) still
    rolls it back, whether its changes are pending or were autoflushed by a later query."""
    if not (s.new or s.dirty or s.deleted or s.info.get(_FLUSHED)):
        s.commit()


#: set in a read session's info by its first flush: what it wrote must not be committed
_FLUSHED = "desk_read_flushed"


def _note_flush(s: Session, _context: object) -> None:
    s.info[_FLUSHED] = True


#: Connections kept back from our workers' pools for `desk-tui admin`, migrations and psql.
RESERVED_CONNECTIONS = 5
#: The most connections one worker uses: two cores cannot keep more than this busy.
WORKER_CONNECTIONS_MAX = 30
#: SQLite connections a server keeps open between requests: a salon's few desks at once.
SQLITE_KEPT = 8
#: How long a request waits for a pooled connection before it is answered 503 (the client
#: gives up at 10 s, so waiting longer only turns an overload into a timeout).
POOL_WAIT_SECONDS = 5


def make_engine(url: str, *, workers: int = 1) -> Engine:
    """``workers``: how many API processes share the database server; together their pools fit
    within its ``max_connections`` (``DESK_DB_CONNECTIONS`` sets the total for all of them when
    the server is shared with other applications)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # Connections are kept between requests: opening one (with its pragmas and the schema
            # read on first use) twice per request, the sign-in check's and the route's, was a
            # third of a signed-in GET's CPU on the embedded server (calendar day 14 → 8 ms,
            # wallet 13 → 8). Each checkout still has a connection of its own, so BEGIN IMMEDIATE
            # stays honest across threads; past SQLITE_KEPT at once, more are opened and closed.
            **({"poolclass": QueuePool, "pool_size": SQLITE_KEPT, "max_overflow": -1} if ":memory:" not in url else {}),
        )
        _configure_sqlite(engine)
    else:
        # Every connection of the worker's share is kept once opened: "overflow" connections were
        # opened and closed again under every burst, a new PostgreSQL backend each time. The
        # request thread pool is sized to match (app.py), so no thread waits for a connection.
        # LIFO: the connection used last is handed out next, so a quiet desk reuses one that is
        # known good (and not pinged, pool_health.py) instead of the one idle longest.
        engine = create_engine(url, pool_size=worker_connections(url, workers), max_overflow=0,
                               pool_timeout=POOL_WAIT_SECONDS, pool_use_lifo=True)
        ping_when_in_doubt(engine)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def worker_connections(url: str, workers: int) -> int:
    """One worker's share of the connections the database server allows. With four workers
    each pooling 30, PostgreSQL's default 100 ran out and sign-in floods got 500s."""
    total = os.environ.get("DESK_DB_CONNECTIONS")
    if total:
        usable = int(total)
    else:
        probe = create_engine(url, poolclass=NullPool)
        try:
            with probe.connect() as conn:
                limit = int(conn.exec_driver_sql("SHOW max_connections").scalar_one())
                kept = int(conn.exec_driver_sql("SHOW superuser_reserved_connections").scalar_one())
        finally:
            probe.dispose()
        usable = limit - kept - RESERVED_CONNECTIONS
    return max(1, min(WORKER_CONNECTIONS_MAX, usable // max(1, workers)))


def _refuse_nul(conn: Connection, cursor: DBAPICursor, statement: str, parameters: object,
                context: ExecutionContext | None, executemany: bool) -> None:
    """PostgreSQL cannot store U+0000 in text and fails the statement; refuse it as bad input
    in the one place every query passes, on both engines, so no field or query parameter
    anywhere can turn it into a 500."""
    if _has_nul(parameters):
        from desk_tui.contract.problems import ProblemCode
        from desk_tui.server.errors import DomainError

        raise DomainError(ProblemCode.VALIDATION_ERROR, "Text may not contain the NUL character (\\0).")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


#: the SQLite file holds PIN hashes and every customer's details: for its owner's eyes only
PRIVATE_FILE_MODE = 0o600


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory database or another engine."""
    if not url.startswith("sqlite"):
        return None
    name = make_url(url).database
    return Path(name) if name and name != ":memory:" and not name.startswith("file:") else None


def create_private_file(path: Path) -> None:
    """Create the (empty) database file readable by its owner alone, before SQLite opens it. SQLite
    gives its -wal and -shm files the database file's permissions, so they follow."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def _configure_sqlite(engine: Engine) -> None:
    path = sqlite_path(str(engine.url))

    @event.listens_for(engine, "do_connect")
    def _before_connect(dialect: Dialect, conn_rec: ConnectionPoolEntry, cargs: tuple[Any, ...],
                        cparams: dict[str, Any]) -> None:
        # sqlite3.connect would create a missing file with the umask's mode (0644: world-readable)
        if path is not None:
            create_private_file(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("desk_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """Owns the engine and hands out read and write sessions."""

    def __init__(self, url: str, *, workers: int = 1) -> None:
        self.url = url
        self.engine = make_engine(url, workers=workers)
        self.is_sqlite = url.startswith("sqlite")
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._read, "after_flush", _note_flush)
        self._write = sessionmaker(
            self.engine.execution_options(desk_write=True), expire_on_commit=False
        )

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading. Inside a request that has begun writing, it is the request's
        own session, so what the request wrote is what it reads back."""
        unit = current_unit()
        if unit is not None and unit.session is not None:
            yield unit.session
            return
        slot = current_handover()
        kept = slot.take() if slot is not None else None
        with kept or self._read() as s:
            yield s
            end_read(s)

    @contextmanager
    def sign_in_session(self) -> Iterator[Session]:
        """A read session for the request's sign-in check, handed on to the request's work when
        the check succeeds (:class:`~desk_tui.server.request_scope.HandedOver`), closed when it fails."""
        slot = current_handover()
        if slot is None or slot.session is not None:
            with self.read_session() as s:
                yield s
            return
        s = self._read()
        try:
            yield s
        except BaseException:
            s.close()
            raise
        slot.session = s

    def write_session(self) -> Session:
        return self._write()

    @contextmanager
    def own_transaction(self) -> Iterator[Session]:
        """A transaction of its own, committed when the block ends even inside a request: for what
        must stand whatever the request's answer (a wrong manager PIN counts although the request
        fails). Only before the request writes: on SQLite it would wait for the request's own lock."""
        unit = current_unit()
        if unit is not None and unit.session is not None:
            raise RuntimeError("own_transaction() after the request began writing would wait for itself")
        let_go_of_handed_over()  # one connection per request at a time
        with self._write() as s, s.begin():
            yield s

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        Inside an HTTP request the block is a savepoint of the request's one transaction
        instead (:class:`~desk_tui.server.request_scope.RequestUnit`): rolled back alone if it raises, committed with the rest
        once the request's answer is stored.
        """
        unit = current_unit()
        if unit is None:
            let_go_of_handed_over()  # a read request that writes: still one connection at a time
            with self._write() as s, s.begin():
                yield s
            return
        if unit.session is None:
            # On PostgreSQL a read and a write session differ in nothing but a flag only SQLite's
            # BEGIN reads, so the sign-in check's transaction becomes the request's. SQLite's
            # write transaction must begin IMMEDIATE, so there it begins afresh.
            kept = let_go_of_handed_over(keep=not self.is_sqlite)
            session = kept or self._write()
            try:
                if kept is None:
                    session.begin()
                if unit.on_begin is not None:
                    unit.on_begin(session)
            except BaseException:
                session.rollback()
                session.close()
                raise
            unit.session = session
        with unit.session.begin_nested():
            yield unit.session

    def dispose(self) -> None:
        self.engine.dispose()
