"""`make bench-api`: the API under a front-desk mix on a chain-sized PostgreSQL 15, against issue 17's targets.

* builds the data set in a throwaway PostgreSQL 15 (tests/support/postgres.py): the demo salon,
  then ``BENCH_CUSTOMERS`` customers (default 100,000) with 1.5 cards each and their ledger, made
  by the database itself (tests/support/bulk_chain.py), not through the API;
* counts SQL statements per request for the wallet, a redemption and a completed sale, at a
  LiveServer in this process (the counter of tests/api/test_statements_per_request.py);
* times the liability report (its first run and a second) and checks its totals against a
  plain SQL sum of the ledger;
* runs ``desk-tui serve --workers 2`` and ``BENCH_CLIENTS`` receptionists (default 50), each
  repeating six tasks (the day's calendar, a name search, a wallet, a redemption, a booking, a
  sale: open cart → add → complete): phase A with a pause of 0–2×``BENCH_PAUSE`` seconds after
  each task (default 5, issue 17's receptionists), phase B without pause (capacity), each for
  ``BENCH_SECONDS`` (default 60). The desks are asyncio tasks in this process, each with an
  HTTP/1.1 keep-alive connection of its own (tests/benchmarks/api_desks.py, desk_http.py): the
  generator's CPU per request is printed, and must stay small beside the server's;
* prints the machine's speed during each phase (a fixed piece of Python's CPU milliseconds, read
  once a second by a process of its own, tests/benchmarks/machine_speed.py): this VM's speed
  moves by a half within seconds, and capacity moves with it;
* prints, for each phase, how the machine's cores were shared (server workers, PostgreSQL, the
  load generator, everything else: cores and CPU ms per request; tests/benchmarks/cpu_split.py);
* with ``BENCH_STOPWATCH=1`` (the default) serves phase A through tests/benchmarks/timed_server.py
  (the same application with a Server-Timing stopwatch) and prints where its slow answers spent
  their time, their statements' time taken apart (PostgreSQL's CPU, waits for a core, the rest)
  beside what PostgreSQL logged for their backend (its slow statements by its own clock, lock
  waits), and PostgreSQL's autovacuums and checkpoints during it (tests/benchmarks/tails.py).
  Phase B, which measures capacity, is always served by plain `desk-tui serve` (started afresh on
  the same database): the stopwatch's own work (cursor events, clock reads per statement) cost
  13–28 % more server CPU per answer and 7–15 % of the answers a second in turns (session 17);
* prints what took most of PostgreSQL's own time in each phase, per statement shape
  (pg_stat_statements, loaded in the bench's cluster only), and with ``BENCH_ANSWERS=PATH``
  writes every counted answer with its Server-Timing figures to PATH.A.jsonl and PATH.B.jsonl;
* ``BENCH_LARGE=1`` (`make bench-api-large`) adds a phase at ``BENCH_LARGE_CUSTOMERS`` (default
  1,000,000): name search p99 with one client and the liability report checked again;
* prints a table: figure · measured · target · ok/MISSED, then each phase per endpoint (n, p50,
  p95, p99, failures). A request that fails or times out is counted, never the end of the run.
  Beside phase A's p99s it prints the cores other work used meanwhile: its slow answers wait for
  a core (docs/performance.md, session 13), so on a busy machine they measure the machine.

Not part of `make test`: it takes minutes and the figures depend on the machine and its load.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
from sqlalchemy import text

from desk_tui.server.serve import prepare
from tests.benchmarks import pg_maintenance, tails
from tests.benchmarks.api_desks import Desks, Seen, Sent, run, settled_heap
from tests.benchmarks.cpu_split import CpuSplit, others
from tests.benchmarks.cpu_split import table as split_table
from tests.benchmarks.machine_speed import Gauge
from tests.support.api_client import PINS
from tests.support.bulk_chain import FIRST, LAST, fill
from tests.support.counted_statements import counted
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster
from tests.support.served import ServedAPI

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "5"))
STOPWATCH = os.environ.get("BENCH_STOPWATCH", "1") not in ("", "0")
#: what phase A is served from (`python -m MODULE serve`)
MODULE = "tests.benchmarks.timed_server" if STOPWATCH else "desk_tui"
#: BENCH_ANSWERS=PATH: each phase's answers written to PATH.A.jsonl / PATH.B.jsonl
ANSWERS = os.environ.get("BENCH_ANSWERS", "")
LARGE = os.environ.get("BENCH_LARGE", "") not in ("", "0")
LARGE_CUSTOMERS = int(os.environ.get("BENCH_LARGE_CUSTOMERS", "1000000"))
#: issue 17's targets: p99 ms per endpoint at 50 receptionists with a 5 s pause
P99 = {"wallet": 50, "redeem": 50, "search": 50, "book": 50, "complete": 50, "calendar": 80}
CAPACITY = 225
STATEMENTS = {"wallet": 6, "redeem": 12, "complete": 15}
LIABILITY_MS = 300
#: other work on the machine (cores) under which phase A's p99s still say something about the server
QUIET_CORES = 0.25
#: the load generator's CPU per request sent, so it leaves the cores to what it measures
GENERATOR_MS = 1.0

#: a plain sum of what live single-pool cards still owe, card by card (the bulk chain's cards have one pool)
OWED = """
SELECT count(*), coalesce(sum(units), 0), coalesce(sum(value), 0) FROM (
  SELECT greatest(l.left_ - l.booked, 0) + l.booked AS units,
         CASE WHEN l.initial > 0 AND l.left_ > 0 AND c.price_paid > 0
              THEN c.price_paid * least(l.left_, l.initial) / l.initial ELSE 0 END AS value
  FROM cards c JOIN (SELECT card_id, sum(initial_delta) AS initial, sum(booked_delta) AS booked,
                            sum(initial_delta) + sum(adjust_delta) - sum(used_delta) AS left_
                     FROM card_transactions GROUP BY card_id) l ON l.card_id = c.id
  WHERE c.status = 'active' AND (c.expires_on IS NULL OR c.expires_on >= CURRENT_DATE)
    AND c.package_id = 'pkg_demo_5x_manicure') owed WHERE units > 0
"""

rows: list[tuple[str, str, str, bool | None]] = []


def figure(name: str, measured: str, target: str = "", ok: bool | None = None) -> None:
    rows.append((name, measured, target, ok))
    print(f"  {name}: {measured}", flush=True)


def build(url: str, customers: int) -> str:
    """Fills the database at ``url``; says how long it took."""
    started = time.perf_counter()
    db = prepare(url, demo=True)
    with db.engine.begin() as conn:
        fill(conn, customers)
    filled = time.perf_counter()
    # A chain's database has been vacuumed before; one filled a minute ago has not, and PostgreSQL's
    # autovacuum then walks the fresh tables (150,000 cards and their ledger) during the phases,
    # and the first reads of each page set its hint bits (writes) inside measured requests.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    db.dispose()
    return f"{filled - started:.1f} s, then VACUUM ANALYZE {time.perf_counter() - filled:.1f} s"


def sign_in(base: str, username: str = "reception") -> str:
    r = httpx.post(f"{base}/v1/auth/login", json={"username": username, "pin": PINS[username]}, timeout=60)
    r.raise_for_status()
    return r.json()["token"]


def client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base + "/v1", timeout=120, headers={"Authorization": f"Bearer {token}"})


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def statements(url: str) -> None:
    with LiveServer(url, demo=False) as api, client(api.url, sign_in(api.url)) as c:
        counts = {}
        for name, call in (("wallet", lambda: c.get("/customers/cus_b7/wallet")),
                           ("redeem", lambda: c.post("/cards/crd_b7/redemptions", json={"service_id": "svc_manicure"},
                                                     headers=key()))):
            call()  # the first request of a process fills its caches
            with counted(api) as seen:
                call().raise_for_status()
            counts[name] = seen.count
        for warm in (True, False):
            sale = c.post("/sales", json={"customer_id": "cus_b7"}, headers=key()).json()
            sale = c.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_gift_box"}, headers=key()).json()
            with counted(api) as seen:
                c.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                       headers=key()).raise_for_status()
            if not warm:
                counts["complete"] = seen.count
    for name, limit in STATEMENTS.items():
        figure(f"statements per {name}", str(counts[name]), f"≤ {limit}", counts[name] <= limit)


def ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def liability(base: str, url: str, customers: int, *, target: bool) -> None:
    """The report's time (first run, then again) and its totals against a plain SQL sum."""
    with client(base, sign_in(base, "manager")) as m:
        answers: list[dict] = []

        def report() -> None:
            r = m.get("/reports/liability")
            r.raise_for_status()
            answers.append(r.json())

        first, again = ms(report), ms(report)
    db = prepare(url, demo=False)
    with db.engine.connect() as conn:
        cards, units, value = conn.execute(text(OWED)).one()
    db.dispose()
    line = next(x for x in answers[-1]["items"] if x["package_id"] == "pkg_demo_5x_manicure")
    right = (line["cards"], line["units_outstanding"], line["value_outstanding"]) == (cards, units, value)
    at = f"{customers:,} customers"
    figure(f"liability report at {at}", f"{first:.0f} ms (again {again:.0f})",
           f"≤ {LIABILITY_MS} ms" if target else "", first <= LIABILITY_MS if target else None)
    figure(f"liability report = plain SQL sum at {at}", f"{cards:,} cards, {value:,} owed" if right else
           f"report {line['cards']:,}/{line['value_outstanding']:,} vs SQL {cards:,}/{value:,}", "equal", right)


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000 if len(values) > 1 else 0.0


@dataclass
class Phase:
    title: str
    seen: Seen
    #: the CPU split, then (phase A, with the stopwatch) where the slow answers' time went
    notes: list[str] = field(default_factory=list)
    #: cores used meanwhile by everything but the server, PostgreSQL and the desks
    others: float = 0.0
    #: the machine's speed meanwhile
    speed: Gauge = field(default_factory=Gauge)


class Bench:
    """The cluster under the served API: the desks' phases, each measured for its CPU split."""

    def __init__(self, cluster: PostgresCluster) -> None:
        self.data = cluster.dir / "data" if cluster.dir else None
        self.pg_log = cluster.dir / "log" if cluster.dir else None
        self.admin_url = cluster.admin_url
        if self.pg_log:
            pg_maintenance.log_everything(cluster.admin_url)

    def phase(self, served: ServedAPI, title: str, tokens: list[str], pause: float, *, watched: bool) -> Phase:
        """``watched``: ``served`` runs the stopwatch, so the slow answers are taken apart."""
        assert served.proc is not None
        split = CpuSplit(served.proc.pid, self.data)
        today = date.today()
        days = [(today + timedelta(days=d)).isoformat() for d in range(-3, 8)]  # the demo's appointments
        if self.pg_log:
            pg_maintenance.statements_reset(self.admin_url)
        with Gauge() as gauge, settled_heap():
            start, started = split.sample(), time.monotonic()
            seen = run(Desks(served.url, tokens, SECONDS, pause, CUSTOMERS, days))
            end = split.sample()
        works = pg_maintenance.read(self.pg_log, start.at, end.at) if self.pg_log else []
        logged = pg_maintenance.per_backend(self.pg_log, start.at, end.at) if self.pg_log else []
        notes = split_table(start, end, seen.requests)
        notes.append(f"load generator: {seen.cpu * 1000 / max(1, seen.requests):.2f} ms CPU per request "
                     f"({seen.requests} sent, {seen.chunked} chunked answers)")
        notes.append(pg_maintenance.summary(works) if self.pg_log else "PostgreSQL's log: not this bench's cluster")
        if self.pg_log:
            notes += pg_maintenance.top_statements(self.admin_url)
        if ANSWERS:  # every counted answer with its Server-Timing figures, to look at afterwards
            with open(f"{ANSWERS}.{title[6]}.jsonl", "w") as out:
                out.writelines(json.dumps(dataclasses.asdict(s)) + "\n" for s in seen.sent)
        if watched:
            notes += tails.report(title.split(":")[0], seen.sent, {**dict.fromkeys(P99, 50.0), **P99}, started, works, logged)
        return Phase(title, seen, notes, others(start, end), gauge)


def phase_table(phase: Phase) -> None:
    seen = phase.seen
    total = sum(len(v) for v in seen.timings.values())
    print(f"\n{phase.title}: {total / SECONDS:.1f} req/s")
    print(f"{'endpoint':<12}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}  failures")
    for name in sorted(seen.timings.keys() | seen.failures.keys()):
        values = seen.timings.get(name, [])
        failed = ", ".join(f"{k} ×{n}" for k, n in sorted(seen.failures.get(name, {}).items())) or "-"
        print(f"{name:<12}{len(values):>8}{pct(values, 50):>10.1f}{pct(values, 95):>10.1f}{pct(values, 99):>10.1f}"
              f"  {failed}")
    print(f"answers a second, per 10 s of the phase: {' '.join(str(n) for n in per_window(seen.sent, 10.0))}")
    print()
    print("\n".join(phase.notes))


def per_window(sent: list[Sent], window: float) -> list[int]:
    """Counted answers a second in each ``window`` seconds from the first: whether a slow phase was
    slow throughout or stopped for a while (session 19 read one phase B at 198 req/s on 1.3 busy
    cores, where the others read 333–345 on 1.97)."""
    if not sent:
        return []
    first = min(s.at for s in sent)
    counts = [0] * int((max(s.at for s in sent) - first) // window)  # whole windows only: none in a shorter phase
    for s in sent:
        if (i := int((s.at - first) // window)) < len(counts):
            counts[i] += 1
    return [round(n / window) for n in counts]


def load(bench: Bench, url: str) -> list[Phase]:
    phases = []
    with ServedAPI(url, workers=2, demo=False, module=MODULE) as served:
        liability(served.url, url, CUSTOMERS, target=True)
        tokens = [sign_in(served.url) for _ in range(CLIENTS)]  # before the clock starts: argon2 is slow
        a = bench.phase(served, f"phase A: {CLIENTS} receptionists, {PAUSE:g} s pause, 2 workers, {SECONDS:.0f} s",
                        tokens, PAUSE, watched=STOPWATCH)
    phases.append(a)
    # Phase A's slow answers wait for a core above all (session 13): read beside other work, its p99s
    # say more about the machine than about the server.
    figure("other work on the machine during phase A", f"{a.others:.2f} cores", f"≤ {QUIET_CORES:g} cores",
           a.others <= QUIET_CORES)
    for name, target in P99.items():
        values = a.seen.timings.get(name, [])
        p99, failed = pct(values, 99), sum(a.seen.failures.get(name, {}).values())
        figure(f"{name} p99, {CLIENTS} desks, {PAUSE:g} s pause", f"{p99:.1f} ms" + (f" ({failed} failed)" if failed else ""),
               f"≤ {target} ms", p99 <= target and len(values) > 1)
    with ServedAPI(url, workers=2, demo=False) as served:  # the product alone: see the docstring
        b = bench.phase(served, f"phase B: {CLIENTS} receptionists, no pause, 2 workers, {SECONDS:.0f} s", tokens,
                        0.0, watched=False)
    phases.append(b)
    for phase in (a, b):
        figure(f"machine's reference work during {phase.title[:7]} (more: slower)", phase.speed.words())
    rate = sum(len(v) for v in b.seen.timings.values()) / SECONDS
    figure(f"capacity, {CLIENTS} desks without pause", f"{rate:.0f} req/s", f"≥ {CAPACITY} req/s", rate >= CAPACITY)
    for phase in (a, b):
        cost = phase.seen.cpu * 1000 / max(1, phase.seen.requests)
        figure(f"load generator CPU per request, {phase.title[:7]}", f"{cost:.2f} ms", f"≤ {GENERATOR_MS:g} ms",
               cost <= GENERATOR_MS)
    return phases


def large(cluster: PostgresCluster) -> None:
    url = cluster.create_database()
    print(f"large data set: {LARGE_CUSTOMERS:,} customers, built in {build(url, LARGE_CUSTOMERS)}", flush=True)
    with ServedAPI(url, workers=2, demo=False) as served:
        rnd = random.Random(17)
        with client(served.url, sign_in(served.url)) as c:
            def search() -> None:
                c.get("/customers", params={"q": f"{rnd.choice(FIRST)} {rnd.choice(LAST)[:2]}"}).raise_for_status()

            search()
            times = [ms(search) / 1000 for _ in range(200)]
        figure(f"name search p99 at {LARGE_CUSTOMERS:,}, one client", f"{pct(times, 99):.1f} ms", "≤ 50 ms",
               pct(times, 99) <= 50)
        liability(served.url, url, LARGE_CUSTOMERS, target=False)


def table() -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':>24}  {'target':>12}  ")
    for name, measured, target, ok in rows:
        verdict = "" if ok is None else "ok" if ok else "MISSED"
        print(f"{name:<{width}}  {measured:>24}  {target:>12}  {verdict}")


def main() -> None:
    cluster = PostgresCluster(options=pg_maintenance.OPTIONS).start()
    phases: list[Phase] = []
    try:
        url = cluster.create_database()
        print(f"data set: {CUSTOMERS:,} customers, {CUSTOMERS * 3 // 2:,} cards, built in {build(url, CUSTOMERS)}",
              flush=True)
        statements(url)
        phases = load(Bench(cluster), url)
        if LARGE:
            large(cluster)
    finally:
        cluster.stop()
        for phase in phases:
            phase_table(phase)
        table()


if __name__ == "__main__":
    main()
