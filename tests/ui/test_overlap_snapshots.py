"""Snapshot baselines (snapshots/test_overlap_snapshots/) of a day where appointments overlap.

Anna has Kata at 10:00, Béla booked over her at 10:00 and Réka from 10:30 to 11:30 over both:
the shared cells end in "+1"/"+2" (a glyph, so it reads in 16 colours and with NO_COLOR too) and
Réka is named where she comes out from under. The cursor sits on the shared 10:00 cell.
"""

from __future__ import annotations

from datetime import date

import pytest

from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.api_client import key
from tests.ui.pilot import wait_until
from tests.ui.salon import Salon, app_on, at
from tests.ui.snapshot_start import quiet_keyring, signed_in  # noqa: F401 (quiet_keyring: a fixture)

pytestmark = pytest.mark.usefixtures("quiet_keyring")

#: the day these snapshots show; no other test books on it
DAY = date(2032, 6, 7)


@pytest.fixture(scope="session")
def overlap_day(ui_server):
    salon = Salon(ui_server.url)
    booked = {}
    for first, staff, hour, minute, service, anyway in (
            ("Kata", "stf_anna", 10, 0, "svc_manicure", False),
            ("Béla", "stf_anna", 10, 0, "svc_manicure", True),
            ("Réka", "stf_anna", 10, 30, "svc_gel_manicure", True),
            ("Olga", "stf_bence", 9, 30, "svc_haircut", False)):
        customer = salon.api.post("/customers", json={"name": f"{first} Átfedés"}, headers=key()).json()
        r = salon.api.post("/appointments", json={"customer_id": customer["id"], "staff_id": staff,
                                                  "start": at(DAY, hour, minute).isoformat(), "allow_overlap": anyway,
                                                  "lines": [{"service_id": service}]}, headers=key())
        assert r.status_code == 201, r.text
        booked[first] = r.json()
    return booked


async def _on_the_shared_cell(pilot, overlap_day) -> None:
    await signed_in(pilot)
    grid = pilot.app.screen.query_one(DayGrid)
    await wait_until(pilot, lambda: grid.move_to(overlap_day["Kata"]["id"]), "the day's bookings")
    await pilot.app.workers.wait_for_complete()


def test_overlapping_appointments_at_80x24(snap_compare, ui_server, desk_home, overlap_day):
    async def shared(pilot):
        await _on_the_shared_cell(pilot, overlap_day)

    assert snap_compare(app_on(ui_server.url, at(DAY, 9)), terminal_size=(80, 24), run_before=shared)


def test_overlapping_appointments_with_no_color(snap_compare, ui_server, desk_home, overlap_day, no_color_xterm):
    app = app_on(ui_server.url, at(DAY, 9))
    assert app.no_color

    async def shared(pilot):
        await _on_the_shared_cell(pilot, overlap_day)

    assert snap_compare(app, terminal_size=(80, 24), run_before=shared)
