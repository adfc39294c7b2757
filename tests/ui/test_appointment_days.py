"""An appointment days ahead cannot be checked in or marked a no-show, and the screen says why."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from tests.ui.pilot import notifications, sign_in, wait_until
from tests.ui.salon import Salon, app_on, at

TZ = ZoneInfo("Europe/Budapest")
DAY = date(2031, 5, 14)  # ahead of any clock these tests run on


async def _appointment(pilot, appointment_id: str) -> AppointmentScreen:
    await sign_in(pilot)
    app = pilot.app
    await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
    screen = AppointmentScreen(appointment_id, tz=TZ)
    app.push_screen(screen)
    await wait_until(pilot, lambda: screen.appointment is not None, "the appointment")
    return screen


async def test_a_later_days_appointment_says_why_it_cannot_be_checked_in(make_app, ui_server):
    salon = Salon(ui_server.url)
    appt = salon.book(salon.customer()["id"], at(DAY, 15), staff_id="stf_bence")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _appointment(pilot, appt["id"])
        status = screen.query_one("#appointment-status")
        await pilot.press("c")
        await wait_until(pilot, lambda: "checked in on that day, not before" in str(status.render()), "the reason")
        assert "Wed 14 May 2031" in str(status.render())
        await pilot.press("n")
        await wait_until(pilot, lambda: "marked as a no-show on that day" in str(status.render()), "the reason")
        assert not isinstance(app.screen, ConfirmScreen)  # nothing asked that would be refused
    assert salon.appointment(appt["id"])["status"] == "booked"


async def test_the_servers_refusal_is_said_when_the_desk_clock_is_wrong(ui_server, desk_home):
    salon = Salon(ui_server.url)
    appt = salon.book(salon.customer()["id"], at(DAY, 16), staff_id="stf_bence")
    app = app_on(ui_server.url, at(DAY, 9))  # this desk believes the day has come; the server knows better
    async with app.run_test(size=(80, 24)) as pilot:
        await _appointment(pilot, appt["id"])
        await pilot.press("c")
        await wait_until(pilot, lambda: any("checked in on that day, not before" in n.message
                                            for n in notifications(app)), "the server's sentence")
    assert salon.appointment(appt["id"])["status"] == "booked"
