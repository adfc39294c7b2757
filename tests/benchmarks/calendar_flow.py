"""The calendar driven by a Pilot in this process: requests per booking, and day-switch times.

* requests per booking: a LiveServer in this process (uvicorn in a thread) wrapped in
  :class:`RequestLog`, which notes every request as it arrives. The app books a 45-minute
  Manicure from a 5x Manicure card on the busy day, with the keyboard exactly as the UI tests
  do: Enter on the free 18:00 slot, type the customer's name, Enter Enter, Down Enter (Use), F10.
  Counted: from choosing the customer until the *Available packages* panel is filled (the
  debounced search is before that, and listed apart), and from F10 until the calendar shows
  the new booking (the Save itself, and the calendar's reload of the day, told apart by path).
* day switch: against the API server in its own process (as a desk talks to a shared server),
  the clock stopped at 09:00 on the first busy day. ``]`` to each next day, never shown before
  (cold: nothing cached), then ``[`` back through them (warm: drawn from the cache, then
  revalidated with its ETag). Timed from the key until the first frame rendered with that day in
  the grid — its rows are that date's quarter hours and 08:00 in the first column is a booking;
  and, for the warm switch, until the revalidation has finished and been painted as well.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from textual.coordinate import Coordinate
from textual.worker import WorkerState

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.widgets.day_grid import PACKAGE, DayGrid
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon, app_on, at

KEYRING = "tests.support.keyrings.DictKeyring"


class RequestLog:
    """ASGI middleware: ``METHOD /path?query`` of every HTTP request, in arrival order."""

    def __init__(self, app, requests: list[str]) -> None:
        self.app = app
        self.requests = requests

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode()
            self.requests.append(f"{scope['method']} {scope['path']}" + (f"?{query}" if query else ""))
        await self.app(scope, receive, send)


class _Home:
    """A fresh DESK_HOME (so a fresh client cache) and a working keyring, for one app run here."""

    def __enter__(self) -> Path:
        self._dir = tempfile.TemporaryDirectory(prefix="desk-bench-home.", dir="/tmp")
        self._saved = {k: os.environ.get(k) for k in ("DESK_HOME", "PYTHON_KEYRING_BACKEND")}
        os.environ["DESK_HOME"] = str(Path(self._dir.name) / "home")
        os.environ["PYTHON_KEYRING_BACKEND"] = KEYRING
        return Path(os.environ["DESK_HOME"])

    def __exit__(self, *exc) -> None:
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._dir.cleanup()


async def _calendar_ready(pilot) -> CalendarScreen:
    await sign_in(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CalendarScreen)
    # Under load the screen may be switched to before it has composed: query inside the wait.
    await wait_until(pilot, lambda: (grid := screen.query_one(DayGrid)).row_count > 0 and len(grid.columns) > 1,
                     "the day grid")
    return screen


# -- requests per booking ----------------------------------------------------------------------
@dataclass
class BookingRequests:
    search: list[str] = field(default_factory=list)
    """From Enter on the slot to the search results: the booking screen opening, and the search."""
    packages: list[str] = field(default_factory=list)
    """From choosing the customer to the packages panel filled."""
    use: list[str] = field(default_factory=list)
    """Use on the package service (expected: none)."""
    save: list[str] = field(default_factory=list)
    """From F10 to the booking in the calendar: the save and the calendar's reload of the day."""

    @staticmethod
    def is_day_reload(request: str) -> bool:
        return request.startswith("GET /v1/appointments?")


def booking_requests(db_path: Path, day: date, arrange: Callable[[Salon], None] | None = None) -> BookingRequests:
    """``arrange``: what a salon other than the benchmark's busy one needs first (a test's own day)."""
    requests: list[str] = []
    server = LiveServer(f"sqlite:///{db_path}", demo=True)
    server.app.add_middleware(RequestLog, requests=requests)
    with server, _Home():
        salon = Salon(server.url)
        customer = salon.customer("Benchmark")
        salon.card(customer["id"])  # 5x Manicure
        if arrange is not None:
            arrange(salon)
        return asyncio.run(_book(server.url, requests, customer["name"], day))


async def _book(url: str, requests: list[str], customer: str, day: date) -> BookingRequests:
    seen = BookingRequests()
    app = app_on(url, at(day, 18))  # the first free slot of the busy day, in the first column
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await _calendar_ready(pilot)
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: _shows(calendar, grid, day), "the busy day")
        await app.workers.wait_for_complete()
        mark = len(requests)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
        booking = app.screen
        await pilot.press(*customer)
        results = booking.query_one("#booking-customers")
        await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, "the customer")
        await app.workers.wait_for_complete()
        seen.search, mark = requests[mark:], len(requests)
        await pilot.press("enter", "enter")  # to the results, then pick the first
        panel = booking.query_one("#booking-packages")
        await wait_until(pilot, lambda: panel.option_count >= 2, "the available packages")
        await app.workers.wait_for_complete()
        seen.packages, mark = requests[mark:], len(requests)
        await pilot.press("enter")  # Use: the first usable row is highlighted already
        await wait_until(pilot, lambda: booking.query_one("#booking-lines").row_count == 1, "the package line")
        await app.workers.wait_for_complete()
        seen.use, mark = requests[mark:], len(requests)
        await pilot.press("f10")
        booked = lambda: app.screen is calendar and PACKAGE in str(grid.get_cell_at(grid.cursor_coordinate))  # noqa: E731
        await wait_until(pilot, booked, "the booking in the calendar")
        await app.workers.wait_for_complete()
        seen.save = requests[mark:]
    return seen


# -- day switch --------------------------------------------------------------------------------
@dataclass
class DaySwitches:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    warm_revalidated: list[float] = field(default_factory=list)


def _shows(calendar: CalendarScreen, grid: DayGrid, day: date) -> bool:
    if calendar.day != day or grid.row_count == 0 or len(grid.columns) < 2:
        return False
    first = grid.ordered_rows[0].key.value or ""
    return first.startswith(day.isoformat()) and "•" in str(grid.get_cell_at(Coordinate(0, 1)))


def _loading(calendar: CalendarScreen) -> bool:
    return any(w.group == "calendar-day" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for w in calendar.workers)


async def _until(pilot, condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Let the app process its messages until ``condition``; the times measured come from the frame
    hook (``_Frames``), so how often this looks does not change them."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause()


def day_switches(url: str, first_day: date, days: int, runs: int) -> DaySwitches:
    result = DaySwitches()
    for _ in range(runs):
        with _Home():
            asyncio.run(_switch(url, first_day, days, result))
    return result


class _Frames:
    """When the calendar screen's frames are rendered: wraps ``Screen._compositor_refresh`` (private
    to Textual), the step that renders the screen's changes; headless, only the terminal write is
    skipped. ``shown`` is the first frame with ``day`` in the grid after ``expect(day)``."""

    def __init__(self, calendar: CalendarScreen) -> None:
        self.calendar, self.grid = calendar, calendar.query_one(DayGrid)
        self.last = 0.0
        self.day: date | None = None
        self.shown: float | None = None
        render = calendar._compositor_refresh

        def timed() -> None:
            render()
            self.last = time.perf_counter()
            if self.shown is None and self.day is not None and _shows(calendar, self.grid, self.day):
                self.shown = self.last

        calendar._compositor_refresh = timed

    def expect(self, day: date) -> None:
        self.day, self.shown = day, None


async def _switch(url: str, first_day: date, days: int, result: DaySwitches) -> None:
    app = app_on(url, at(first_day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await _calendar_ready(pilot)
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: _shows(calendar, grid, first_day), "the first busy day")
        await app.workers.wait_for_complete()
        frames = _Frames(calendar)
        for key, step, samples in (("right_square_bracket", 1, result.cold), ("left_square_bracket", -1, result.warm)):
            for _ in range(days):
                day = calendar.day + timedelta(days=step)
                frames.expect(day)
                start = time.perf_counter()
                await pilot.press(key)
                await _until(pilot, lambda: frames.shown is not None, f"{day} painted")
                samples.append(frames.shown - start)
                await _until(pilot, lambda: not _loading(calendar), f"{day} loaded")
                if step < 0:  # the 304 redraws the day: until that frame too
                    done = time.perf_counter()
                    try:
                        await _until(pilot, lambda: frames.last > done, "the frame after revalidating", timeout=1)
                    except RuntimeError:
                        frames.last = done  # nothing left to paint
                    result.warm_revalidated.append(frames.last - start)
                await app.workers.wait_for_complete()
                await pilot.pause(0.05)
