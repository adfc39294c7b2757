"""F2 Calendar: the day at this location, one column per staff member.

Drawn from the cache first (a day seen before appears at once, even offline), then refreshed
in a worker with one request per day. Other terminals' changes arrive as live events and the
day is fetched again (the cursor stays where it is); while the live stream is down a quiet
periodic refresh takes over.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from desk_tui.client.appointments import day_params
from desk_tui.contract.appointments import Appointment, AppointmentDay
from desk_tui.contract.events import Event
from desk_tui.contract.reference import Settings, Staff
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.widgets.day_grid import PACKAGE, STATUS, DayGrid, Slot

#: the time column (5) and the scrollbar (2), and each column's padding (2)
TIME_COLUMN, SCROLLBAR, PADDING = 7, 2, 2


class CalendarScreen(DeskScreen):
    MODE = "calendar"
    BINDINGS = [
        Binding("enter", "open", "Open / book", id="calendar.open"),
        Binding("b", "book", "Book", id="calendar.book"),
        Binding("left_square_bracket,pageup", "day(-1)", "Prev day", id="calendar.prev"),
        Binding("right_square_bracket,pagedown", "day(1)", "Next day", id="calendar.next"),
        Binding("t", "today", "Today", id="calendar.today"),
        Binding("g", "go_to_date", "Go to date", id="calendar.goto"),
        Binding("r", "refresh_day", "Refresh", id="calendar.refresh"),
        Binding("slash", "find_next", "Find next appt", id="calendar.find"),
    ]

    day: reactive[date | None] = reactive(None)
    """The business day shown, in the organisation's time zone."""

    def __init__(self) -> None:
        super().__init__()
        self._tz = ZoneInfo("UTC")
        self._staff: list[Staff] = []
        self._appointments: list[Appointment] = []
        self._focus_after_load: str | None = None
        self._drawn: AppointmentDay | None = None
        self._heard = 0
        """Live events heard so far: a load started after the n-th has that one in its answer."""
        self._pending: dict[str, tuple[Event, int]] = {}
        """Appointment id → the latest event about it not yet seen in the grid, and its number."""
        self._loading = False
        self._stale = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="day-title")
        yield DayGrid(id="day-grid")
        yield Static(f"{PACKAGE} package booking · • booked ✓ checked in ✔ done ! no-show ✗ cancelled",
                     id="calendar-legend", classes="hint")

    def on_mount(self) -> None:
        self._draw_cached()
        self._start()
        interval = self.desk.loaded_settings.quiet_refresh_seconds
        if interval > 0:
            self.set_interval(interval, self._quiet_refresh)
        self.desk.live_events.subscribe(self, self._heard_event)

    def _draw_cached(self) -> None:
        """Today from the cache, in this first frame, when the organisation and its staff are
        there too: a desk that opens on its calendar shows it before the network answers."""
        org, staff = self.desk.peek("/settings", Settings), self.desk.peek("/staff", list[Staff])
        if org is not None and staff is not None:
            self.desk.business = org.business_name
            self._tz, self._staff = ZoneInfo(org.timezone), self._bookable(staff)
            self.day = self.desk.now(self._tz).date()

    def _bookable(self, staff: list[Staff]) -> list[Staff]:
        location = self.desk.location_id
        return [s for s in staff if s.bookable and location in s.location_ids]

    @work(exclusive=True, group="calendar-start", exit_on_error=False)
    async def _start(self) -> None:
        client = await self.desk.signed_in_client()
        org, staff = await asyncio.gather(self.desk.org(), client.staff())  # one round trip, not two
        tz, bookable = ZoneInfo(org.timezone), self._bookable(staff)
        changed = (tz, bookable) != (self._tz, self._staff)
        self._tz, self._staff = tz, bookable
        if self.day is None:
            self.day = self.desk.now(self._tz).date()
        elif changed:  # drawn from the cache with other staff or another time zone: draw again
            self._drawn = None
            self.load_day(self.day)

    def watch_day(self, day: date | None) -> None:
        if day is None:
            return
        today = self.desk.today()
        offset = (day - today).days
        when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset, f"{offset:+d} days")
        self.query_one("#day-title", Static).update(f"[b]{day:%A %d %B %Y}[/b] · {when}")
        cached = self.desk.peek("/appointments", AppointmentDay, params=day_params(day))
        if cached is not None:
            self._draw(cached)
        self.load_day(day)

    @work(exclusive=True, group="calendar-day", exit_on_error=False)
    async def load_day(self, day: date) -> None:
        started = self._heard
        self._loading, self._stale = True, False
        try:
            result = await (await self.desk.signed_in_client()).appointments.day(day)
        finally:
            self._loading = False
        if result.date == self.day:
            self._draw(result)
            self._settle(result, started)

    # -- live updates ------------------------------------------------------------------------------
    def _heard_event(self, event: Event) -> None:
        if self.day is None:
            return
        if event.kind == "reset":
            self._pending.clear()
            self._refetch()
            return
        if not event.kind.startswith("appointment.") or event.appointment_id is None:
            return
        shown = next((a for a in self._appointments if a.id == event.appointment_id), None)
        if shown is None and event.day != self.day:
            return  # another day's appointment
        if shown is not None and event.version is not None and shown.version >= event.version:
            return  # already drawn: our own booking, or a reload that was quicker than the event
        self._heard += 1
        self._pending[event.appointment_id] = (event, self._heard)
        if not self._loading:  # a load in flight is checked against the event when it lands
            self._refetch()

    def _settle(self, result: AppointmentDay, started: int) -> None:
        """Forget the events this answer shows; fetch again for any heard after it was asked for."""
        versions = {a.id: a.version for a in result.items}
        for appointment_id, (event, heard) in list(self._pending.items()):
            shown = versions.get(appointment_id)
            seen = (shown is not None and event.version is not None and shown >= event.version) or \
                   (shown is None and event.day != result.date)
            if seen or heard <= started:
                del self._pending[appointment_id]
        if self._pending:
            self._refetch()

    def _refetch(self) -> None:
        if self.is_current:
            self.load_day(self.day)
        else:
            self._stale = True  # under a booking or an appointment: redrawn when shown again

    def on_screen_resume(self) -> None:
        if self._stale and self.day is not None:
            self.load_day(self.day)

    def _draw(self, result: AppointmentDay) -> None:
        grid = self.query_one(DayGrid)
        # A revalidation (304) or quiet refresh that changed nothing keeps the frame as it is.
        if result != self._drawn:
            self._drawn = result
            self._appointments = result.items
            columns = max(len(self._staff), 1)
            width = max(12, min(28, (self.size.width - TIME_COLUMN - SCROLLBAR) // columns - PADDING))
            grid.show_day(day=result.date, tz=self._tz, staff=self._staff, appointments=result.items,
                          column_width=width, now=self.desk.now(self._tz))
        if self._focus_after_load and grid.move_to(self._focus_after_load):
            self._focus_after_load = None

    def _quiet_refresh(self) -> None:
        if self.day is not None and self.is_current and self.desk.live != "up":
            self.load_day(self.day)

    def action_day(self, delta: int) -> None:
        if self.day is not None:
            self.day = self.day + timedelta(days=delta)

    def action_today(self) -> None:
        self.day = self.desk.today()

    def action_refresh_day(self) -> None:
        if self.day is not None:
            self.load_day(self.day)

    def action_go_to_date(self) -> None:
        if self.day is None:
            return
        from desk_tui.ui.screens.date_prompt import DatePromptScreen

        def chosen(day: date | None) -> None:
            if day is not None:
                self.day = day

        self.app.push_screen(DatePromptScreen(self.day, self.desk.today()), chosen)

    @on(DataTable.CellSelected, "#day-grid")
    def _cell_selected(self) -> None:
        self.action_open()  # the grid keeps Enter for itself and reports it as a selection

    @work(exclusive=True, group="calendar-find", exit_on_error=False)
    async def action_find_next(self) -> None:
        from desk_tui.ui.screens.customer_picker import CustomerPickerScreen

        customer = await self.app.push_screen_wait(CustomerPickerScreen("Find a customer's next appointment"))
        if customer is None:
            return
        today = self.desk.today()
        upcoming = await self.desk.client.appointments.upcoming(customer.id, on_or_after=today)
        here = [a for a in upcoming if a.location_id == self.desk.location_id]
        if not here:
            elsewhere = f" (next one is at another location on {upcoming[0].start.astimezone(self._tz):%d %b})" \
                if upcoming else ""
            self.notify(f"{customer.name} has no upcoming appointment here{elsewhere}.", title="Not found")
            return
        found = here[0]
        self._focus_after_load = found.id
        self.day = found.start.astimezone(self._tz).date()
        self.load_day(self.day)
        self.notify(f"{customer.name}: {found.start.astimezone(self._tz):%a %d %b %H:%M} with "
                    f"{found.staff_name or 'staff'}.")

    def action_open(self) -> None:
        grid = self.query_one(DayGrid)
        stack = grid.stack()
        picked = grid.selection()
        if len(stack) > 1:
            self._choose_appointment(stack)
        elif isinstance(picked, Slot):
            self._book(picked)
        elif picked is not None:
            self._open_appointment(picked.id)

    def _choose_appointment(self, stack: list[Appointment]) -> None:
        """A "+1" cell: the appointments sharing it, to open one (they never hide each other)."""
        from desk_tui.ui.screens.choice import ChoiceScreen

        def label(a: Appointment) -> str:
            start, end = a.start.astimezone(self._tz), a.end.astimezone(self._tz)
            services = ", ".join(line.service_name for line in a.lines)
            glyph, word, _ = STATUS.get(a.status, ("?", a.status, ""))
            state = f" · {word}" if word else ""
            return f"{glyph} {start:%H:%M}–{end:%H:%M} {a.customer_name} · {services}{state}"

        def chosen(appointment_id: str | None) -> None:
            if appointment_id is not None:
                self._open_appointment(appointment_id)

        staff = stack[0].staff_name or "this staff member"
        self.app.push_screen(ChoiceScreen(f"{len(stack)} appointments overlap for {staff}",
                                          [(label(a), a.id) for a in stack], filter_placeholder=None), chosen)

    def action_book(self) -> None:
        picked = self.query_one(DayGrid).selection()
        if isinstance(picked, Slot):
            self._book(picked)
        elif picked is not None:
            self._book(Slot(next(s for s in self._staff if s.id == picked.staff_id), picked.end))

    def _book(self, slot: Slot) -> None:
        from desk_tui.ui.screens.booking import BookingScreen

        def booked(appointment: Appointment | None) -> None:
            if appointment is not None:
                self.notify(f"Booked {appointment.customer_name} at {appointment.start.astimezone(self._tz):%H:%M}.")
                self._focus_after_load = appointment.id
                self.day = appointment.start.astimezone(self._tz).date()
                self.load_day(self.day)

        self.app.push_screen(BookingScreen(staff=self._staff, slot=slot, tz=self._tz), booked)

    def _open_appointment(self, appointment_id: str) -> None:
        from desk_tui.ui.screens.appointment import AppointmentScreen

        def reload(_: object) -> None:
            self.load_day(self.day)

        self.app.push_screen(AppointmentScreen(appointment_id, tz=self._tz), reload)
