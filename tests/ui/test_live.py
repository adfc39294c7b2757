"""Two desks on one server: what one does appears on the other by itself, no key pressed.

This desk is the real app under a Pilot; the other desk is a second signed-in client writing
over plain HTTP. The server is `desk-tui serve` in a child process: one worker on SQLite, two on
PostgreSQL, so the change and the stream that announces it are often in different processes.
"""

from __future__ import annotations

from datetime import date

from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.widgets.card_block import CardBlock
from desk_tui.ui.widgets.day_grid import DayGrid
from desk_tui.ui.widgets.shell_header import ShellHeader
from tests.support.api_client import key
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon, app_on, at


def _status_in_grid(calendar: CalendarScreen, appointment_id: str) -> str | None:
    cells = calendar.query_one(DayGrid)._cells.values()
    return next((a.status for a in cells if a.id == appointment_id), None)


async def _calendar_on(pilot, day: date) -> CalendarScreen:
    await sign_in(pilot)
    calendar = pilot.app.screen
    assert isinstance(calendar, CalendarScreen)
    await wait_until(pilot, lambda: calendar.day == day and calendar.query_one(DayGrid).row_count > 0
                     and len(calendar.query_one(DayGrid).columns) > 1, "the day grid")
    await wait_until(pilot, lambda: pilot.app.live == "up", "the live stream")
    return calendar


async def test_the_other_desks_booking_cancellation_and_redemption_appear_by_themselves(desk_home, served_api):
    other = Salon(served_api.url)  # the other desk
    customer = other.customer("Livia")
    card = other.card(customer["id"])
    day = date(2033, 3, 8)
    app = app_on(served_api.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await _calendar_on(pilot, day)
        grid = calendar.query_one(DayGrid)
        await pilot.press("down", "down", "right")  # the receptionist is somewhere in the day
        cursor = grid.cursor_coordinate

        appt = other.book(customer["id"], at(day, 15))
        await wait_until(pilot, lambda: _status_in_grid(calendar, appt["id"]) == "booked", "the other desk's booking")
        assert grid.cursor_coordinate == cursor  # the cursor stayed where it was

        r = other.api.post(f"/appointments/{appt['id']}/cancel", json={"reason": "ill"}, headers=key())
        assert r.status_code == 200, r.text
        await wait_until(pilot, lambda: _status_in_grid(calendar, appt["id"]) == "cancelled",
                         "the other desk's cancellation")
        assert grid.cursor_coordinate == cursor

        profile = CustomerProfileScreen(customer["id"])
        app.push_screen(profile)
        await wait_until(pilot, lambda: profile.query(CardBlock) and profile.cards, "the profile's card")
        before = profile.cards[card["id"]].balances[0].remaining
        r = other.api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=key())
        assert r.status_code in (200, 201), r.text
        await wait_until(pilot, lambda: profile.cards[card["id"]].balances[0].remaining == before - 1,
                         "the other desk's redemption on the counter")
        assert app.live == "up" and "NOT LIVE" not in profile.query_one(ShellHeader).markers()


async def test_an_appointment_open_here_reloads_and_says_who_changed_what(desk_home, served_api):
    from desk_tui.ui.screens.appointment import AppointmentScreen

    other = Salon(served_api.url)
    customer = other.customer("Mira")
    day = date(2033, 3, 9)
    appt = other.book(customer["id"], at(day, 14))
    app = app_on(served_api.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await _calendar_on(pilot, day)
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.move_to(appt["id"]), "the appointment in the grid")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen) and app.screen.appointment,
                         "the appointment view")
        view = app.screen
        r = other.api.patch(f"/appointments/{appt['id']}", json={"start": at(day, 15, 30).isoformat()},
                            headers=key() | {"If-Match": str(appt["version"])})
        assert r.status_code == 200, r.text
        status = view.query_one("#appointment-status")
        await wait_until(pilot, lambda: "moved to 15:30" in str(status.render()), "who changed what")
        assert str(status.render()) == "Changed at Downtown by Márton Kiss: moved to 15:30."
        assert view.appointment.version == r.json()["version"]


async def test_a_desk_catches_up_after_the_server_was_away(desk_home, tmp_path):
    """Stop the server, change data with a second server on the same database, start the first
    again: the stream reconnects with Last-Event-ID and the calendar shows what it missed."""
    db = f"sqlite:///{tmp_path}/away.db"
    first = LiveServer(db).start()
    port = first.port
    day = date(2033, 3, 10)
    app = app_on(first.url, at(day, 9))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            calendar = await _calendar_on(pilot, day)
            first.stop()
            await wait_until(pilot, lambda: app.live == "down", "the stream noticing the server is away")
            markers = calendar.query_one(ShellHeader).markers()
            assert "NOT LIVE" in markers or "OFFLINE" in markers
            with LiveServer(db, demo=False) as second:  # another port, the same database
                other = Salon(second.url)
                appt = other.book(other.customer("Vera")["id"], at(day, 11))
                other.api.close()
            first = LiveServer(db, demo=False, port=port).start()  # back where the app looks for it
            await wait_until(pilot, lambda: _status_in_grid(calendar, appt["id"]) == "booked",
                             "the booking made while this desk was away")
            assert app.live == "up"
    finally:
        first.stop()
