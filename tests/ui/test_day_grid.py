"""Where an appointment lands on the day grid: the rows it covers, worked out from its times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from desk_tui.contract.appointments import Appointment
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
