"""Fewer keys, no dead ends: what a receptionist presses on a busy day, counted and checked.

Against the real demo server; each test arranges its own customer through the API.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from tests.support.api_client import key
from tests.ui.at_the_profile import open_profile
from tests.ui.pilot import notifications, sign_in, wait_until
from tests.ui.salon import Salon, this_hour

BUDAPEST = ZoneInfo("Europe/Budapest")


@pytest.fixture
def salon(ui_server):
    return Salon(ui_server.url)


def _appointment(salon: Salon, customer_id: str, service_id: str, card_id: str | None = None) -> dict:
    line = {"service_id": service_id} | ({"source": {"card_id": card_id}} if card_id else {})
    r = salon.api.post("/appointments", json={"customer_id": customer_id, "staff_id": "stf_anna",
                                              "start": this_hour().isoformat(), "allow_overlap": True,
                                              "lines": [line]}, headers=key())
    r.raise_for_status()
    return r.json()


async def _checkout_keys(pilot, appointment_id: str) -> list[str]:
    """From the appointment screen to the receipt of a fully covered visit; returns the keys pressed."""
    app = pilot.app
    await sign_in(pilot)
    await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
    screen = AppointmentScreen(appointment_id, tz=BUDAPEST)
    app.push_screen(screen)
    await wait_until(pilot, lambda: screen.appointment is not None, "the appointment")
    pressed = []

    async def press(k: str) -> None:
        pressed.append(k)
        await pilot.press(k)

    await press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the appointment's cart")
    await press("f10")
    # the dialog may be current a moment before its fields are composed (a busy machine)
    await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen) and app.screen.query(".form-question"),
                     "the payment dialog")
    assert "Fully covered" in str(app.screen.query_one(".form-question").render())
    await press("f10")
    await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
    return pressed


async def test_a_visit_covered_by_a_membership_credit_checks_out_in_three_keys(make_app, salon):
    customer = salon.customer("Member")
    salon.api.post(f"/customers/{customer['id']}/memberships", json={"plan_id": "mpl_demo_gold",
                                                                     "reason": "test set-up"},
                   headers=key()).raise_for_status()
    appointment = _appointment(salon, customer["id"], "svc_deep_tissue")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        keys = await _checkout_keys(pilot, appointment["id"])
    assert keys == ["f4", "f10", "f10"]
    assert salon.appointment(appointment["id"])["status"] == "completed"
    enrollment = salon.api.get(f"/customers/{customer['id']}/memberships").json()["items"][0]
    assert next(c for c in enrollment["credits"] if c["service_id"] == "svc_deep_tissue")["used"] == 1


async def test_a_visit_booked_from_a_package_checks_out_in_three_keys(make_app, salon):
    customer = salon.customer("Package")
    card = salon.card(customer["id"])
    appointment = _appointment(salon, customer["id"], "svc_manicure", card_id=card["id"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        keys = await _checkout_keys(pilot, appointment["id"])
    assert keys == ["f4", "f10", "f10"]
    assert salon.get_card(card["id"])["balances"][0]["used"] == 1


async def test_f2_shows_the_grid_not_the_appointment_last_opened(make_app, salon, ui_server):
    from datetime import date

    from desk_tui.ui.screens.calendar import CalendarScreen
    from desk_tui.ui.screens.customers import CustomersScreen
    from desk_tui.ui.widgets.day_grid import DayGrid
    from tests.ui.salon import app_on, at

    customer = salon.customer("Grid")
    day = date(2034, 1, 9)
    appt = salon.book(customer["id"], at(day, 10))
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        calendar = app.screen
        grid = calendar.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.move_to(appt["id"]), "the appointment in the grid")
        grid.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen), "the appointment")
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomersScreen), "F3 Customers")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "F2: the grid")
        assert len(app.screen_stack) == 1
        # Still reachable: the grid's cursor stayed on it, Enter opens it again.
        assert getattr(grid.selection(), "id", None) == appt["id"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AppointmentScreen), "the appointment again")
        await pilot.press("f2")  # from the appointment itself, too
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "F2 from the appointment")
        await pilot.press("b")  # a calendar key lands on the calendar
        from desk_tui.ui.screens.booking import BookingScreen

        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "b books")
        await pilot.press(*"Gr")  # something typed: F3 and F2 come back to it
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomersScreen), "F3 Customers")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking kept")
        assert app.screen.query_one("#booking-customer").value == "Gr"


async def test_after_switching_to_a_manager_reports_show_without_a_refresh(make_app):
    from desk_tui.ui.screens.login import LoginScreen
    from desk_tui.ui.screens.reports import ReportsScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen), "F7 Reports")
        reports = app.screen
        summary = reports.query_one("#reports-summary")
        await wait_until(pilot, lambda: "for managers" in str(summary.render()), "the sentence for reception")
        assert reports.check_action("export", ()) is False
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "switch staff")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: app.screen is reports, "back on F7")
        await wait_until(pilot, lambda: "Owed to customers" in str(summary.render()), "the figures, no r pressed")
        assert reports.check_action("export", ()) is True
        assert reports.query_one("#liability").row_count > 0
        # and back to reception: the figures go, not only the keys
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "switch staff")
        await pilot.press(*"reception", "enter", *"1111", "enter")
        await wait_until(pilot, lambda: "for managers" in str(summary.render()), "the sentence again")
        assert reports.query_one("#liability").row_count == 0


async def test_any_failure_while_signing_in_is_said_in_a_sentence(make_app):
    from desk_tui.ui.screens.login import LoginScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")

        async def broken(*args, **kwargs):  # a fault inside this terminal, not a refusal from the server
            raise RuntimeError("keyring backend crashed")

        app.client.login = broken
        await pilot.press(*"reception", "enter", *"1111", "enter")
        status = app.screen.query_one("#login-status")
        await wait_until(pilot, lambda: "did not work" in str(status.render()), "a sentence")
        assert isinstance(app.screen, LoginScreen) and "Signing in…" not in str(status.render())


def _said(app, words: str) -> bool:
    return any(words in n.message for n in notifications(app))


async def test_quick_redeem_on_an_expired_or_used_up_card_says_why_without_asking(make_app, salon):
    customer = salon.customer("Expired")
    card = salon.card(customer["id"])
    yesterday = (datetime.now(BUDAPEST) - timedelta(days=1)).date().isoformat()
    salon.api.patch(f"/cards/{card['id']}", json={"expires_on": yesterday, "note": "test set-up"},
                    headers=key()).raise_for_status()
    used_up = salon.customer("UsedUp")
    empty = salon.card(used_up["id"], units_left=0)
    assert empty["status"] == "fully_used"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, customer["id"], "reception")
        assert profile.check_action("redeem", ()) is None  # dimmed in the footer, not offered as usable
        await pilot.press("r")
        await wait_until(pilot, lambda: _said(app, "expired on"), "why r does nothing")
        assert app.screen is profile  # no confirmation was asked first
        app.pop_screen()
        profile = await _profile_again(pilot, used_up["id"])
        await pilot.press("r")
        await wait_until(pilot, lambda: _said(app, "fully used"), "why r does nothing on a used-up card")
        assert app.screen is profile
    assert salon.get_card(card["id"])["balances"][0]["used"] == 0


async def _profile_again(pilot, customer_id: str):
    from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
    from desk_tui.ui.widgets.card_block import CardBlock

    screen = CustomerProfileScreen(customer_id)
    pilot.app.push_screen(screen)
    await wait_until(pilot, lambda: pilot.app.screen is screen and screen.query(CardBlock) and screen.pick is not None,
                     "the profile's cards")
    return screen


async def test_transfer_of_a_refunded_card_says_why_before_any_search(make_app, salon):
    customer = salon.customer("Refunded")
    card = salon.card(customer["id"])
    salon.api.post(f"/cards/{card['id']}/refund", json={"reason": "test set-up"}, headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, customer["id"], "manager")
        await pilot.press("t")
        await wait_until(pilot, lambda: _said(app, "closed for good and cannot be transferred"), "why t does nothing")
        assert app.screen is profile  # no customer search, no confirmation


async def test_reception_pressing_u_in_the_history_is_told_it_is_for_managers(make_app, salon):
    from desk_tui.ui.screens.card_history import CardHistoryScreen

    customer = salon.customer("History")
    card = salon.card(customer["id"])
    salon.api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"},
                   headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(pilot, customer["id"], "reception")
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen) and app.screen.entries,
                         "the history")
        history = app.screen
        await pilot.press("u")
        await wait_until(pilot, lambda: _said(app, "Undoing a redemption is for managers and owners"), "why u")
        assert app.screen is history
    assert salon.get_card(card["id"])["balances"][0]["used"] == 1


def _screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the screenshot's characters, spaces restored)."""
    import html
    import re

    rows: dict[float, str] = {}
    for y, text in re.findall(r'<text class="[^"]*" x="[^"]*" y="([^"]*)"[^>]*>([^<]*)</text>', app.export_screenshot()):
        rows[float(y)] = rows.get(float(y), "") + html.unescape(text).replace("\xa0", " ")
    return [rows[y] for y in sorted(rows)]


async def test_the_booking_panel_starts_on_the_first_usable_row_and_keeps_its_words(make_app, salon, ui_server):
    from datetime import date

    from desk_tui.ui.widgets.day_grid import DayGrid
    from tests.ui.at_the_calendar import booking_with_the_match
    from tests.ui.salon import app_on, at

    customer = salon.customer("Panel")
    salon.card(customer["id"], "pkg_demo_facials_massages")
    salon.card(customer["id"], "pkg_demo_pamper_360")  # more rows than fit: the panel's scrollbar shows
    day = date(2034, 1, 10)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        grid = app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.row_count > 0, "the day grid")
        booking, _ = await booking_with_the_match(pilot, customer["name"])
        await pilot.press("enter", "enter")
        panel = booking.query_one("#booking-packages")
        await wait_until(pilot, lambda: panel.option_count >= 4, "the available packages")
        first = panel.get_option_at_index(panel.highlighted)
        assert not first.disabled and panel.highlighted == 1  # the row under the card's heading, no ↓ needed
        await pilot.pause()
        lines = _screen_lines(app)
        for service, words in (("Facial", "0/3 used"), ("Deep Tissue Massage", "0/2 used")):
            assert any(service in x and words in x for x in lines), (service, lines)
        await pilot.press("enter")  # Use, straight away
        await wait_until(pilot, lambda: booking.query_one("#booking-lines").row_count == 1, "the package line")


async def test_the_palette_finds_everyday_tasks_from_any_screen_and_no_cursor_keys(make_app, ui_server):
    from datetime import date

    from textual.command import CommandPalette

    from desk_tui.ui.screens.booking import BookingScreen
    from desk_tui.ui.screens.packages import PackagesScreen
    from tests.ui.salon import app_on, at

    app = app_on(ui_server.url, at(date(2034, 1, 11), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, PackagesScreen), "F6 Packages")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Book an appointment", "Find a customer", "New cart", "Redeem a package for a customer"} <= titles
        assert not any(t.startswith(("Cursor", "Scroll", "Focus")) for t in titles), titles
        assert {"Theme", "Keys", "Screenshot"} <= titles  # Textual's own commands stay
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"book")
        await wait_until(pilot, lambda: app.screen.query("CommandList Option") or
                         app.screen.query_one("CommandList").option_count > 0, "the matches")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "booking, from F6")
        assert app.current_mode == "calendar"
