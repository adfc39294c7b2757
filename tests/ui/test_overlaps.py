"""Clashes at the desk: a booking or a move into a busy slot asks about the appointment in the way,
for that one save; overlapping appointments are all visible and reachable on the calendar.

Against the real API (SQLite), keyboard only, at 80×24. Each test owns a day of its own.
"""

from __future__ import annotations

from datetime import date, datetime

from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.move_appointment import MoveAppointmentScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.api_client import key
from tests.ui.at_the_calendar import book_with_package, calendar_ready, open_appointment
from tests.ui.pilot import reach, wait_until
from tests.ui.salon import Salon, app_on, at

#: days no other test books on
DAY_BOOK, DAY_MOVE, DAY_GRID = date(2032, 5, 3), date(2032, 5, 4), date(2032, 5, 5)


def _book_anyway(salon: Salon, customer_id: str, start: datetime, service_id: str = "svc_manicure") -> dict:
    """Another terminal that confirmed an overlap."""
    r = salon.api.post("/appointments", json={"customer_id": customer_id, "staff_id": "stf_anna",
                                              "start": start.isoformat(), "allow_overlap": True,
                                              "lines": [{"service_id": service_id}]}, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def _question(app) -> str:
    return str(app.screen.query_one("#confirm-question").render())


def _anna_on(salon: Salon, day: date, customer_id: str) -> list[dict]:
    items = salon.api.get("/appointments", params={"date": day.isoformat(), "staff_id": "stf_anna"}).json()["items"]
    return [a for a in items if a["customer_id"] == customer_id]


async def _retype(pilot, box, text: str) -> None:
    box.focus()
    await pilot.press("ctrl+a", "ctrl+k", *text)


async def test_a_changed_time_is_warned_again_naming_the_other_booking(make_app, ui_server):
    """Back from the warning, change the time to another busy slot, save: warned again, about that
    one. (Before, a first refusal armed "book anyway" for whatever the form said next.)"""
    salon = Salon(ui_server.url)
    morning, afternoon = salon.customer("Éva"), salon.customer("Ildikó")
    salon.book(morning["id"], at(DAY_BOOK, 10))  # Anna 10:00–10:45
    salon.book(afternoon["id"], at(DAY_BOOK, 14))  # Anna 14:00–14:45
    customer = salon.customer()
    salon.card(customer["id"])
    app = app_on(ui_server.url, at(DAY_BOOK, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await book_with_package(pilot, customer["name"], expect="0/5 used")
        time_box, status = booking.query_one("#booking-time"), booking.query_one("#booking-status")
        await _retype(pilot, time_box, "10:15")
        await reach(pilot, ConfirmScreen, "f10", what="the double-booking question")
        assert f"Anna Szabó is with {morning['name']} 10:00–10:45." in _question(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is booking and str(status.render()).startswith(
            f"Not booked: Anna Szabó is with {morning['name']} 10:00–10:45."), "the clash on the status line")

        await _retype(pilot, time_box, "14:15")
        assert str(status.render()) == ""  # the old warning is about the old time
        await reach(pilot, ConfirmScreen, "f10", what="the question again, for the new time")
        assert f"Anna Szabó is with {afternoon['name']} 14:00–14:45." in _question(app)
        assert morning["name"] not in _question(app)
        assert _anna_on(salon, DAY_BOOK, customer["id"]) == []  # nothing saved while asking
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "booked anyway")
    [booked] = _anna_on(salon, DAY_BOOK, customer["id"])
    assert datetime.fromisoformat(booked["start"]) == at(DAY_BOOK, 14, 15)


async def test_a_move_of_an_overlapping_appointment_is_warned_again(make_app, ui_server):
    """Booked anyway at 10:15 over Éva; moving it into 14:15 (over Ildikó) asks again, naming her;
    "Back" changes nothing; confirming moves it."""
    salon = Salon(ui_server.url)
    morning, afternoon = salon.customer("Éva"), salon.customer("Ildikó")
    salon.book(morning["id"], at(DAY_MOVE, 10))
    salon.book(afternoon["id"], at(DAY_MOVE, 14))
    appt = _book_anyway(salon, salon.customer()["id"], at(DAY_MOVE, 10, 15))
    app = app_on(ui_server.url, at(DAY_MOVE, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        for answer in ("n", "y"):
            form = await reach(pilot, MoveAppointmentScreen, "m", what="the move form")
            await _retype(pilot, form.query_one("#move-time"), "14:15")
            await reach(pilot, ConfirmScreen, "enter", what="the double-booking question")
            assert f"Anna Szabó is with {afternoon['name']} 14:00–14:45." in _question(app)
            await pilot.press(answer)
            await wait_until(pilot, lambda: app.screen is view, "back on the appointment")
            if answer == "n":
                status = view.query_one("#appointment-status")
                await wait_until(pilot, lambda: str(status.render()).startswith(
                    f"Nothing changed: Anna Szabó is with {afternoon['name']}"), "nothing changed, said")
                assert salon.appointment(appt["id"])["version"] == appt["version"]
        await wait_until(pilot, lambda: view.appointment.version == appt["version"] + 1, "moved")
    assert datetime.fromisoformat(salon.appointment(appt["id"])["start"]) == at(DAY_MOVE, 14, 15)


async def test_overlapping_appointments_are_all_reachable_by_keyboard(make_app, ui_server):
    """Two at Anna's 10:00 (one exactly over the other) and one from 10:30 to 11:30 over both:
    every one is marked where it is and opens from the keyboard; 10:45–11:30 never looks free."""
    salon = Salon(ui_server.url)
    first = salon.book(salon.customer("Első")["id"], at(DAY_GRID, 10))  # 10:00–10:45
    same = _book_anyway(salon, salon.customer("Ugyanaz")["id"], at(DAY_GRID, 10))  # 10:00–10:45
    later = _book_anyway(salon, salon.customer("Később")["id"], at(DAY_GRID, 10, 30), "svc_gel_manicure")  # –11:30
    app = app_on(ui_server.url, at(DAY_GRID, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await calendar_ready(pilot)
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.move_to(first["id"]), "the day's bookings")
        grid.focus()
        cell = lambda: str(grid.get_cell_at(grid.cursor_coordinate))  # noqa: E731
        assert cell().rstrip().endswith("+1")  # 10:00: two there

        async def choose(count: int, appointment: dict) -> None:
            """Enter on the cell, then Down to the appointment's line and Enter."""
            chooser = await reach(pilot, ChoiceScreen, "enter", what="the chooser")
            options = chooser.query_one("#choice-options")
            await wait_until(pilot, lambda: options.option_count == count, "every appointment of the cell")
            labels = [str(options.get_option_at_index(i).prompt) for i in range(count)]
            [index] = [i for i, label in enumerate(labels) if appointment["customer_name"] in label]
            await pilot.press(*["down"] * index, "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen)
                             and app.screen.appointment is not None, "the appointment")
            assert app.screen.appointment.id == appointment["id"]
            await reach(pilot, CalendarScreen, "escape", what="the calendar")

        await choose(2, same)
        await choose(2, first)
        await pilot.press("down", "down")  # 10:30: all three
        assert cell().rstrip().endswith("+2")
        await choose(3, later)

        await pilot.press("down")  # 10:45: only the later one, named where it comes out from under
        assert "Később" in cell() and "+" not in cell()
        await pilot.press("down")  # 11:00
        assert "Gel Manicure" in cell()
        await pilot.press("down")  # 11:15: still taken, never a free slot
        assert getattr(grid.selection(), "id", None) == later["id"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen)
                         and app.screen.appointment is not None, "opened straight away")
        assert app.screen.appointment.id == later["id"]

