"""The request `make bench-api-floor` serves: ``FLOOR_STATEMENTS`` statements in one transaction
(that many less one primary-key reads of a 100,000-row table, then one insert, then the commit)
and a small JSON answer, on the layer ``FLOOR_RUNG`` names (tests/benchmarks/api_floor.py).
Nothing of desk-tui is in it but its thread count per worker: the cost of the stack alone."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import anyio
import psycopg
from fastapi import FastAPI, Response
from sqlalchemy import Select, bindparam, create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from desk_tui.server.desk_threads import DESK_THREADS

URL = os.environ.get("FLOOR_DB", "")
RUNG = os.environ.get("FLOOR_RUNG", "asgi, psycopg")
STATEMENTS = int(os.environ.get("FLOOR_STATEMENTS", "9"))
ROWS = 100_000
READ = "SELECT id, name, note, n FROM floor_rows WHERE id = %s"
WRITE = "INSERT INTO floor_log (row_id, at) VALUES (%s, now())"


class Base(DeclarativeBase):
    pass


class FloorRow(Base):
    __tablename__ = "floor_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    note: Mapped[str]
    n: Mapped[int]


class FloorLog(Base):
    __tablename__ = "floor_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int]


def _answer(rows: list[tuple[Any, ...]]) -> bytes:
    return json.dumps({"rows": [{"id": r[0], "name": r[1], "note": r[2], "n": r[3]} for r in rows]}).encode()


def _ids() -> list[int]:
    return [random.randint(1, ROWS) for _ in range(STATEMENTS - 1)]


_kept: queue.SimpleQueue[psycopg.Connection[Any]] = queue.SimpleQueue()


def on_psycopg() -> bytes:
    """psycopg alone: a kept connection, each statement prepared by the server."""
    try:
        conn = _kept.get_nowait()
    except queue.Empty:
        conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
    try:
        rows = _on_cursor(conn)
        conn.commit()
    finally:
        _kept.put(conn)
    return _answer(rows)


def _on_cursor(conn: Any) -> list[tuple[Any, ...]]:
    """The reads and the insert on the driver's own cursor, each statement prepared by the server."""
    with conn.cursor() as cur:
        rows = []
        for i in _ids():
            cur.execute(READ, (i,), prepare=True)
            rows.append(cur.fetchone())
        cur.execute(WRITE, (rows[0][0],), prepare=True)
    return rows


engine = create_engine(URL, pool_size=DESK_THREADS, max_overflow=0) if URL else None
_READ = select(FloorRow.id, FloorRow.name, FloorRow.note, FloorRow.n).where(FloorRow.id == bindparam("i"))
_WRITE = insert(FloorLog.__table__).values(row_id=bindparam("r"))


def on_session_cursor() -> bytes:
    """A SQLAlchemy Session's transaction, its statements on the driver's cursor."""
    with Session(engine) as s:
        rows = _on_cursor(s.connection().connection.driver_connection)
        s.commit()
    return _answer(rows)


def on_connection() -> bytes:
    """Core statements built once, executed on the Session's Connection."""
    with Session(engine) as s:
        conn = s.connection()
        rows = [tuple(conn.execute(_READ, {"i": i}).one()) for i in _ids()]
        conn.execute(_WRITE, {"r": rows[0][0]})
        s.commit()
    return _answer(rows)


_TABLE = FloorRow.__table__.c
_READ_TABLE = select(_TABLE.id, _TABLE.name, _TABLE.note, _TABLE.n).where(_TABLE.id == bindparam("i"))


def _by_session(read: Select[Any]) -> bytes:
    with Session(engine) as s:
        rows = [tuple(s.execute(read, {"i": i}).one()) for i in _ids()]
        s.execute(_WRITE, {"r": rows[0][0]})
        s.commit()
    return _answer(rows)


def on_session() -> bytes:
    """Core statements built once, executed by the Session."""
    return _by_session(_READ)


def on_session_table() -> bytes:
    """Core statements built once on the table's columns (no ORM entity in them), by the Session."""
    return _by_session(_READ_TABLE)


def on_session_built_each_time() -> bytes:
    """Core statements built for each execution (the cache key computed every time)."""
    with Session(engine) as s:
        rows = [tuple(s.execute(select(FloorRow.id, FloorRow.name, FloorRow.note, FloorRow.n)
                                .where(FloorRow.id == i)).one()) for i in _ids()]
        s.execute(insert(FloorLog.__table__).values(row_id=rows[0][0]))
        s.commit()
    return _answer(rows)


def on_orm() -> bytes:
    """ORM objects: ``Session.get`` for each read, ``Session.add`` for the insert."""
    with Session(engine) as s:
        found = [s.get(FloorRow, i) for i in _ids()]
        rows = [(r.id, r.name, r.note, r.n) for r in found if r is not None]
        s.add(FloorLog(row_id=rows[0][0]))
        s.commit()
    return _answer(rows)


#: rung → (framework, the work in a thread); api_floor.py serves them in this order
RUNGS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "asgi, psycopg": ("asgi", on_psycopg),
    "FastAPI, psycopg": ("fastapi", on_psycopg),
    "FastAPI, Session, the driver's cursor": ("fastapi", on_session_cursor),
    "FastAPI, Session's Connection, Core built once": ("fastapi", on_connection),
    "FastAPI, Session, Core on the table built once": ("fastapi", on_session_table),
    "FastAPI, Session, Core built once": ("fastapi", on_session),
    "FastAPI, Session, Core built each time": ("fastapi", on_session_built_each_time),
    "FastAPI, Session, ORM objects": ("fastapi", on_orm),
}
FRAMEWORK, WORK = RUNGS[RUNG]


def _plain() -> Callable[..., Awaitable[None]]:
    pool = ThreadPoolExecutor(DESK_THREADS)

    async def app(scope: dict[str, Any], receive: Callable[..., Awaitable[dict[str, Any]]],
                  send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = await asyncio.get_running_loop().run_in_executor(pool, WORK)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def _fastapi() -> FastAPI:
    @asynccontextmanager
    async def threads(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = DESK_THREADS
        yield

    api = FastAPI(lifespan=threads)

    @api.get("/v1/floor")
    def floor() -> Response:
        return Response(WORK(), media_type="application/json")

    return api


app = _fastapi() if FRAMEWORK == "fastapi" else _plain()
