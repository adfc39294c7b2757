"""`make bench-api`: the API under a front-desk mix, on a chain-sized PostgreSQL 15 data set.

* builds the data set in a throwaway PostgreSQL 15 (tests/support/postgres.py): the demo salon,
  then ``BENCH_CUSTOMERS`` customers (default 100,000) with 1.5 cards each and their ledger,
  made by the database itself (``INSERT … SELECT generate_series``), not through the API;
* counts SQL statements per request for the wallet, a redemption and a completed sale, at a
  LiveServer in this process (the same counter as tests/api/test_statements_per_request.py);
* runs ``desk-tui serve --workers 2`` and ``BENCH_CLIENTS`` receptionists (default 50), each
  repeating wallet → search → redeem → cart → complete with ``BENCH_PAUSE`` seconds between
  tasks (default 0: without pause), for ``BENCH_SECONDS`` (default 60);
* prints p50/p95/p99 per endpoint, requests per second, statements per request, and the
  liability report's time.

Not part of `make test`: it takes minutes and the figures depend on the machine and its load.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
import uuid
from collections import defaultdict

import httpx
from sqlalchemy import text

from desk_tui.server.serve import prepare
from tests.api.test_statements_per_request import counted
from tests.support.api_client import PINS
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster
from tests.support.served import ServedAPI

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "0"))
# plain letters: the search terms are written by SQL here, not by the server's own normaliser
FIRST = ["Anna", "Eszter", "Reka", "Zsofia", "Katalin", "Julia", "Petra", "Dora", "Nora", "Lilla"]
LAST = ["Kovacs", "Toth", "Szabo", "Horvath", "Varga", "Kiss", "Molnar", "Nemeth", "Farkas", "Balogh"]

DATA = """
INSERT INTO customers (id, name, sort_name, phone, email, store_credit, created_at)
SELECT 'cus_b' || g, f.n || ' ' || l.n || ' ' || g, lower(l.n || ' ' || f.n || ' ' || g), '+3630' || lpad(g::text, 7, '0'),
       NULL, 0, now()
FROM generate_series(1, :customers) AS g
JOIN (SELECT n, row_number() OVER () - 1 AS i FROM unnest(CAST(:first AS text[])) AS n) f ON f.i = g % 10
JOIN (SELECT n, row_number() OVER () - 1 AS i FROM unnest(CAST(:last AS text[])) AS n) l ON l.i = (g / 10) % 10;
INSERT INTO customer_search_terms (customer_id, term)
SELECT id, t FROM customers, unnest(string_to_array(lower(name), ' ')) AS t WHERE id LIKE 'cus_b%' ON CONFLICT DO NOTHING;
INSERT INTO cards (id, package_id, package_name, unit_type, customer_id, issued_at, issued_by, issued_location_id,
                   expires_on, price_paid, status, last_seq)
SELECT 'crd_b' || g, 'pkg_demo_5x_manicure', '5x Manicure', 'sessions', 'cus_b' || (1 + g % :customers), now(),
       'stf_manager', 'loc_downtown', CURRENT_DATE + 365, 36000, 'active', 1
FROM generate_series(1, :cards) AS g;
INSERT INTO card_entitlements (id, card_id, position, weight)
SELECT 'ent_b' || g, 'crd_b' || g, 0, 36000 FROM generate_series(1, :cards) AS g;
INSERT INTO card_entitlement_services (card_entitlement_id, service_id, unit_cost)
SELECT 'ent_b' || g, 'svc_manicure', 1 FROM generate_series(1, :cards) AS g;
INSERT INTO card_transactions (id, card_id, seq, at, kind, entitlement_id, units, initial_delta, adjust_delta,
                               used_delta, booked_delta, customer_id, staff_id, location_id, amount)
SELECT 'ctx_b' || g, 'crd_b' || g, 1, now(), 'issue', 'ent_b' || g, 1000, 1000, 0, 0, 0,
       'cus_b' || (1 + g % :customers), 'stf_manager', 'loc_downtown', 36000
FROM generate_series(1, :cards) AS g;
ANALYZE
"""


def build(url: str) -> float:
    started = time.perf_counter()
    db = prepare(url, demo=True)
    with db.engine.begin() as conn:
        for statement in filter(str.strip, DATA.split(";")):
            conn.execute(text(statement), {"customers": CUSTOMERS, "cards": CUSTOMERS * 3 // 2,
                                           "first": FIRST, "last": LAST})
    db.dispose()
    return time.perf_counter() - started


def sign_in(base: str, username: str = "reception") -> httpx.Client:
    r = httpx.post(f"{base}/v1/auth/login", json={"username": username, "pin": PINS[username]}, timeout=30)
    r.raise_for_status()
    return httpx.Client(base_url=base + "/v1", timeout=30, headers={"Authorization": f"Bearer {r.json()['token']}"})


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def statements(url: str) -> dict[str, int]:
    with LiveServer(url, demo=False) as api, sign_in(api.url) as c:
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
        return counts


def desk(c: httpx.Client, until: float, timings: dict[str, list[float]], errors: dict[str, int]) -> None:
    rnd = random.Random()
    with c:
        def timed(name: str, call):
            started = time.perf_counter()
            r = call()
            timings[name].append(time.perf_counter() - started)
            if r.status_code >= 400:
                errors[f"{name} {r.status_code}"] += 1
            return r

        while time.monotonic() < until:
            n = rnd.randint(1, CUSTOMERS)
            timed("wallet", lambda: c.get(f"/customers/cus_b{n}/wallet"))
            timed("search", lambda: c.get("/customers", params={"q": f"{rnd.choice(FIRST)} {rnd.choice(LAST)[:2]}"}))
            card = rnd.randint(1, CUSTOMERS * 3 // 2)
            timed("redeem", lambda: c.post(f"/cards/crd_b{card}/redemptions", json={"service_id": "svc_manicure"},
                                           headers=key()))
            sale = timed("open cart", lambda: c.post("/sales", json={"customer_id": f"cus_b{n}"}, headers=key()))
            if sale.status_code == 201:
                sid = sale.json()["id"]
                line = timed("add line", lambda: c.post(f"/sales/{sid}/lines", json={"product_id": "prd_gift_box"},
                                                        headers=key()))
                if line.status_code == 201:
                    total = line.json()["total"]
                    timed("complete", lambda: c.post(f"/sales/{sid}/complete",
                                                     json={"payments": [{"method": "cash", "amount": total}]},
                                                     headers=key()))
            if PAUSE:
                threading.Event().wait(rnd.uniform(0, 2 * PAUSE))  # a receptionist's pause between tasks


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    cluster = PostgresCluster().start()
    try:
        url = cluster.create_database()
        print(f"data set: {CUSTOMERS:,} customers, {CUSTOMERS * 3 // 2:,} cards, built in {build(url):.1f} s", flush=True)
        print("statements per request:", statements(url), flush=True)
        with ServedAPI(url, workers=2, demo=False) as served:
            with sign_in(served.url, "manager") as m:
                started = time.perf_counter()
                m.get("/reports/liability", timeout=120).raise_for_status()
                print(f"liability report: {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            timings: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            desks = [sign_in(served.url) for _ in range(CLIENTS)]  # before the clock starts: argon2 is slow
            until = time.monotonic() + SECONDS
            threads = [threading.Thread(target=desk, args=(c, until, timings, errors)) for c in desks]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        total = sum(len(v) for v in timings.values())
        print(f"\n{CLIENTS} receptionists, pause {PAUSE} s, 2 workers, {SECONDS:.0f} s: {total / SECONDS:.1f} req/s")
        print(f"{'endpoint':<12}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
        for name, values in timings.items():
            print(f"{name:<12}{len(values):>8}{pct(values, 50):>10.1f}{pct(values, 95):>10.1f}{pct(values, 99):>10.1f}")
        if errors:
            print("errors:", dict(errors))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
