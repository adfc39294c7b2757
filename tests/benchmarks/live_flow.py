"""Live updates: from another desk's write to this desk's repaint, and what an idle stream costs.

* event latency: a Pilot in this process shows a quiet day on the calendar, against a LiveServer
  in this process (uvicorn in a thread, SQLite); the other desk books over plain HTTP from a
  thread. Timed from the moment the booking's 201 is in the other desk's hands until the first
  frame the calendar renders with the booking in its grid (the same frame hook as the day switch).
* idle cost: a stream with nothing happening receives only keep-alive comments. Their size and
  count are measured with the ping interval shortened to a second for a few seconds, then given
  per minute at the shipped interval (``PING_SECONDS``): what a quiet front desk costs.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from desk_tui.server.events import routes
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.benchmarks.calendar_flow import _calendar_ready, _Home, _until
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer
from tests.ui.pilot import wait_until
from tests.ui.salon import app_on, at

IDLE_SECONDS = 3.0
STYLISTS = ("stf_anna", "stf_bence", "stf_csilla", "stf_emese")


@dataclass
class LiveFigures:
    latency: list[float] = field(default_factory=list)
    ping_bytes: float = 0.0
    """Bytes on the wire per keep-alive."""
    pings_per_minute: float = 0.0


def measure(db_path: Path, day: date, samples: int) -> LiveFigures:
    result = LiveFigures()
    server = LiveServer(f"sqlite:///{db_path}", demo=True)
    with server, _Home():
        other = login(server.url, "manager")
        customer = other.post("/customers", json={"name": "Live Bench"}, headers=key()).json()["id"]
        asyncio.run(_latency(server.url, other, customer, day, samples, result))
        _idle(server.url, result)
        other.close()
    return result


async def _latency(url: str, other: httpx.Client, customer: str, day: date, samples: int,
                   result: LiveFigures) -> None:
    app = app_on(url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await _calendar_ready(pilot)
        await wait_until(pilot, lambda: app.live == "up" and calendar.day == day, "the live stream")
        grid = calendar.query_one(DayGrid)
        shown: dict[str, float] = {}
        render = calendar._compositor_refresh

        def timed() -> None:
            render()
            now = time.perf_counter()
            for appt in grid._cells.values():
                shown.setdefault(appt.id, now)

        calendar._compositor_refresh = timed
        for n in range(samples):
            def book() -> tuple[str, float]:
                # four stylists, an hour apart: no booking hides another in the grid
                r = other.post("/appointments", headers=key(), json={
                    "customer_id": customer, "staff_id": STYLISTS[n % 4], "start": at(day, 8 + n // 4).isoformat(),
                    "lines": [{"service_id": "svc_manicure"}]})
                r.raise_for_status()
                return r.json()["id"], time.perf_counter()

            appointment_id, answered = await asyncio.to_thread(book)
            await _until(pilot, lambda: appointment_id in shown, "the booking painted")
            result.latency.append(shown[appointment_id] - answered)


def _idle(url: str, result: LiveFigures) -> None:
    token = login(url, "reception").headers["Authorization"]
    saved, routes.PING_SECONDS = routes.PING_SECONDS, 1
    chunks, size = 0, 0
    try:
        with httpx.stream("GET", f"{url}/v1/events", headers={"Authorization": token}, timeout=10) as r:
            start = None
            for chunk in r.iter_raw():
                if start is None:  # the first chunk is `ready`, not idle traffic
                    start = time.perf_counter()
                    continue
                chunks, size = chunks + 1, size + len(chunk)
                if time.perf_counter() - start >= IDLE_SECONDS:
                    break
    finally:
        routes.PING_SECONDS = saved
    result.ping_bytes = size / max(chunks, 1)
    result.pings_per_minute = 60 / routes.PING_SECONDS
