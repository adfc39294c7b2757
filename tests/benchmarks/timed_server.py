"""`desk-tui serve --workers N` with a stopwatch on every request: for `make bench-api` only.

The same application each worker of `desk-tui serve` runs (``serve.app_from_env``), with an
outermost ASGI layer that answers each request with a ``Server-Timing`` header saying where the
worker spent its time, so the desks can tell a slow answer's causes apart:

* ``in``: the monotonic clock (ms) when the request reached the application; the desk knows when
  it sent it, on the same clock, so the difference is the wait before the app (the kernel,
  uvicorn's parser, an event loop or interpreter lock busy with other requests);
* ``app``: from there to the answer's first byte;
* ``sql`` and ``statements``: time inside the database driver's ``execute`` and how many;
* ``pool``: time getting a pooled connection;
* ``thread`` and ``hops``: time from handing work to the thread pool until a thread ran it
  (a free token, then the interpreter lock), and how many hand-offs;
* ``gc`` and ``fullgc``: garbage collections in this worker while the request was in it (a
  collection stops every thread of the process), all generations and generation 2;
  ``lastgcend``, ``lastgc``, ``lastgen`` and ``lastgccpu``: when the worker's last one ended,
  how long it took, its generation and its CPU time (one that stopped the worker before the
  request reached the app counts as that request's wait);
* ``sqlmax``: the longest single statement; ``pgpid``: the PostgreSQL backend that ran the
  request's last statement (to find it in PostgreSQL's log, tests/benchmarks/pg_maintenance.py);
* ``pgcpu``, ``pgrunq`` and ``runq``: the statements' wall time taken apart with Linux's
  schedstat (tests/benchmarks/schedstat.py): the backend's CPU, the backend's wait for a core,
  and the worker thread's wait for a core once the answer had arrived. What ``sql`` has beyond
  the three is the backend asleep (a lock, a disk read) or the worker thread waiting for the
  interpreter lock;
* ``twall``, ``tcpu`` and ``trunq``: the request's work in route threads (every hand-off), its
  wall time, the thread's CPU and its wait for a core: the rest of ``twall``, less the backend's
  ``pgcpu`` and ``pgrunq``, is the thread asleep for another reason than PostgreSQL working,
  mostly waiting for the interpreter lock while other threads of the worker hold it;
* ``background``: SQL run meanwhile by this worker outside any request (housekeeping);
* ``busy`` and ``threads``: requests already in this worker, and route threads in use, when it came.

Nothing of this is in the product: it listens to SQLAlchemy's cursor events, wraps the pool's
checkout and anyio's thread hand-off, and registers a ``gc`` callback, all in the bench's server
processes. ``python -m tests.benchmarks.timed_server serve --db URL --port N --workers N`` starts
it as `desk-tui serve` would (migrated database, one shared socket with TCP_NODELAY).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.supervisors import Multiprocess

from desk_tui.server.loopback import tcp_socket
from desk_tui.server.serve import WORKER_SETTINGS_ENV, app_from_env, prepare, uvicorn_options
from desk_tui.server.settings import load_server_settings
from tests.benchmarks import schedstat


class Tally:
    __slots__ = ("hops", "pgcpu", "pgpid", "pgrunq", "pool", "runq", "sql", "sqlmax", "statements", "tcpu", "thread",
                 "trunq", "twall")

    def __init__(self) -> None:
        self.sql = self.pool = self.thread = self.sqlmax = self.twall = 0.0
        self.pgcpu = self.pgrunq = self.runq = self.tcpu = self.trunq = 0  # ns
        self.statements = self.hops = self.pgpid = 0


class Worker:
    """This worker process's running totals (seconds)."""

    gc = 0.0
    full_gc = 0.0
    background_sql = 0.0
    gc_started = 0.0
    #: the last collection: when it ended (monotonic) and how long it took, so a desk can tell one
    #: that stopped the worker before its request reached the app
    last_gc_end = 0.0
    last_gc = 0.0
    last_generation = 0
    #: the last collection's CPU time (its thread's): far below its wall time, the worker lost its core
    last_gc_cpu = 0.0
    gc_cpu_started = 0.0


_tally: ContextVar[Tally | None] = ContextVar("bench_tally", default=None)


def _gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        Worker.gc_started, Worker.gc_cpu_started = time.perf_counter(), time.thread_time()
        return
    took = time.perf_counter() - Worker.gc_started
    Worker.last_gc_cpu = time.thread_time() - Worker.gc_cpu_started
    Worker.gc += took
    Worker.last_gc_end, Worker.last_gc, Worker.last_generation = time.monotonic(), took, info["generation"]
    if info["generation"] == 2:
        Worker.full_gc += took
    if _gc_log is not None:
        _gc_log.write(f"{info['generation']} {Worker.last_gc_cpu * 1000:.3f} {took * 1000:.3f}\n")


#: BENCH_GC_LOG: a file each worker appends "generation cpu-ms wall-ms" to, one line per collection
_gc_log = open(os.environ["BENCH_GC_LOG"], "a", buffering=1) if os.environ.get("BENCH_GC_LOG") else None  # noqa: SIM115


def _watch_engine(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        info = conn.info  # the pooled connection's: kept across checkouts
        if "bench_pgpid" not in info:
            info["bench_pgpid"] = getattr(getattr(conn.connection.dbapi_connection, "info", None), "backend_pid", 0)
        pid = info["bench_pgpid"]
        info["bench_sched"] = (schedstat.this_thread(), schedstat.process(pid) if pid else None)
        info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        took = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        tally = _tally.get()
        if tally is None:
            Worker.background_sql += took
            return
        tally.sql += took
        tally.sqlmax = max(tally.sqlmax, took)
        tally.statements += 1
        pid = tally.pgpid = conn.info["bench_pgpid"]
        own, backend = conn.info.pop("bench_sched", (None, None))
        if own and (now := schedstat.this_thread()):
            tally.runq += now[1] - own[1]
        if backend and (now := schedstat.process(pid)):
            tally.pgcpu += now[0] - backend[0]
            tally.pgrunq += now[1] - backend[1]

    pool: Any = engine.pool
    checkout = pool._do_get

    def timed_checkout() -> Any:
        started = time.perf_counter()
        try:
            return checkout()
        finally:
            if (tally := _tally.get()) is not None:
                tally.pool += time.perf_counter() - started

    pool._do_get = timed_checkout


def _watch_threads() -> None:
    """anyio's hand-off to a thread (what Starlette's run_in_threadpool calls), timed to the start
    of the work in the thread: waiting for a token of the limiter, then for the interpreter lock."""
    hand_off = anyio.to_thread.run_sync

    async def timed(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        tally = _tally.get()
        if tally is None:
            return await hand_off(func, *args, **kwargs)
        handed = time.perf_counter()

        def started(*a: Any) -> Any:
            began = time.perf_counter()
            tally.thread += began - handed
            tally.hops += 1
            # the thread's CPU from its own clock: schedstat's figure for a running thread lags a tick
            before, cpu = schedstat.this_thread(), time.thread_time_ns()
            try:
                return func(*a)
            finally:
                tally.twall += time.perf_counter() - began
                tally.tcpu += time.thread_time_ns() - cpu
                if before and (after := schedstat.this_thread()):
                    tally.trunq += after[1] - before[1]

        return await hand_off(started, *args, **kwargs)

    anyio.to_thread.run_sync = timed  # type: ignore[assignment]


class Stopwatch:
    """Outermost ASGI layer: a ``Server-Timing`` header on every HTTP answer (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.busy = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = time.monotonic()
        tally = Tally()
        token = _tally.set(tally)
        gc0, full0, background0 = Worker.gc, Worker.full_gc, Worker.background_sql
        busy, threads = self.busy, anyio.to_thread.current_default_thread_limiter().borrowed_tokens
        self.busy += 1

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                figures = {
                    "in": entry * 1000, "app": (time.monotonic() - entry) * 1000, "sql": tally.sql * 1000,
                    "statements": tally.statements, "pool": tally.pool * 1000, "thread": tally.thread * 1000,
                    "hops": tally.hops, "sqlmax": tally.sqlmax * 1000, "pgpid": tally.pgpid,
                    "pgcpu": tally.pgcpu / 1e6, "pgrunq": tally.pgrunq / 1e6, "runq": tally.runq / 1e6,
                    "twall": tally.twall * 1000, "tcpu": tally.tcpu / 1e6, "trunq": tally.trunq / 1e6, "gc": (Worker.gc - gc0) * 1000, "fullgc": (Worker.full_gc - full0) * 1000,
                    "background": (Worker.background_sql - background0) * 1000, "busy": busy, "threads": threads,
                    "lastgcend": Worker.last_gc_end * 1000, "lastgc": Worker.last_gc * 1000,
                    "lastgen": Worker.last_generation, "lastgccpu": Worker.last_gc_cpu * 1000,
                }
                value = ", ".join(f"{k};dur={v:.3f}" for k, v in figures.items())
                message["headers"] = [*message.get("headers", []), (b"server-timing", value.encode())]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.busy -= 1
            _tally.reset(token)


def app() -> Stopwatch:
    """uvicorn --factory entry of each worker: `serve`'s application, watched."""
    inner: FastAPI = app_from_env()
    _watch_engine(inner.state.db.engine)
    _watch_threads()
    gc.callbacks.append(_gc)
    if switch := os.environ.get("BENCH_SWITCH_INTERVAL"):  # another interpreter-lock hand-over than 5 ms, to compare
        sys.setswitchinterval(float(switch))
    if young := os.environ.get("BENCH_GC_YOUNG"):  # another young threshold than heap.py's, to compare
        gc.set_threshold(int(young), *gc.get_threshold()[1:])
    return Stopwatch(inner)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.timed_server")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--demo", action="store_true", default=None)
    args = parser.parse_args()
    settings = load_server_settings(db_url=args.db, port=args.port, workers=args.workers, demo=args.demo)
    prepare(settings.db_url, demo=settings.demo).dispose()
    # As serve.run does for several workers: the settings handed down, our socket (TCP_NODELAY).
    os.environ[WORKER_SETTINGS_ENV] = settings.handed_down()
    config = uvicorn.Config(f"{__spec__.name}:app", factory=True, host=settings.host, port=settings.port,
                            workers=settings.workers, **uvicorn_options(settings))
    Multiprocess(config, sockets=[tcp_socket(settings.host, settings.port, reuse=True)]).run()


if __name__ == "__main__":
    main()
