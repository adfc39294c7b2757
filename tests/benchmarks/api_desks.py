"""The receptionists of `make bench-api`: a few processes of desk threads, each timing its requests.

The load runs in processes of its own, not in threads of the process that reports: fifty desk
threads in one Python process wait for each other's turn at the interpreter lock, and that wait
was counted as the server's time. Each process runs a share of the desks and hands back, per
endpoint, the seconds each answer took and what went wrong (a status code, a timeout, a dropped
connection) — a request that fails is counted, never the end of the run.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx

from tests.support.bulk_chain import FIRST, LAST, STAFF

TIMEOUT = 30.0


@dataclass
class Desks:
    """What one process is asked to do: ``tokens`` (one signed-in receptionist each) against ``url``."""

    url: str
    tokens: list[str]
    seconds: float
    pause: float
    customers: int
    #: the business days the calendar shows (the demo's month)
    days: list[str] = field(default_factory=list)


@dataclass
class Seen:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: endpoint → what went wrong → how often ("409", "ReadTimeout", …)
    failures: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def merge(self, other: Seen) -> None:
        for name, values in other.timings.items():
            self.timings[name] += values
        for name, kinds in other.failures.items():
            for kind, n in kinds.items():
                self.failures[name][kind] += n

    def plain(self) -> Seen:
        """Without the defaultdict factories, which cannot be pickled back to the reporting process."""
        return Seen(dict(self.timings), {k: dict(v) for k, v in self.failures.items()})


def _refusal(r: httpx.Response) -> str:
    """The status with the problem's stable code ("409 slot_taken"): which rule said no."""
    try:
        code = r.json().get("code") if r.headers.get("content-type", "").endswith("json") else None
    except ValueError:
        code = None
    return f"{r.status_code} {code}" if code else str(r.status_code)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _slot(rnd: random.Random) -> str:
    """A half-hour on a day a month to a year ahead: 20 staff × 366 days × 18 slots, so two desks
    rarely want the same one (when they do, the second is refused: counted as a 409)."""
    day = date.today() + timedelta(days=rnd.randint(30, 395))
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=30 * rnd.randint(0, 17))
    return start.isoformat()


def _desk(job: Desks, token: str, until: float, seen: Seen, lock: threading.Lock) -> None:
    rnd = random.Random()
    headers = {"Authorization": f"Bearer {token}"}
    # Each desk's first round is not counted: a worker's first requests fill its caches.
    counting = False
    with httpx.Client(base_url=job.url + "/v1", timeout=TIMEOUT, headers=headers) as c:
        def timed(name: str, call, ok: int = 200) -> httpx.Response | None:
            started = time.perf_counter()
            try:
                r = call()
            except httpx.HTTPError as e:
                with lock:
                    seen.failures[name][type(e).__name__] += 1
                return None
            took = time.perf_counter() - started
            if counting:
                with lock:
                    seen.timings[name].append(took)
                    if r.status_code != ok:
                        seen.failures[name][_refusal(r)] += 1
            return r if r.status_code == ok else None

        def between_tasks() -> None:
            if job.pause and counting:
                threading.Event().wait(rnd.uniform(0, 2 * job.pause))  # a receptionist's pause

        def cart(customer: str) -> None:
            sale = timed("open cart", lambda: c.post("/sales", json={"customer_id": customer}, headers=_key()), 201)
            if sale is None:
                return
            sid = sale.json()["id"]
            line = timed("add line", lambda: c.post(f"/sales/{sid}/lines", json={"product_id": "prd_gift_box"},
                                                    headers=_key()), 201)
            if line is not None:
                total = line.json()["total"]
                timed("complete", lambda: c.post(f"/sales/{sid}/complete",
                                                 json={"payments": [{"method": "cash", "amount": total}]},
                                                 headers=_key()))

        while time.monotonic() < until:
            n = rnd.randint(1, job.customers)
            customer = f"cus_b{n}"
            # Six tasks, a pause after each (issue 17's "5 s pause between tasks"): a look at the
            # day, a search, a wallet, a redemption, a booking, and a sale (open, add, complete).
            tasks = [
                lambda: timed("calendar", lambda: c.get("/appointments", params={"date": rnd.choice(job.days)})),
                lambda: timed("search", lambda: c.get("/customers",
                                                      params={"q": f"{rnd.choice(FIRST)} {rnd.choice(LAST)[:2]}"})),
                lambda: timed("wallet", lambda: c.get(f"/customers/{customer}/wallet")),
                # the customer's own card (crd_b<n>; the first half hold a second one too)
                lambda: timed("redeem", lambda: c.post(f"/cards/crd_b{n}/redemptions",
                                                       json={"service_id": "svc_manicure"}, headers=_key()), 201),
                lambda: timed("book", lambda: c.post("/appointments", headers=_key(), json={
                    "customer_id": customer, "staff_id": rnd.choice(STAFF), "start": _slot(rnd),
                    "lines": [{"service_id": "svc_manicure"}]}), 201),
                lambda: cart(customer),
            ]
            for task in tasks:
                task()
                between_tasks()
            counting = True


def run(job: Desks) -> Seen:
    """Runs ``job``'s desks, one thread each, for ``job.seconds``; in a process of its own."""
    seen, lock = Seen(), threading.Lock()
    until = time.monotonic() + job.seconds
    threads = [threading.Thread(target=_desk, args=(job, token, until, seen, lock)) for token in job.tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen.plain()
