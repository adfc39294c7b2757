"""The booking form when its customer changes, and a refusal put on the input it is about."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from tests.support.api_client import key
from tests.ui.at_the_calendar import book_with_package, booking_with_the_match, calendar_ready
from tests.ui.pilot import wait_until
from tests.ui.salon import Salon, app_on, at


async def _find(pilot, booking: BookingScreen, name: str) -> None:
    box = booking.query_one("#booking-customer")
    box.focus()
    box.value = ""
    await pilot.press(*name)
    results = booking.query_one("#booking-customers")
    await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, name)
    await pilot.press("enter", "enter")
    await wait_until(pilot, lambda: booking._customer is not None and booking._customer.name == name, "chosen")


async def test_another_customer_drops_the_package_line_of_the_first(make_app, ui_server):
    salon = Salon(ui_server.url)
    first, second = salon.customer("Első"), salon.customer("Második")
    salon.card(first["id"])
    day = date(2031, 7, 8)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await book_with_package(pilot, first["name"], expect="0/5 used")
        await _find(pilot, booking, second["name"])
        lines = booking.query_one("#booking-lines", DataTable)
        await wait_until(pilot, lambda: lines.row_count == 0, "the first customer's package line gone")
        said = str(booking.query_one("#booking-status").render())
        assert f"Removed Manicure from 5x Manicure: that package is {first['name']}'s" in said, said


async def test_a_refused_line_is_highlighted_with_the_servers_sentence(make_app, ui_server):
    salon = Salon(ui_server.url)
    holder, heir = salon.customer("Kártyás"), salon.customer("Örökös")
    card = salon.card(holder["id"])
    day = date(2031, 7, 9)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await book_with_package(pilot, holder["name"], expect="0/5 used")
        # Meanwhile, at another desk, the card is given to someone else.
        salon.api.patch(f"/cards/{card['id']}", json={"customer_id": heir["id"], "note": "given to her sister"},
                        headers=key()).raise_for_status()
        await pilot.press("f10")
        status = booking.query_one("#booking-status")
        await wait_until(pilot, lambda: str(status.render()) not in ("", "Saving…"), "the answer")
        said = str(status.render())
        # A card that is neither the customer's nor shared with them as a family member.
        assert said.startswith(f"5x Manicure is {heir['name']}'s and is not shared with {holder['name']}"), said
        lines = booking.query_one("#booking-lines", DataTable)
        assert lines.has_class("refused") and lines.has_focus and lines.cursor_row == 0
        assert lines.tooltip == said
        assert isinstance(app.screen, BookingScreen)  # nothing typed is lost


async def test_escape_asks_before_a_booking_half_made_is_thrown_away(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Félbehagyott")
    salon.card(customer["id"])
    day = date(2031, 9, 17)  # a day no other UI test books on (test_family_cards has 2031-07-10 at 9)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await calendar_ready(pilot)
        booking = await book_with_package(pilot, customer["name"], expect="0/5 used")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = str(app.screen.query_one("#confirm-question").render())
        assert question == f"Discard the booking for {customer['name']}? Nothing has been saved.", question
        await pilot.press("n")  # keep editing: everything typed is still there
        await wait_until(pilot, lambda: app.screen is booking, "back on the booking")
        assert booking.query_one("#booking-lines", DataTable).row_count == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question again")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is calendar, "back on the calendar")


async def test_escape_leaves_an_empty_booking_at_once(make_app, ui_server):
    app = app_on(ui_server.url, at(date(2031, 9, 18), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        calendar = await calendar_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is calendar, "back on the calendar")


async def test_escape_with_only_a_name_typed_asks_about_this_booking(make_app, ui_server):
    # Seen in tmux: it asked "Discard the booking for this customer?" when no customer was chosen.
    app = app_on(ui_server.url, at(date(2031, 9, 19), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
        await pilot.press(*"Senki")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        question = str(app.screen.query_one("#confirm-question").render())
        assert question == "Discard this booking? Nothing has been saved.", question


async def test_down_in_the_customer_box_goes_to_the_matches_and_enter_picks(make_app, ui_server):
    # Seen in tmux: ↓ in the box did nothing, so ↓ ⏎ — as in F3's search box — only reached the
    # matches and a second ⏎ was needed to pick.
    salon = Salon(ui_server.url)
    customer = salon.customer("Lefelé Lujza")
    app = app_on(ui_server.url, at(date(2031, 7, 10), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking, results = await booking_with_the_match(pilot, customer["name"])
        await pilot.press("down")
        assert booking.focused is results
        await pilot.press("enter")
        await wait_until(pilot, lambda: booking._customer is not None, "the customer chosen")
        assert booking._customer.id == customer["id"]
