"""Where an appointment lands on the day grid: the rows it covers, worked out from its times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.app import App
from textual.coordinate import Coordinate

from desk_tui.contract.appointments import Appointment
from desk_tui.contract.reference import Staff
from desk_tui.ui.widgets.day_grid import DayGrid, _slots

TZ = ZoneInfo("Europe/Budapest")
DAY = date(2031, 3, 3)


def _appt(start: datetime, minutes: int) -> Appointment:
    return Appointment(id="a", version=1, location_id="l", staff_id="s", customer_id="c", customer_name="C",
                       start=start, end=start + timedelta(minutes=minutes), status="booked", lines=[],
                       from_package=False)


def _rows(start: datetime, minutes: int, others: list[Appointment] = ()) -> list[int]:
    grid = DayGrid()
    appt = _appt(start, minutes)
    grid._slots = _slots(DAY, TZ, [appt, *others])
    return grid._rows_of(appt)


def test_rows_cover_every_quarter_hour_the_appointment_touches():
    at = datetime(2031, 3, 3, 9, 0, tzinfo=TZ)
    assert _rows(at, 45) == [4, 5, 6]  # 08:00 is row 0
    assert _rows(at + timedelta(minutes=10), 30) == [4, 5, 6]  # 09:10–09:40 touches three quarters
    assert _rows(at, 0) == [4]  # a zero-length booking still shows


def test_an_early_booking_widens_the_day_instead_of_vanishing():
    early = datetime(2031, 3, 3, 6, 30, tzinfo=TZ)
    assert _rows(early, 60) == [0, 1, 2, 3]


def _booking(id: str, start: datetime, minutes: int, *, status: str = "booked", staff_id: str = "s") -> Appointment:
    return Appointment(id=id, version=1, location_id="l", staff_id=staff_id, customer_id="c", customer_name=id.title(),
                       start=start, end=start + timedelta(minutes=minutes), status=status, lines=[],
                       from_package=False)


class _OneGrid(App):
    def compose(self):
        yield DayGrid()


async def test_overlapping_appointments_never_hide_each_other():
    """Anna (one column): Kata 10:00–10:45, Béla exactly over her, Réka 10:30–11:30 over both, and
    a cancelled Mari at 11:00 under Réka. Every quarter hour a live one covers shows one and counts
    the others; none is out of reach; the cancelled one neither hides nor is counted."""
    ten = datetime(2031, 3, 3, 10, 0, tzinfo=TZ)
    staff = [Staff(id="s", name="Anna Szabó", role="reception", location_ids=["l"])]
    kata, bela = _booking("kata", ten, 45), _booking("bela", ten, 45)
    reka = _booking("reka", ten + timedelta(minutes=30), 60)
    mari = _booking("mari", ten + timedelta(hours=1), 15, status="cancelled")
    async with _OneGrid().run_test(size=(80, 24)) as pilot:
        grid = pilot.app.query_one(DayGrid)
        grid.show_day(day=DAY, tz=TZ, staff=staff, appointments=[reka, mari, bela, kata], now=ten, column_width=16)
        rows = {f"{h:02d}:{m:02d}": 4 * (h - 8) + m // 15 for h in range(8, 20) for m in (0, 15, 30, 45)}

        def at(clock: str) -> tuple[str, list[str], str]:
            grid.cursor_coordinate = Coordinate(rows[clock], 1)
            picked, text = grid.selection(), str(grid.get_cell_at(grid.cursor_coordinate))
            return getattr(picked, "id", "free"), [a.id for a in grid.stack()], text

        shown, stack, text = at("10:00")
        assert shown == "bela" and stack == ["bela", "kata"] and text.endswith(" +1") and len(text) == 16
        assert at("10:15")[:2] == ("bela", ["bela", "kata"])
        shown, stack, text = at("10:30")
        assert shown == "bela" and stack == ["bela", "kata", "reka"] and text.endswith(" +2")
        shown, stack, text = at("10:45")
        assert (shown, stack) == ("reka", []) and "Reka" in text  # named where it comes out from under
        assert at("11:00")[:2] == ("reka", []) and at("11:15")[:2] == ("reka", [])
        assert at("11:30")[0] == "free" and at("09:45")[0] == "free"
        # each can be reached by id: Kata only through the cells she shares
        for appointment_id, clock in (("bela", "10:00"), ("kata", "10:00"), ("reka", "10:45")):
            assert grid.move_to(appointment_id) and grid.cursor_coordinate == Coordinate(rows[clock], 1)
        assert not grid.move_to("mari")  # cancelled, under a live booking
