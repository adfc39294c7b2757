"""How many requests the booking form makes, counted at a real server (the benchmark's own walk,
tests/benchmarks/calendar_flow.py, run once on a demo salon): the figure `make bench` reports
must not creep up unnoticed between benchmark runs."""

from __future__ import annotations

from datetime import date

from tests.benchmarks.calendar_flow import booking_requests
from tests.ui.salon import Salon, at

#: a day of its own, far from the demo's bookings
DAY = date(2031, 9, 17)


def _first_slot_booked(salon: Salon) -> None:
    """The walk waits for the day by a booking at 08:00 in the first column, as on the busy day."""
    salon.book(salon.customer("Early")["id"], at(DAY, 8))


def test_choosing_the_customer_fills_the_packages_with_one_request(tmp_path):
    seen = booking_requests(tmp_path / "count.db", DAY, arrange=_first_slot_booked)
    # the customer's own cards and the family cards shared with them: one answer
    assert len(seen.packages) == 1, seen.packages
    assert seen.packages[0].startswith("GET /v1/cards?"), seen.packages
    assert seen.use == [], seen.use  # Use on the package line asks nothing
