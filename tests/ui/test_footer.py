"""The footer at 80×24 shows the keys reception needs most, whole, and says when there are more.

Before, Textual's footer laid every key out in one row and the right edge cut through the
rest: an appointment's n (no-show) and o (complete) were off screen, the manager's profile
ended in half a word.
"""

from __future__ import annotations

from datetime import date

from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.ui.pilot import sign_in, wait_until
from tests.ui.reading_screens import cut_keys, shown_keys
from tests.ui.salon import Salon, app_on, at

#: a day no other test books on
DAY = date(2033, 4, 4)
WIDTH = 80






async def test_an_appointments_footer_shows_no_show_and_complete_at_80_columns(ui_server, desk_home):
    salon = Salon(ui_server.url)
    customer = salon.customer("Lábjegyzet")
    card = salon.card(customer["id"])
    booked = salon.book(customer["id"], at(DAY, 9), card_id=card["id"])
    app = app_on(ui_server.url, at(DAY, 9))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.screen.query_one(DayGrid).move_to(booked["id"]), "the booking")
        app.screen.query_one(DayGrid).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen)
                         and app.screen.appointment is not None, "the appointment")
        await pilot.app.workers.wait_for_complete()
        await wait_until(pilot, lambda: {"c", "n", "o", "f4"} <= shown_keys(app.screen).keys(),
                         "check in, no-show, complete and checkout on the footer")
        assert cut_keys(app.screen) == []
        shown = shown_keys(app.screen)
        # Eight keys do not all fit: the footer says so instead of cutting one in half.
        assert "f1" in shown and shown["f1"].description == "more"


async def test_a_managers_profile_footer_is_cut_nowhere(ui_server, desk_home):
    salon = Salon(ui_server.url)
    customer = salon.customer("Kerekes")
    salon.card(customer["id"])
    app = app_on(ui_server.url, at(DAY, 9))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        app.push_screen(CustomerProfileScreen(customer["id"]))
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen), "the profile")
        await pilot.app.workers.wait_for_complete()
        await wait_until(pilot, lambda: "r" in shown_keys(app.screen), "the card keys")
        # The footer is laid out again whenever the bindings change (a worker ending): it is the
        # settled footer that must fit, so wait for it rather than read one mid-layout.
        await wait_until(pilot, lambda: cut_keys(app.screen) == [] and len(shown_keys(app.screen)) >= 5,
                         "five keys or more, none cut")


async def test_esc_on_the_footer_says_what_esc_does_on_the_screen(ui_server, desk_home):
    """The app's Esc (messages away, then on to the screen) is a priority binding; the footer
    shows the screen's Esc beneath it, not nothing."""
    app = app_on(ui_server.url, at(DAY, 9))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.screen.query(DayGrid), "the calendar")
        app.screen.query_one(DayGrid).focus()
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking form")
        await wait_until(pilot, lambda: "escape" in shown_keys(app.screen), "esc on the footer")
        assert shown_keys(app.screen)["escape"].description == "Cancel"
