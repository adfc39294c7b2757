"""Family cards from the keyboard at 80×24: the owner's Packages tab lists who may use a card and
w adds or removes them (the customer picker); a member's profile shows the card as shared, r
redeems it for them, its history says who used it, and the owner's keys say why they are not
the member's. Everything arranged through the real API; nothing mocked."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Label, OptionList

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.card_family import CardFamilyScreen
from desk_tui.ui.screens.card_history import CardHistoryScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.fitted_table import FittedTable
from desk_tui.ui.widgets.package_panel import PackagePanel
from tests.support.api_client import key
from tests.ui.at_the_calendar import book_with_package, calendar_ready, open_appointment, take_from_package
from tests.ui.at_the_profile import block, open_profile
from tests.ui.picking_a_customer import pick_customer
from tests.ui.pilot import notifications, wait_until
from tests.ui.reading_screens import detail
from tests.ui.salon import Salon, app_on, at


def family_text(screen, card_id: str) -> str:
    label = block(screen, card_id).query_one(".card-family", Label)
    return str(label.render()) if label.display else ""


def share(salon: Salon, card_id: str, customer_id: str) -> None:
    salon.api.post(f"/cards/{card_id}/members", json={"customer_id": customer_id}, headers=key()).raise_for_status()


@pytest.fixture
def family(ui_server) -> tuple[Salon, dict, dict, dict]:
    """A mother's card, shared with her daughter."""
    salon = Salon(ui_server.url)
    owner, daughter = salon.customer("Anyuka"), salon.customer("Lányka")
    card = salon.card(owner["id"])
    share(salon, card["id"], daughter["id"])
    return salon, owner, daughter, card


async def test_the_owner_removes_and_adds_a_family_member_with_w(make_app, family):
    salon, owner, daughter, card = family
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, owner["id"], role="reception")
        assert family_text(screen, card["id"]) == f"Family (w): {daughter['name']}"
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, CardFamilyScreen), "the family dialog")
        dialog = app.screen
        members = dialog.query_one(OptionList)
        assert str(members.get_option_at_index(0).prompt) == daughter["name"]
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is dialog and not members.get_option_at_index(0).id,
                         "nobody listed")
        assert salon.get_card(card["id"])["members"] == []
        # And back again: a, the customer picker, Enter.
        await pick_customer(pilot, "a", daughter["name"])
        await wait_until(pilot, lambda: app.screen is dialog and members.option_count == 1
                         and str(members.get_option_at_index(0).prompt) == daughter["name"], "the member listed")
        assert [m["customer_id"] for m in salon.get_card(card["id"])["members"]] == [daughter["id"]]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "the profile")
        assert family_text(screen, card["id"]) == f"Family (w): {daughter['name']}"
        # Removed at another desk: the profile follows (a live event), the line goes.
        salon.api.delete(f"/cards/{card['id']}/members/{daughter['id']}", headers=key()).raise_for_status()
        await wait_until(pilot, lambda: family_text(screen, card["id"]) == "", "the family line gone")


async def test_a_member_redeems_the_shared_card_and_its_history_says_who(make_app, family):
    salon, owner, daughter, card = family
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, daughter["id"], role="reception")
        assert family_text(screen, card["id"]) == f"Shared by {owner['name']}"
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        question = str(app.screen.query_one("#confirm-question").render())
        assert f"for {daughter['name']}" in question and f"{owner['name']}'s" in question, question
        await pilot.press("enter")
        await wait_until(pilot, lambda: block(screen, card["id"]).card.balances[0].used == 1, "one used")
        entries = salon.api.get(f"/cards/{card['id']}/transactions").json()["items"]
        assert (entries[-1]["kind"], entries[-1]["used_by_customer_id"]) == ("redeem", daughter["id"])
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen), "the history")
        history = app.screen
        await wait_until(pilot, lambda: history.query_one(FittedTable).table.row_count == 2, "both entries")
        # The cursor is on the newest entry; at 80 columns the pane beneath spells out what is cut.
        # The table is read afresh each time: it may be laid out again (columns fitted) meanwhile.
        await wait_until(pilot, lambda: history.query_one(FittedTable).highlighted_key == entries[-1]["id"],
                         "the redemption highlighted")

        def shown() -> str:
            row = history.query_one(FittedTable).table.get_row_at(1)
            return " ".join(str(cell) for cell in row) + " " + detail(history)

        await wait_until(pilot, lambda: f"Redeemed Manicure, used by {daughter['name']}" in shown(),
                         "who used it, said on the row or beneath it")


async def test_the_owners_keys_say_why_on_a_shared_card(make_app, family):
    salon, owner, daughter, card = family
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(pilot, daughter["id"], role="manager")
        for key_ in ("f", "w"):
            await pilot.press(key_)
            await wait_until(pilot, lambda: any(f"{card['package_name']} is {owner['name']}'s" in n.message
                                                for n in notifications(app)), f"the sentence for {key_}")
            app.clear_notifications()
        assert salon.get_card(card["id"])["status"] == "active"  # nothing was sent


async def test_booking_for_a_member_offers_the_shared_card(make_app, family):
    salon, owner, daughter, card = family
    app = app_on(salon.url, at(date(2031, 7, 10), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        booking = await book_with_package(pilot, daughter["name"], expect="0/5 used")
        heading = str(booking.query_one(PackagePanel).get_option_at_index(0).prompt)
        assert f"shared by {owner['name']}" in heading, heading
        await pilot.press("f10")
        await wait_until(pilot, lambda: not isinstance(app.screen, BookingScreen), "the booking saved")
        await wait_until(pilot, lambda: salon.get_card(card["id"])["balances"][0]["booked"] == 1, "the owner's unit booked")
        entries = salon.api.get(f"/cards/{card['id']}/transactions").json()["items"]
        assert (entries[-1]["kind"], entries[-1]["used_by_customer_id"]) == ("reserve", daughter["id"])


async def test_a_members_paid_line_can_be_taken_from_the_shared_card(make_app, family):
    """Check-in's p (use a package) offers the owner's shared card to the member, as booking does."""
    salon, owner, daughter, card = family
    day = date(2031, 7, 11)
    appt = salon.book(daughter["id"], at(day, 12))  # a paid Manicure
    app = app_on(salon.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        view = await open_appointment(pilot, appt["id"])
        question = await take_from_package(pilot, view)
        assert f"from {owner['name']}'s {card['package_name']}" in question, question
        # the line's badge says whose card it is
        badge = str(view.query_one("#appointment-lines", DataTable).get_row_at(0)[3])
        assert badge.startswith(f"{owner['name']}'s {card['package_name']} · "), badge
    assert salon.appointment(appt["id"])["lines"][0]["source"]["card_id"] == card["id"]
    entries = salon.api.get(f"/cards/{card['id']}/transactions").json()["items"]
    assert (entries[-1]["kind"], entries[-1]["used_by_customer_id"]) == ("reserve", daughter["id"])


async def test_the_demo_salon_shows_a_family_card_on_a_members_profile(make_app, ui_server):
    """What a new user sees on the demo: cus_demo0012 may use cus_demo0006's card."""
    owner = Salon(ui_server.url).api.get("/customers/cus_demo0006").json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, "cus_demo0012", role="reception")
        assert family_text(screen, "crd_demo_0601") == f"Shared by {owner['name']}"
