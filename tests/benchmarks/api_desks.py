"""The receptionists of `make bench-api`: one asyncio task per desk, all in one process.

Until session 11 the desks were threads in five processes, each with an httpx client: they took
≈ 7 ms of CPU per request (0.42 of the two cores at 63 req/s) and their threads queued for the
interpreter lock inside the measured time. Now each desk is a task on one event loop (uvloop when
installed) speaking HTTP/1.1 keep-alive through tests/benchmarks/desk_http.py, and the process
reports what it cost (its CPU time over the phase, per request sent).

Each answer's time is kept per endpoint with what went wrong (a status and the problem's stable
code, a timeout, a dropped connection): a request that fails is counted, never the end of the
run. With the bench's stopwatch on the server (tests/benchmarks/timed_server.py) every answer
also carries where the server spent its time, kept beside the desk's own figure.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

try:
    import uvloop
except ImportError:  # Windows: asyncio's own loop
    uvloop = None

from tests.benchmarks.desk_http import Answer, DeskConnection, ProtocolError
from tests.support.bulk_chain import FIRST, LAST, STAFF

TIMEOUT = 30.0


@dataclass
class Desks:
    """What the desks are asked to do: ``tokens`` (one signed-in receptionist each) against ``url``."""

    url: str
    tokens: list[str]
    seconds: float
    pause: float
    customers: int
    #: the business days the calendar shows (the demo's month)
    days: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sent:
    """One counted request: when it was sent (``time.monotonic``, the clock every process on the
    machine shares), how long its answer took, and the server's Server-Timing figures if any."""

    endpoint: str
    at: float
    took: float
    server: dict[str, float] | None


@dataclass
class Seen:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: endpoint → what went wrong → how often ("409 slot_taken", "timeout", …)
    failures: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    sent: list[Sent] = field(default_factory=list)
    #: every request sent, each desk's first round included (what the generator's CPU is divided by)
    requests: int = 0
    #: the generator's CPU seconds (user + system) over the phase
    cpu: float = 0.0
    #: answers that came with Transfer-Encoding: chunked
    chunked: int = 0


def _refusal(r: Answer) -> str:
    """The status with the problem's stable code ("409 slot_taken"): which rule said no."""
    try:
        code = r.json().get("code") if r.headers.get("content-type", "").endswith("json") else None
    except ValueError:
        code = None
    return f"{r.status} {code}" if code else str(r.status)


def _failure(e: BaseException) -> str:
    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, asyncio.IncompleteReadError | ConnectionResetError | BrokenPipeError):
        return "dropped connection"
    return type(e).__name__


def server_timing(value: str | None) -> dict[str, float] | None:
    """``app;dur=12.5, sql;dur=3.1`` → {"app": 12.5, "sql": 3.1}."""
    if not value:
        return None
    figures = {}
    for part in value.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            figures[name] = float(rest)
    return figures


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _slot(rnd: random.Random) -> str:
    """A half-hour on a day a month to a year ahead: 20 staff × 366 days × 18 slots, so two desks
    rarely want the same one (when they do, the second is refused: counted as a 409)."""
    day = date.today() + timedelta(days=rnd.randint(30, 395))
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=30 * rnd.randint(0, 17))
    return start.isoformat()


class WarmUp:
    """Every desk's first round done: until then the server is flooded by fifty desks at once."""

    def __init__(self, desks: int) -> None:
        self.left = desks
        self.done = asyncio.Event()

    def finished_one(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.done.set()


async def _desk(job: Desks, token: str, until: float, seen: Seen, warm_up: WarmUp) -> None:
    rnd = random.Random()
    c = DeskConnection(job.url, {"Authorization": f"Bearer {token}"})
    # Each desk's first round is not counted: a worker's first requests fill its caches.
    counting = False

    async def timed(name: str, call: Callable[[], Awaitable[Answer]], ok: int = 200) -> Answer | None:
        seen.requests += 1
        started = time.monotonic()
        try:
            async with asyncio.timeout(TIMEOUT):
                r = await call()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError,
                ValueError) as e:
            seen.failures[name][_failure(e)] += 1
            return None
        took = time.monotonic() - started
        if counting:
            seen.timings[name].append(took)
            seen.sent.append(Sent(name, started, took, server_timing(r.headers.get("server-timing"))))
            if r.status != ok:
                seen.failures[name][_refusal(r)] += 1
        return r if r.status == ok else None

    async def cart(customer: str) -> None:
        sale = await timed("open cart", lambda: c.request("POST", "/v1/sales", body={"customer_id": customer},
                                                          headers=_key()), 201)
        if sale is None:
            return
        sid = sale.json()["id"]
        line = await timed("add line", lambda: c.request("POST", f"/v1/sales/{sid}/lines",
                                                         body={"product_id": "prd_gift_box"}, headers=_key()), 201)
        if line is not None:
            total = line.json()["total"]
            await timed("complete", lambda: c.request("POST", f"/v1/sales/{sid}/complete",
                                                      body={"payments": [{"method": "cash", "amount": total}]},
                                                      headers=_key()))

    try:
        while time.monotonic() < until:
            n = rnd.randint(1, job.customers)
            customer = f"cus_b{n}"
            # Six tasks, a pause after each (issue 17's "5 s pause between tasks"): a look at the
            # day, a search, a wallet, a redemption, a booking, and a sale (open, add, complete).
            tasks: list[Callable[[], Awaitable[object]]] = [
                lambda: timed("calendar", lambda: c.request("GET", "/v1/appointments",
                                                            params={"date": rnd.choice(job.days)})),
                lambda: timed("search", lambda: c.request("GET", "/v1/customers", params={
                    "q": f"{rnd.choice(FIRST)} {rnd.choice(LAST)[:2]}"})),
                lambda: timed("wallet", lambda: c.request("GET", f"/v1/customers/{customer}/wallet")),
                # the customer's own card (crd_b<n>; the first half hold a second one too)
                lambda: timed("redeem", lambda: c.request("POST", f"/v1/cards/crd_b{n}/redemptions",
                                                          body={"service_id": "svc_manicure"}, headers=_key()), 201),
                lambda: timed("book", lambda: c.request("POST", "/v1/appointments", headers=_key(), body={
                    "customer_id": customer, "staff_id": rnd.choice(STAFF), "start": _slot(rnd),
                    "lines": [{"service_id": "svc_manicure"}]}), 201),
                lambda: cart(customer),
            ]
            for task in tasks:
                await task()
                if job.pause and counting:
                    await asyncio.sleep(rnd.uniform(0, 2 * job.pause))  # a receptionist's pause
            if not counting:
                warm_up.finished_one()
                if job.pause:
                    # The desks all start together: without waiting for the others' first rounds
                    # and a first pause their first counted requests arrived at once, or into the
                    # slower desks' first rounds (20–40 requests in one worker; session 11).
                    await warm_up.done.wait()
                    await asyncio.sleep(rnd.uniform(0, 2 * job.pause))
            counting = True
    finally:
        if not counting:  # a desk that failed in its first round must not hold the others back
            warm_up.finished_one()
        seen.chunked += c.chunked
        c.close()


async def _all(job: Desks, seen: Seen) -> None:
    until = time.monotonic() + job.seconds
    warm_up = WarmUp(len(job.tokens))
    await asyncio.gather(*(_desk(job, token, until, seen, warm_up) for token in job.tokens))


def run(job: Desks) -> Seen:
    """Runs ``job``'s desks, one task each, for ``job.seconds`` in this process, on uvloop if installed."""
    seen = Seen()
    cpu = time.process_time()
    if uvloop is None:
        asyncio.run(_all(job, seen))
    else:
        uvloop.run(_all(job, seen))
    seen.cpu = time.process_time() - cpu
    return seen


@contextmanager
def settled_heap() -> Iterator[None]:
    """What this process holds already out of the collector's sight while the desks run, so no full
    collection of the bench's own heap (SQLAlchemy, the server's modules) lands inside a measured
    request (the server's heap.py does the same for its workers)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
