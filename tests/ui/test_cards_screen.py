"""F5 Cards: find a card by number or client, open its transactions and its owner."""

from __future__ import annotations

from desk_tui.ui.screens.card_history import CardHistoryScreen
from desk_tui.ui.screens.cards import CardsScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.widgets.fitted_table import FittedTable
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon


async def test_search_by_card_number_then_open_transactions_and_owner(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Kinga")
    card = salon.card(customer["id"])
    number = f"T-{card['id'][-6:]}"
    r = salon.api.patch(f"/cards/{card['id']}", json={"number": number}, headers={"Idempotency-Key": number})
    assert r.status_code == 200, r.text
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, CardsScreen), "the Cards screen")
        screen = app.screen
        await pilot.press(*number)
        table = screen.query_one("#card-table")
        await wait_until(pilot, lambda: table.row_count == 1, "exactly the card with that number")
        row = {k: str(v) for k, v in screen.query_one(FittedTable).values(card["id"]).items()}  # literal Text
        assert row["number"] == number and row["client"] == customer["name"] and row["package"] == "5x Manicure"
        assert row["left"] == "0 used, 5 left" and row["status"] == "Active"
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen), "the transactions")
        assert app.screen.card.id == card["id"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the list")
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen), "the owner's profile")
        assert app.screen.customer_id == customer["id"]
