"""`make bench`, exactly once under SIGKILL: many kill rounds on SQLite and on PostgreSQL with two
workers (the bounded one-round version runs in `make test`: tests/api/test_exactly_once.py)."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.crash import CrashReport, kill_and_verify
from tests.support.postgres import PostgresCluster


@dataclass
class CrashRun:
    engine: str
    report: CrashReport
    seconds: float


def run(rounds: int, writers: int = 5) -> list[CrashRun]:
    runs = []
    folder = Path(tempfile.mkdtemp(prefix="desk-crash.", dir="/tmp"))
    began = time.monotonic()
    report = kill_and_verify(f"sqlite:///{folder / 'crash.db'}", workers=1, rounds=rounds, writers=writers)
    runs.append(CrashRun("SQLite, 1 worker", report, time.monotonic() - began))
    cluster = PostgresCluster().start()
    try:
        began = time.monotonic()
        report = kill_and_verify(cluster.create_database(), workers=2, rounds=rounds, writers=writers)
        runs.append(CrashRun("PostgreSQL, 2 workers", report, time.monotonic() - began))
    finally:
        cluster.stop()
    return runs


def table(runs: list[CrashRun]) -> str:
    lines = [f"{'exactly once under SIGKILL':30} {'kills':>5} {'acked':>6} {'in flight':>9} {'keys':>6} "
             f"{'in ledger':>9} {'doubled':>7} {'lost':>5} {'time':>7}"]
    for r in runs:
        c = r.report
        lines.append(f"{r.engine:30} {c.rounds:>5} {c.acknowledged:>6} {c.in_flight:>9} {c.keys:>6} "
                     f"{c.applied:>9} {max(0, c.applied - c.keys):>7} {max(0, c.keys - c.applied):>5} "
                     f"{r.seconds:>6.0f}s")
    return "\n".join(lines)
