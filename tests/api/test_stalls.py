"""What made requests wait for no work of their own: the collector walking start-up's objects, and
threads waiting for a connection the pool did not have (Nagle: see test_loopback.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import anyio
import pytest

from desk_tui.server import heap
from desk_tui.server.app import request_threads
from desk_tui.server.database import Database


def test_a_worker_settles_its_heap_once_it_has_started(tmp_path):
    """`serve --workers N` builds each worker's app with app_from_env: start-up's objects are frozen
    out of the collector's sight and the thresholds raised before the first request."""
    probe = ("import gc; from desk_tui.server import serve, migrate; from desk_tui.server.database import Database; "
             "import os; migrate.upgrade(Database(os.environ['DESK_SERVER_DB']).engine); "
             "before = gc.get_freeze_count(); serve.app_from_env(); "
             "print(before, gc.get_freeze_count(), *gc.get_threshold())")
    env = {**os.environ, "DESK_SERVER_DB": f"sqlite:///{tmp_path}/heap.db", "DESK_SERVER_WORKERS": "1"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, frozen, *threshold = map(int, out.stdout.split())
    assert before == 0 and frozen > 10_000
    assert tuple(threshold) == (heap.YOUNG, heap.MIDDLE, heap.FULL)


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
