"""`make bench-api-floor`: what our stack costs before any of our code, under the desk mix's load.

Issue 17 asks for 225 answers a second of the desk mix on this 2-core machine, shared with
PostgreSQL and the load generator. This serves a request of the mix's size — ``FLOOR_STATEMENTS``
statements (default 9, about the mix's mean) in one transaction and a small JSON answer, nothing
else (tests/benchmarks/floor_app.py) — on each layer the server could be built on, from a plain
ASGI app on psycopg up to FastAPI with SQLAlchemy's ORM, and drives each with fifty desks
without pause as `make bench-api`'s phase B does: `uvicorn --workers 2` (httptools, uvloop),
``DESK_THREADS`` threads per worker, one HTTP/1.1 keep-alive connection per desk;
``FLOOR_ROUNDS`` rounds (default 3) of ``FLOOR_SECONDS`` (default 10, after a 1 s warm-up) per
layer, the layers in turns within a round so that a slower minute weighs on all of them. It
prints each layer's median answers a second and their range, its ratio to the first layer's
median (plain ASGI on psycopg, measured in the same run), the server's and PostgreSQL's CPU per
answer and the cores in use.
The gap between a layer and the desk mix's own capacity is what our code costs on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from tests.benchmarks.cpu_split import CpuSplit
from tests.benchmarks.desk_http import DeskConnection
from tests.benchmarks.floor_app import ROWS, RUNGS, STATEMENTS
from tests.support.ports import free_port
from tests.support.postgres import PostgresCluster

SECONDS = float(os.environ.get("FLOOR_SECONDS", "10"))
ROUNDS = int(os.environ.get("FLOOR_ROUNDS", "3"))
DESKS = 50
WARM_UP = 1.0


async def _desks(base: str, seconds: float) -> int:
    """Answers received from DESKS desks asking without pause for ``seconds``."""
    until = time.monotonic() + seconds
    answered = 0

    async def desk() -> None:
        nonlocal answered
        conn = DeskConnection(base, {})
        try:
            while time.monotonic() < until:
                answer = await conn.request("GET", "/v1/floor")
                if answer.status != 200:
                    raise RuntimeError(f"the floor app answered {answer.status}: {answer.body[:500]!r}")
                answered += 1
        finally:
            conn.close()

    await asyncio.gather(*(desk() for _ in range(DESKS)))
    return answered


def _fill(url: str) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE TABLE floor_rows (id int PRIMARY KEY, name text NOT NULL, note text NOT NULL, n int NOT NULL)")
        conn.execute(f"INSERT INTO floor_rows SELECT i, 'name ' || i, repeat('x', 40), i FROM generate_series(1, {ROWS}) i")
        conn.execute("CREATE TABLE floor_log (id bigserial PRIMARY KEY, row_id int NOT NULL, at timestamptz NOT NULL DEFAULT now())")
        conn.execute("VACUUM ANALYZE")


def _serve(url: str, rung: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "FLOOR_DB": url, "FLOOR_RUNG": rung}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "tests.benchmarks.floor_app:app", "--workers", "2",
                             "--port", str(port), "--http", "httptools", "--loop", "uvloop", "--no-access-log",
                             "--log-level", "warning"], env=env, cwd=Path(__file__).parents[2])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/v1/floor", timeout=10).raise_for_status()
            return proc, base
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"the floor app ({rung}) did not start") from None
            # The child has not bound its port yet; wait() returns at once if it exits instead.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.1)


def main() -> None:
    cluster = PostgresCluster().start()
    #: rung → one (answers a second, server ms, PostgreSQL ms, cores) per round
    measured: dict[str, list[tuple[float, float, float, float]]] = {rung: [] for rung in RUNGS}
    served: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        url = cluster.create_database()
        _fill(url)
        data = cluster.dir / "data" if cluster.dir else None
        for rung in RUNGS:  # all at once and idle until their turn: a round is then minutes, not one layer
            served[rung] = _serve(url, rung)
        for turn in range(ROUNDS):
            for rung, (proc, base) in served.items():
                asyncio.run(_desks(base, WARM_UP))
                split = CpuSplit(proc.pid, data)
                start = split.sample()
                answered = asyncio.run(_desks(base, SECONDS))
                end = split.sample()
                per = 1000 / max(1, answered)
                measured[rung].append((answered / SECONDS, (end.server - start.server) * per,
                                       (end.postgres - start.postgres) * per, (end.machine - start.machine) / (end.at - start.at)))
            print(f"round {turn + 1}/{ROUNDS} done", flush=True)
    finally:
        for proc, _ in served.values():
            proc.terminate()
        for proc, _ in served.values():
            proc.wait(30)
        cluster.stop()
    print(f"\n{STATEMENTS} statements per request (one an insert) and a commit; {DESKS} desks without pause, "
          f"2 workers; medians of {ROUNDS} rounds of {SECONDS:g} s per layer, the layers in turns")
    print(f"{'layer':<48}{'req/s':>7}{'range':>11}{'× floor':>9}{'server ms':>11}{'PG ms':>7}{'cores':>7}")
    floor = statistics.median(r[0] for r in measured[next(iter(RUNGS))]) if ROUNDS else 1.0
    for rung, rounds in measured.items():
        rate, server, pg, cores = (statistics.median(r[i] for r in rounds) for i in range(4))
        spread = f"{min(r[0] for r in rounds):.0f}–{max(r[0] for r in rounds):.0f}"
        print(f"{rung:<48}{rate:>7.0f}{spread:>11}{rate / floor:>9.2f}{server:>11.1f}{pg:>7.1f}{cores:>7.2f}")


if __name__ == "__main__":
    main()
