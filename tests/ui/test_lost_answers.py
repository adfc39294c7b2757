"""Saving again after the answer was lost applies nothing twice: the real app, a real server, and a
real proxy on loopback between them that lets requests through but loses the answers."""

from __future__ import annotations

from datetime import date

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from tests.support.proxy import LossyProxy
from tests.ui.at_the_calendar import book_with_package, calendar_ready
from tests.ui.at_the_profile import open_profile, shown_remaining
from tests.ui.pilot import notifications, wait_until
from tests.ui.salon import Salon, app_on, at


async def test_a_booking_saved_while_its_answers_are_lost_is_booked_once_when_saved_again(ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])
    day = date(2031, 4, 7)

    def on_server() -> list[dict]:
        return salon.api.get(f"/customers/{customer['id']}/appointments", params={"from": day.isoformat()}).json()

    async with LossyProxy(ui_server.url) as proxy:
        app = app_on(proxy.url, at(day, 9))
        async with app.run_test(size=(80, 24)) as pilot:
            await calendar_ready(pilot)
            booking = await book_with_package(pilot, customer["name"], expect="0/5 used")
            status = booking.query_one("#booking-status")

            proxy.lose_answers = True  # the server books it; the answer never comes back
            await pilot.press("f10")
            await wait_until(pilot, lambda: "cannot be reached" in str(status.render()), "the save to fail")
            assert isinstance(app.screen, BookingScreen)  # nothing typed is lost
            assert proxy.lost >= 1 and len(on_server()) == 1

            proxy.lose_answers = False  # the line is back: the receptionist saves again
            await pilot.press("f10")
            await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen), "back on the calendar")
            assert proxy.replayed_answers() == 1
            assert len(on_server()) == 1
            assert salon.get_card(card["id"])["balances"][0]["booked"] == 1


async def test_a_quick_redeem_pressed_again_after_a_lost_answer_says_the_first_one_counted(ui_server, desk_home):
    salon = Salon(ui_server.url)
    customer = salon.customer()
    card = salon.card(customer["id"])

    async def redeem_once(pilot) -> None:
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")

    def notified(title: str) -> list[str]:
        return [n.message for n in notifications(app) if n.title == title]

    async with LossyProxy(ui_server.url) as proxy:
        app = DeskApp(settings=load_settings(server=proxy.url), paths=Paths.from_env())  # no clock: a walk-in today
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_profile(pilot, customer["id"], role="reception")

            proxy.lose_answers = True
            await redeem_once(pilot)
            await wait_until(pilot, lambda: any("cannot be reached" in n.message for n in notifications(app))
                             and all(w.is_finished for w in app.workers if w.group == "profile-redeem"),
                             "the redemption to fail")
            assert salon.get_card(card["id"])["balances"][0]["used"] == 1  # it did count on the server

            proxy.lose_answers = False
            await redeem_once(pilot)
            await wait_until(pilot, lambda: notified("Already redeemed"), "the earlier one confirmed")
            assert "Nothing more was redeemed now" in notified("Already redeemed")[0]
            assert shown_remaining(screen, card["id"]) == 4 and not notified("Redeemed")
            assert salon.get_card(card["id"])["balances"][0]["used"] == 1

            await redeem_once(pilot)  # answered now: another press is another redemption
            await wait_until(pilot, lambda: notified("Redeemed"), "a new redemption")
            assert salon.get_card(card["id"])["balances"][0]["used"] == 2
