"""Snapshot baselines (snapshots/test_snapshots/) of the login screen and the shell.

Deterministic: the demo salon is seeded from a fixed random seed, the keyring works (no
notice toast), and every worker has finished before the shot.
"""

from __future__ import annotations

from datetime import date

import pytest

import desk_tui.server.cards.service as cards_service
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.api_client import key
from tests.ui.pilot import wait_until
from tests.ui.salon import Salon, app_on, at
from tests.ui.snapshot_start import quiet_keyring, signed_in  # noqa: F401 (quiet_keyring: a fixture)

pytestmark = pytest.mark.usefixtures("quiet_keyring")

SIZES = [(80, 24), (120, 40)]
#: the day every calendar snapshot shows; no other test books on it
DAY = date(2025, 2, 3)  # gone by, so its check-in and no-show are taken


@pytest.fixture(scope="session")
def snapshot_day(ui_server):
    """A fixed day of bookings in every state, made once per server through the API."""
    salon = Salon(ui_server.url)
    ids = {}
    for first, last in (("Sára", "Pillanatkép"), ("Olivér", "Pillanatkép")):
        r = salon.api.post("/customers", json={"name": f"{first} {last}"}, headers=key())
        ids[first] = r.json()["id"]
    # The booking panel shows the card ID: the server (in this process) gives this card a fixed one.
    real_id = cards_service.new_id
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cards_service, "new_id", lambda prefix: "crd_snapshot_sara" if prefix == "crd" else real_id(prefix))
        card = salon.card(ids["Sára"])
    package = salon.book(ids["Sára"], at(DAY, 9), card_id=card["id"], staff_id="stf_anna")
    paid = salon.book(ids["Olivér"], at(DAY, 9, 30), staff_id="stf_bence", service_id="svc_deep_tissue")
    salon.api.post(f"/appointments/{paid['id']}/check-in", headers=key())
    gone = salon.book(ids["Olivér"], at(DAY, 11), staff_id="stf_csilla", service_id="svc_facial")
    salon.api.post(f"/appointments/{gone['id']}/no-show", headers=key())
    done = salon.book(ids["Sára"], at(DAY, 12), card_id=card["id"], staff_id="stf_emese")
    salon.api.post(f"/appointments/{done['id']}/check-in", headers=key())
    salon.api.post(f"/appointments/{done['id']}/complete", headers=key())
    return {"package": package, "customer": ids["Sára"]}


@pytest.fixture
def fixed_app(ui_server, desk_home):
    return lambda: app_on(ui_server.url, at(DAY, 9))




async def _login_ready(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
    await wait_until(pilot, lambda: str(app.screen.query_one("#location").value) == "loc_downtown", "locations")
    await pilot.app.workers.wait_for_complete()




async def _customers_nagy(pilot) -> None:
    await signed_in(pilot)
    await pilot.press("f3", *"nagy")
    table = pilot.app.screen.query_one("#customer-results")
    await wait_until(pilot, lambda: table.row_count == 12, "the Nagy customers")
    # Twelve rows fit: wait for the scrollbar of the longer list before them to go.
    await wait_until(pilot, lambda: not table.show_vertical_scrollbar, "the list laid out")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_login_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_calendar_with_package_bookings(snap_compare, fixed_app, snapshot_day, size):
    async def day(pilot):
        await signed_in(pilot)
        grid = pilot.app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.move_to(snapshot_day["package"]["id"]), "the day's bookings")
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(fixed_app(), terminal_size=size, run_before=day)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_booking_with_the_packages_panel(snap_compare, fixed_app, snapshot_day, size):
    async def booking(pilot):
        await signed_in(pilot)
        grid = pilot.app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.row_count > 8, "the day")
        await pilot.press("down", "down", "down", "down", "enter")  # 10:00, Anna: free
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, BookingScreen), "the booking screen")
        await pilot.press(*"Sára Pillanat")
        results = pilot.app.screen.query_one("#booking-customers")
        await wait_until(pilot, lambda: results.highlighted == 0, "the customer")
        await pilot.press("enter", "enter")
        panel = pilot.app.screen.query_one("#booking-packages")
        await wait_until(pilot, lambda: panel.option_count >= 2, "the packages")  # first usable row highlighted
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(fixed_app(), terminal_size=size, run_before=booking)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_appointment_view(snap_compare, fixed_app, snapshot_day, size):
    async def view(pilot):
        await signed_in(pilot)
        grid = pilot.app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.move_to(snapshot_day["package"]["id"]), "the booking")
        grid.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, AppointmentScreen)
                         and pilot.app.screen.appointment is not None, "the appointment")
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(fixed_app(), terminal_size=size, run_before=view)


def test_customer_search(snap_compare, fixed_app, snapshot_day):
    assert snap_compare(fixed_app(), terminal_size=(80, 24), run_before=_customers_nagy)


def test_shell_in_16_colours(snap_compare, fixed_app, snapshot_day):
    async def ansi(pilot):
        pilot.app.theme = "ansi-dark"  # what the app picks when the terminal has 16 colours
        await signed_in(pilot)

    assert snap_compare(fixed_app(), terminal_size=(80, 24), run_before=ansi)


def test_shell_with_no_color(snap_compare, fixed_app, snapshot_day, no_color_xterm):
    app = fixed_app()
    assert app.no_color

    async def signed_in_without_colour(pilot):
        await signed_in(pilot)
        assert pilot.app.console.color_system == "standard"  # what TERM=xterm gives, pinned
        assert pilot.app.theme == "desk-no-color"

    assert snap_compare(app, terminal_size=(80, 24), run_before=signed_in_without_colour)
