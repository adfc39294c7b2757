"""A card that is over — refunded, expired — reads as what it is, first and in words, on the
profile, in the Cards table and in the booking panel: never "3/5 remaining" or "(in 20 days)"."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from textual.widgets import OptionList

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.cards import CardsScreen
from desk_tui.ui.widgets.card_block import CardBlock
from desk_tui.ui.widgets.fitted_table import FittedTable
from tests.support.api_client import key
from tests.ui.at_the_calendar import calendar_ready
from tests.ui.at_the_profile import block, open_profile
from tests.ui.pilot import wait_until
from tests.ui.salon import Salon, app_on, at

SOON = date.today() + timedelta(days=20)  # a live card this close would say "(in 20 days)"


def _cards_over(salon: Salon) -> tuple[dict, str, str]:
    """A customer with a refunded card and an expired one, both with sessions never used."""
    customer = salon.customer("Lejárt")

    def sell(number: str) -> str:
        r = salon.api.post("/cards", json={"package_id": "pkg_demo_5x_manicure", "customer_id": customer["id"],
                                           "number": number, "expires_on": SOON.isoformat(),
                                           "note": "sold for a UI test", "reason": "UI test set-up"}, headers=key())
        r.raise_for_status()
        card_id = r.json()["id"]
        for _ in range(2):
            salon.api.post(f"/cards/{card_id}/redemptions", json={"service_id": "svc_manicure"},
                           headers=key()).raise_for_status()
        return card_id

    tag = uuid.uuid4().hex[:6]
    refunded = sell(f"RF-{tag}")
    salon.api.post(f"/cards/{refunded}/refund", json={"reason": "Moving abroad"}, headers=key()).raise_for_status()
    expired = sell(f"EX-{tag}")
    salon.api.patch(f"/cards/{expired}", json={"expires_on": (date.today() - timedelta(days=3)).isoformat(),
                                               "note": "test: lapsed"}, headers=key()).raise_for_status()
    return customer, refunded, expired


def _says_nothing_is_left(text: str) -> None:
    assert "remaining" not in text and " left" not in text and "(in " not in text, text


async def test_cards_that_are_over_say_so_on_the_profile_and_in_the_cards_table(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer, refunded, expired = _cards_over(salon)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"])
        await wait_until(pilot, lambda: len(screen.query(CardBlock)) == 2, "both cards")
        for card_id, state in ((refunded, "Refunded"), (expired, "Expired")):
            shown = block(screen, card_id)
            heading = " ".join(str(label.render()) for label in shown.query("Label"))
            row = str(shown.query_one(OptionList).get_option_at_index(0).prompt)
            assert state in heading, heading
            assert "2 used, 3 unused" in row, row
            _says_nothing_is_left(heading + row)

        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, CardsScreen), "the Cards screen")
        await pilot.press(*customer["name"])
        table = app.screen.query_one("#card-table")
        await wait_until(pilot, lambda: table.row_count == 2, "the customer's two cards")
        fitted = app.screen.query_one(FittedTable)
        rows = [{k: str(v) for k, v in fitted.values(key).items()} for key in (refunded, expired)]
        by_state = {row["status"]: row for row in rows}
        assert set(by_state) == {"Refunded", "Expired"}, rows
        assert by_state["Refunded"]["expires"] == "—"
        assert by_state["Expired"]["expires"] == (date.today() - timedelta(days=3)).isoformat()
        for row in by_state.values():
            assert row["left"] == "2 used, 3 unused"
            _says_nothing_is_left(" ".join(row.values()))


async def test_the_booking_panel_heads_a_card_that_is_over_with_its_state(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer, _, _ = _cards_over(salon)
    # A day of its own with the clock stopped at 9: under the real clock Enter landed on whatever
    # the demo had booked at that minute and opened it instead of a booking.
    app = app_on(ui_server.url, at(date(2031, 8, 14), 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
        booking = app.screen
        await pilot.press(*customer["name"])
        results = booking.query_one("#booking-customers")
        await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, "the customer")
        await pilot.press("enter", "enter")
        panel = booking.query_one("#booking-packages")
        await wait_until(pilot, lambda: panel.option_count == 4, "both cards and their services")
        prompts = [str(panel.get_option_at_index(i).prompt) for i in range(4)]
        heads = [p for p in prompts if "5x Manicure" in p]
        assert any("Refunded" in h for h in heads) and any("Expired" in h for h in heads), prompts
        for prompt in prompts:
            _says_nothing_is_left(prompt)
