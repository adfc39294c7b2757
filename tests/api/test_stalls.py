"""What made requests wait for no work of their own: the collector walking start-up's objects,
routes built inside a worker's first request to them, threads waiting for a connection the pool did not have, and SQLite connections opened afresh for
every session (Nagle: see test_loopback.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import anyio
import pytest
from sqlalchemy import event

from desk_tui.server import heap
from desk_tui.server.app import request_threads
from desk_tui.server.database import SQLITE_KEPT, Database
from tests.support.api_client import login
from tests.support.live_server import LiveServer


def _fresh_worker(tmp_path, probe: str) -> list[int]:
    """Runs ``probe`` in a new process after ``app = serve.app_from_env()`` (what each worker of
    `serve --workers N` builds; ``before`` is gc's freeze count until then); returns its numbers."""
    code = ("import gc, os; from desk_tui.server import serve, migrate; from desk_tui.server.database import Database\n"
            "migrate.upgrade(Database(os.environ['DESK_SERVER_DB']).engine)\n"
            "before = gc.get_freeze_count(); app = serve.app_from_env()\n" + probe)
    env = {**os.environ, "DESK_SERVER_DB": f"sqlite:///{tmp_path}/worker.db", "DESK_SERVER_WORKERS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return list(map(int, out.stdout.split()))


def test_a_worker_settles_its_heap_once_it_has_started(tmp_path):
    """`serve --workers N` builds each worker's app with app_from_env: start-up's objects are frozen
    out of the collector's sight and the thresholds raised before the first request."""
    before, frozen, *threshold = _fresh_worker(tmp_path, "print(before, gc.get_freeze_count(), *gc.get_threshold())")
    assert before == 0 and frozen > 10_000
    assert tuple(threshold) == (heap.YOUNG, heap.MIDDLE, heap.FULL)


def test_a_worker_builds_every_route_before_its_first_request(tmp_path):
    """FastAPI builds an included router's routes (the pydantic fields of every parameter and
    model) when the first request reaches that router: a worker's first liability report took
    90–140 ms more than its second. app_from_env builds them all at start-up."""
    built, unbuilt = _fresh_worker(tmp_path, (
        "pending = list(app.router.routes); built = unbuilt = 0\n"
        "while pending:\n"
        "    r = pending.pop()\n"
        "    if 'effective_candidates' not in type(r).__dict__: continue\n"
        "    if r._effective_candidates_version is None: unbuilt += 1; continue\n"
        "    built += 1; pending.extend(r._effective_candidates)\n"
        "print(built, unbuilt)"))
    assert unbuilt == 0 and built >= 10


@pytest.mark.postgres
def test_each_worker_keeps_its_share_of_connections_and_as_many_threads(new_db_url, monkeypatch):
    monkeypatch.setenv("DESK_DB_CONNECTIONS", "24")
    db = Database(new_db_url("postgresql"), workers=2)
    try:
        pool = db.engine.pool
        assert pool.size() == 12 and pool._max_overflow == 0  # type: ignore[attr-defined]

        async def threads() -> int:
            return request_threads(db)

        assert anyio.run(threads) == 12
    finally:
        db.dispose()


def test_a_sqlite_server_keeps_its_connections_between_requests(new_db_url):
    """The embedded server's default: each signed-in request used to open two connections (the
    sign-in check's and the route's), each with its pragmas and a read of the schema."""
    with LiveServer(new_db_url("sqlite")) as server:
        server.database.engine.dispose()  # count from none open
        opened: list[object] = []
        event.listen(server.database.engine, "connect", lambda conn, record: opened.append(conn))
        with login(server.url, "reception") as desk:
            for _ in range(20):
                assert desk.get("/settings").status_code == 200
                assert desk.get("/customers", params={"q": "kov"}).status_code == 200
        assert 0 < len(opened) <= SQLITE_KEPT
