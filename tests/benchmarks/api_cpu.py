"""`make bench-api-cpu`: the API server's CPU time per request, per endpoint of the desk's mix.

Latency on this shared two-core machine says more about the other sessions' test runs than about
the server; the CPU time a process spends moves far less with the load beside it. Less, though
not nothing: the same code measured 10.2 ms per wallet at load 13 and 8.6 ms at load 6 (shared
caches and cores), so compare source trees in one run, where they are interleaved. So:

* builds `make bench-api`'s chain in a throwaway PostgreSQL 15 (``BENCH_CUSTOMERS``, default
  20,000 here: the fixed work per request hardly depends on it), with api_load.py's own build;
* starts ``desk-tui serve`` (one worker) for each source tree to compare — this checkout, and any
  ``--against DIR`` (another checkout's root: its ``src`` goes first on the server's PYTHONPATH,
  e.g. a worktree of main) — all on the one database;
* for each endpoint of the mix (calendar day, name search, wallet, redeem, book, open cart, add
  line, complete) sends ``--requests`` requests one after another from one client and reads the
  server process's CPU time (user + system, psutil) before and after, and PostgreSQL's (summed
  over the postmaster's processes); one warm-up round per server, then ``--rounds`` rounds, the
  servers taking turns endpoint by endpoint (in an order rotated each round), so a busier minute
  weighs on each alike;
* prints a table: server CPU ms per request and PostgreSQL's, per endpoint and for the mix (each
  endpoint once), the median of the rounds, per server; then each server's least and most of the
  rounds, and this checkout's medians against each other server's in per cent.

``--only ENDPOINT`` (repeatable) measures only those endpoints (with what they need: "add line"
opens carts, "complete" also adds their line), so an A/B of one endpoint takes a minute;
``--query TEXT`` makes every search that text instead of a random "⟨first name⟩ ⟨two letters⟩".

``--profile ENDPOINT`` (repeatable) then runs ``py-spy record`` (the dev extra; ``--gil``: only the
thread holding the interpreter lock, i.e. Python's CPU) on this checkout's server for three
rounds' worth of that endpoint's requests, writes a speedscope file to a temporary directory
(open it at https://www.speedscope.app) and prints the functions holding the most samples and the
samples by layer of the server (tests/benchmarks/cpu_layers.py).

Not part of `make test`: it takes minutes (two servers, five rounds: about ten on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psutil

from tests.benchmarks.api_load import build, sign_in
from tests.benchmarks.cpu_layers import by_layer, samples
from tests.benchmarks.cpu_split import postmaster, tree_cpu
from tests.support.bulk_chain import FIRST, LAST, STAFF
from tests.support.postgres import PostgresCluster
from tests.support.served import ServedAPI, checkout_env

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
ENDPOINTS = ("calendar", "search", "wallet", "redeem", "book", "open cart", "add line", "complete")
#: what an endpoint's requests need made first in the round: the carts they add to and complete
NEEDS = {"add line": ("open cart",), "complete": ("open cart", "add line")}


@dataclass
class Desk:
    """One server under test and the client that talks to it, with what the writes need next."""

    name: str
    #: its place among the servers compared: it books stylists' days none of the others book
    index: int
    served: ServedAPI
    client: httpx.Client
    rnd: random.Random
    #: open carts of this round: (sale id, total after the line)
    carts: list[list[object]] = field(default_factory=list)
    booked: int = 0
    redeemed: int = 0

    def pid(self) -> int:
        assert self.served.proc is not None
        return self.served.proc.pid


def requests(desk: Desk, customers: int, days: list[str], query: str | None = None
             ) -> dict[str, Callable[[int], tuple[httpx.Response, int]]]:
    """Per endpoint, its i-th request of a round and the status it should get."""
    c, rnd = desk.client, desk.rnd

    def key() -> dict[str, str]:
        return {"Idempotency-Key": uuid.uuid4().hex}

    def calendar(i: int) -> tuple[httpx.Response, int]:
        return c.get("/appointments", params={"date": days[i % len(days)]}), 200

    def search(i: int) -> tuple[httpx.Response, int]:
        return c.get("/customers", params={"q": query or f"{rnd.choice(FIRST)} {rnd.choice(LAST)[:2]}"}), 200

    def wallet(i: int) -> tuple[httpx.Response, int]:
        return c.get(f"/customers/cus_b{rnd.randint(1, customers)}/wallet"), 200

    def redeem(i: int) -> tuple[httpx.Response, int]:
        desk.redeemed += 1  # a card of its own each time: 1,000 units each, never used up
        card = 1 + (desk.redeemed * 7919) % (customers * 3 // 2)
        return c.post(f"/cards/crd_b{card}/redemptions", json={"service_id": "svc_manicure"}, headers=key()), 201

    def book(i: int) -> tuple[httpx.Response, int]:
        # A slot nobody holds: each (stylist, day, hour) once (a manicure takes 45 minutes), from a
        # month ahead; each server on days of its own (they share the database; a day holds 180).
        n = desk.booked
        desk.booked += 1
        day = date.today() + timedelta(days=30 + 40 * desk.index + n // (len(STAFF) * 9))
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(hours=(n // len(STAFF)) % 9)
        return c.post("/appointments", headers=key(), json={
            "customer_id": f"cus_b{rnd.randint(1, customers)}", "staff_id": STAFF[n % len(STAFF)],
            "start": start.isoformat(), "lines": [{"service_id": "svc_manicure"}]}), 201

    def open_cart(i: int) -> tuple[httpx.Response, int]:
        r = c.post("/sales", json={"customer_id": f"cus_b{rnd.randint(1, customers)}"}, headers=key())
        if r.status_code == 201:
            desk.carts.append([r.json()["id"], 0])
        return r, 201

    def add_line(i: int) -> tuple[httpx.Response, int]:
        cart = desk.carts[i]
        r = c.post(f"/sales/{cart[0]}/lines", json={"product_id": "prd_gift_box"}, headers=key())
        if r.status_code == 201:
            cart[1] = r.json()["total"]
        return r, 201

    def complete(i: int) -> tuple[httpx.Response, int]:
        sale, total = desk.carts[i]
        return c.post(f"/sales/{sale}/complete", json={"payments": [{"method": "cash", "amount": total}]},
                      headers=key()), 200

    return dict(zip(ENDPOINTS, (calendar, search, wallet, redeem, book, open_cart, add_line, complete), strict=True))


@dataclass
class Figures:
    #: server → endpoint → per round: (server CPU ms, PostgreSQL CPU ms) per request
    rounds: dict[str, dict[str, list[tuple[float, float]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    #: server → endpoint → what went wrong ("409 staff_double_booked" → count)
    failures: dict[str, dict[str, Counter[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counter)))


def chosen(only: list[str]) -> tuple[str, ...]:
    """The endpoints to measure, in the mix's order: ``only`` and what they need (all when empty)."""
    wanted = set(only) | {need for name in only for need in NEEDS.get(name, ())}
    return tuple(name for name in ENDPOINTS if not only or name in wanted)


def one_round(desks: list[Desk], pg: psutil.Process | None, n: int, customers: int, days: list[str], figures: Figures | None,
              turn: int = 0, endpoints: tuple[str, ...] = ENDPOINTS, query: str | None = None) -> None:
    """Each endpoint's ``n`` requests to each server in turn, the servers' order rotated by ``turn``:
    the servers compared are measured minutes apart at most, never a whole round apart."""
    order = desks[turn % len(desks):] + desks[:turn % len(desks)]
    calls = {desk.name: requests(desk, customers, days, query) for desk in order}
    for desk in order:
        desk.carts = []
    for name in endpoints:
        for desk in order:
            call = calls[desk.name][name]
            count = min(n, len(desk.carts)) if name in ("add line", "complete") else n
            server = psutil.Process(desk.pid())
            # each process of the tree, and what its reaped children used (a backend that ended)
            before, pg_before = tree_cpu(server), tree_cpu(pg)
            wrong: Counter[str] = Counter()
            for i in range(count):
                r, expected = call(i)
                if r.status_code != expected:
                    wrong[_refusal(r)] += 1
            after, pg_after = tree_cpu(server), tree_cpu(pg)
            if figures is not None and count:
                figures.rounds[desk.name][name].append(((after - before) * 1000 / count,
                                                        (pg_after - pg_before) * 1000 / count))
                figures.failures[desk.name][name].update(wrong)


def _refusal(r: httpx.Response) -> str:
    try:
        code = r.json().get("code")
    except ValueError:
        code = None
    return f"{r.status_code} {code}" if code else str(r.status_code)


def table(figures: Figures, names: list[str], n: int, rounds: int, endpoints: tuple[str, ...] = ENDPOINTS) -> None:
    print(f"\nCPU ms per request: median of {rounds} rounds of {n} sequential requests per endpoint, one client,"
          f" `serve` with one worker, {CUSTOMERS:,} customers")
    head = "".join(f"{name[:22]:>24}" for name in names)
    print(f"{'':<12}{head}")
    print(f"{'endpoint':<12}" + "".join(f"{'server':>12}{'postgres':>12}" for _ in names) + "  failures")
    mix: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for endpoint in endpoints:
        cells, wrong = [], []
        for name in names:
            per_round = figures.rounds[name][endpoint]
            s, p = (statistics.median(x[0] for x in per_round), statistics.median(x[1] for x in per_round))
            mix[name].append((s, p))
            cells.append(f"{s:>12.2f}{p:>12.2f}")
            wrong += [f"{name}: {k} ×{v}" for k, v in figures.failures[name][endpoint].items()]
        print(f"{endpoint:<12}" + "".join(cells) + "  " + ("; ".join(wrong) or "-"))
    print(f"{'mix':<12}" + "".join(f"{statistics.fmean(s for s, _ in mix[name]):>12.2f}"
                                   f"{statistics.fmean(p for _, p in mix[name]):>12.2f}" for name in names))
    print("\nthe server's CPU over the rounds, least – most (ms): another process sharing a core only ever adds")
    for endpoint in endpoints:
        print(f"{endpoint:<12}" + "".join(
            f"{min(x[0] for x in figures.rounds[name][endpoint]):>11.2f}–"
            f"{max(x[0] for x in figures.rounds[name][endpoint]):<11.2f}" for name in names))
    for other in names[1:]:
        print(f"\n{names[0]} against {other}, the server's CPU (medians): "
              + ", ".join(f"{endpoint} {100 * (a[0] / b[0] - 1):+.0f} %"
                          for endpoint, a, b in zip(endpoints, mix[names[0]], mix[other], strict=True))
              + f"; mix {100 * (statistics.fmean(x for x, _ in mix[names[0]]) / statistics.fmean(x for x, _ in mix[other]) - 1):+.0f} %")


def profile(desk: Desk, endpoint: str, n: int, customers: int, days: list[str], gil: bool,
            query: str | None = None) -> None:
    """py-spy on the server while it answers ``3 × n`` of ``endpoint`` (the carts they need are
    opened, and given their line, before py-spy starts)."""
    out = Path(tempfile.mkdtemp(prefix="desk-cpu-profile.")) / f"{endpoint.replace(' ', '-')}.speedscope.json"
    cmd = [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(desk.pid()), "--rate", "250",
           "--format", "speedscope", "--output", str(out), "--nonblocking", *(["--gil"] if gil else [])]
    calls = requests(desk, customers, days, query)
    desk.carts = []
    if endpoint in ("add line", "complete"):
        for i in range(3 * n):
            calls["open cart"](i)
    if endpoint == "complete":
        for i in range(len(desk.carts)):
            calls["add line"](i)
    count = len(desk.carts) if endpoint in ("add line", "complete") else 3 * n
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for i in range(count):
            calls[endpoint](i)
    finally:
        spy.send_signal(signal.SIGINT)
        _, err = spy.communicate(timeout=120)
    if not out.exists():
        raise RuntimeError(f"py-spy wrote no profile: {err.decode()[-1000:]}")
    summarise(out, endpoint)


def summarise(path: Path, endpoint: str, top: int = 30) -> None:
    """The functions in most samples (inclusive) and the most samples' own (self), from a speedscope file."""
    doc = json.loads(path.read_text())
    frames = doc["shared"]["frames"]
    inclusive: Counter[int] = Counter()
    own: Counter[int] = Counter()
    total = 0.0
    for stack, weight in samples(doc):
        total += weight
        own[stack[-1]] += weight
        for f in set(stack):
            inclusive[f] += weight

    def label(i: int) -> str:
        f = frames[i]
        return f"{f['name']} ({Path(f.get('file', '?')).name}:{f.get('line', '?')})"

    print(f"\n{endpoint}: {path} ({total} samples)")
    print("  inclusive:")
    for i, w in inclusive.most_common(top):
        print(f"  {100 * w / total:5.1f} %  {label(i)}")
    print("  self:")
    for i, w in own.most_common(top):
        print(f"  {100 * w / total:5.1f} %  {label(i)}")
    layers, weight = by_layer(doc)
    print("  by layer (cpu_layers.py):")
    for name, w in layers.most_common():
        print(f"  {100 * w / weight:5.1f} %  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint per round")
    parser.add_argument("--against", action="append", default=[], metavar="DIR",
                        help="another checkout whose src/ to serve as well (repeatable)")
    parser.add_argument("--profile", choices=ENDPOINTS, action="append", default=[],
                        help="then py-spy on the first server for this endpoint (repeatable)")
    parser.add_argument("--gil", action="store_true", help="profile only the thread holding the GIL")
    parser.add_argument("--only", choices=ENDPOINTS, action="append", default=[],
                        help="measure only this endpoint, and what it needs (repeatable)")
    parser.add_argument("--query", help='every search types this (default: a random "⟨first⟩ ⟨la⟩")')
    args = parser.parse_args()
    endpoints = chosen(args.only)

    trees = [("this checkout", None)] + [(str(Path(d).resolve()), Path(d).resolve() / "src") for d in args.against]
    today = date.today()
    days = [(today + timedelta(days=d)).isoformat() for d in range(-3, 8)]  # the demo's appointments
    cluster = PostgresCluster().start()
    desks: list[Desk] = []
    try:
        url = cluster.create_database()
        started = time.perf_counter()
        build(url, CUSTOMERS)
        print(f"data set: {CUSTOMERS:,} customers, built in {time.perf_counter() - started:.1f} s", flush=True)
        pg = postmaster(cluster.dir / "data" if cluster.dir else None)  # None: TEST_DATABASE_URL's, not measured
        for i, (name, src) in enumerate(trees):
            served = ServedAPI(url, workers=1, demo=False, env=checkout_env(src)).start()
            c = httpx.Client(base_url=served.url + "/v1", timeout=120,
                             headers={"Authorization": f"Bearer {sign_in(served.url)}"})
            desks.append(Desk(name, i, served, c, random.Random(17 + i)))
        figures = Figures()
        for r in range(args.rounds + 1):
            one_round(desks, pg, args.requests, CUSTOMERS, days, figures if r else None, turn=r, endpoints=endpoints,
                      query=args.query)
            print(f"round {r}/{args.rounds} done" + (" (warm-up, not counted)" if not r else ""), flush=True)
        table(figures, [desk.name for desk in desks], args.requests, args.rounds, endpoints)
        for endpoint in args.profile:
            profile(desks[0], endpoint, args.requests, CUSTOMERS, days, args.gil, args.query)
    finally:
        for desk in desks:
            desk.client.close()
            desk.served.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
