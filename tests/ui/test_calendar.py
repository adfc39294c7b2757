"""The calendar, booking from packages and the appointment view, against the real API.

Each test owns a calendar day far in the future and its own customer and card, so tests never
see each other's bookings on the shared demo server.
"""

from __future__ import annotations

from datetime import date, datetime

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.customer_form import CustomerFormScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.ui.at_the_calendar import book_with_package, calendar_ready, open_appointment, take_from_package
from tests.ui.picking_a_customer import pick_customer
from tests.ui.pilot import reach, wait_until
from tests.ui.salon import Salon, app_on, at


def _booked(card: dict) -> int:
    return card["balances"][0]["booked"]


def _used(card: dict) -> int:
    return card["balances"][0]["used"]








async def test_book_from_a_package_moves_the_counter(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2031, 1, 6)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await calendar_ready(pilot)
        assert calendar.day == day
        booking = await book_with_package(pilot, customer["name"], expect="0/5 used")
        assert "Package" in str(booking.query_one("#booking-lines").get_row_at(0)[2])
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "back on the calendar")
        after = salon.get_card(card["id"])
        assert _booked(after) == 1 and _used(after) == 0
        grid = app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: "▣" in str(grid.get_cell_at(grid.cursor_coordinate)), "the package box")


async def test_cancel_restores_the_session(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2031, 1, 7)
    appt = salon.book(customer["id"], at(day, 10), card_id=card["id"])
    assert _booked(salon.get_card(card["id"])) == 1
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "goes back to the package" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: view.appointment.status == "cancelled", "cancelled")
        assert "Session restored to 5x Manicure: 0/5 used" in str(view.query_one("#appointment-status").render())
    assert _booked(salon.get_card(card["id"])) == 0


async def test_no_show_stays_used(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2021, 1, 8)  # a day gone by: a no-show is said on the appointment's day or after
    appt = salon.book(customer["id"], at(day, 11), card_id=card["id"])
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: view.appointment.status == "no_show", "no-show")
    after = salon.get_card(card["id"])
    assert _used(after) == 1 and _booked(after) == 0


async def test_switch_a_paid_line_to_the_package(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2031, 1, 9)
    appt = salon.book(customer["id"], at(day, 12))  # a paid Manicure
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        assert view.appointment.lines[0].price > 0
        await take_from_package(pilot, view)
        assert view.appointment.lines[0].price == 0
    assert _booked(salon.get_card(card["id"])) == 1


async def test_check_in_offers_to_redeem_from_the_package(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2021, 1, 11)  # a day gone by: a check-in is on the appointment's day or after
    appt = salon.book(customer["id"], at(day, 13))  # booked online as a single, paid treatment
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the redeem prompt")
        assert "Redeem service from package?" in str(app.screen.query_one(".title").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: view.appointment.lines[0].source is not None, "switched to the package")
        assert view.appointment.status == "checked_in"
    assert salon.appointment(appt["id"])["lines"][0]["source"]["card_id"] == card["id"]


async def test_last_unit_taken_meanwhile_is_refused_and_the_panel_refreshed(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"], units_left=1)
    day = date(2031, 1, 13)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await book_with_package(pilot, customer["name"], expect="0/1 used")
        panel = booking.query_one("#booking-packages")
        salon.book(customer["id"], at(day, 15), card_id=card["id"], staff_id="stf_bence")  # another terminal
        await pilot.press("f10")
        status = booking.query_one("#booking-status")
        await wait_until(pilot, lambda: "left" in str(status.render()).lower(), "the refusal in plain words")
        assert isinstance(app.screen, BookingScreen)  # nothing typed is lost
        await wait_until(pilot, lambda: panel.get_option_at_index(1).disabled, "the panel refreshed")


async def test_a_stale_version_reloads_and_says_so(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    salon.card(customer["id"])
    day = date(2031, 1, 14)
    appt = salon.book(customer["id"], at(day, 14))
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        # another terminal moves it while this one is deciding (the live reload waits for the answer)
        r = salon.api.patch(f"/appointments/{appt['id']}", json={"start": at(day, 16).isoformat()},
                            headers={"If-Match": str(appt["version"])})
        assert r.status_code == 200, r.text
        await pilot.press("y")
        status = view.query_one("#appointment-status")
        await wait_until(pilot, lambda: "Someone else changed" in str(status.render()), "the conflict sentence")
        assert view.appointment.version == r.json()["version"]  # reloaded
        assert view.appointment.lines[0].source is None  # nothing applied


async def test_move_to_another_staff_member_and_time(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    day = date(2031, 1, 15)
    appt = salon.book(customer["id"], at(day, 10))
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        await pilot.press("m")
        from desk_tui.ui.screens.move_appointment import MoveAppointmentScreen

        await wait_until(pilot, lambda: isinstance(app.screen, MoveAppointmentScreen), "the move form")
        app.screen.query_one("#move-staff").value = "stf_bence"
        app.screen.query_one("#move-time").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"15:30", "enter")
        await wait_until(pilot, lambda: view.appointment.staff_id == "stf_bence", "moved")
    moved = salon.appointment(appt["id"])
    assert moved["staff_id"] == "stf_bence" and moved["version"] == appt["version"] + 1
    assert datetime.fromisoformat(moved["start"]) == at(day, 15, 30)


async def test_a_new_customer_can_be_added_while_booking(make_app, ui_server):
    day = date(2031, 1, 16)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await reach(pilot, BookingScreen, "enter", what="the booking screen")
        await reach(pilot, CustomerFormScreen, "ctrl+n", what="the new customer form")
        await pilot.press(*"Walk In Wanda", "enter", "enter", "enter")
        await wait_until(pilot, lambda: app.screen is booking and booking._customer is not None, "back, chosen")
        assert booking.query_one("#booking-customer").value == "Walk In Wanda"


async def test_a_new_customer_without_a_name_gets_a_sentence_not_a_request(make_app, ui_server):
    app = app_on(ui_server.url, at(date(2031, 1, 16), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        await reach(pilot, BookingScreen, "enter", what="the booking screen")
        form = await reach(pilot, CustomerFormScreen, "ctrl+n", what="the new customer form")
        await pilot.press("enter", "enter", "enter")  # nothing typed
        status = form.query_one("#form-status")
        await wait_until(pilot, lambda: str(status.render()).startswith("Name: "), "the sentence")
        assert app.screen is form


async def test_slash_finds_a_customers_next_appointment(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Nóra")
    day = date(2031, 1, 20)
    later = salon.book(customer["id"], at(date(2031, 1, 27), 14), staff_id="stf_csilla")
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await calendar_ready(pilot)
        await pick_customer(pilot, "slash", customer["name"])
        await wait_until(pilot, lambda: calendar.day == date(2031, 1, 27), "the day of the next appointment")
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: getattr(grid.selection(), "id", None) == later["id"], "the cursor on it")
