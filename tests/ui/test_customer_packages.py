"""The customer profile's Packages tab, driven by keys against the real demo server.

Tests that change a card sell a fresh one to a new customer through the API first, so the
shared UI server's demo cards stay as the other tests expect them.
"""

from __future__ import annotations

import uuid

from textual.widgets import DataTable, OptionList, Static

from desk_tui.ui.screens.card_actions import RefundScreen
from desk_tui.ui.screens.card_history import CardHistoryScreen
from desk_tui.ui.screens.card_transfer import TransferScreen
from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from desk_tui.ui.widgets.card_block import CardBlock
from desk_tui.ui.widgets.fitted_table import FittedTable
from tests.support.api_client import key
from tests.ui.at_the_profile import block, open_profile, shown_remaining
from tests.ui.pilot import notifications, sign_in, wait_until


def new_customer(manager_api, name: str | None = None) -> dict:
    name = name or f"Test {uuid.uuid4().hex[:8]}"
    r = manager_api.post("/customers", json={"name": name}, headers=key())
    r.raise_for_status()
    return r.json()


def sell(manager_api, customer_id: str, package_id: str = "pkg_demo_5x_manicure", **extra) -> dict:
    r = manager_api.post("/cards", json={"package_id": package_id, "customer_id": customer_id, "note": "test sale",
                                 "reason": "test set-up", **extra}, headers=key())
    r.raise_for_status()
    return r.json()


def remaining(manager_api, card_id: str, entitlement: int = 0) -> int:
    return manager_api.get(f"/cards/{card_id}").json()["balances"][entitlement]["remaining"]






def first_row(screen, card_id: str) -> str:
    return str(block(screen, card_id).query_one(OptionList).get_option_at_index(0).prompt)




async def test_search_by_card_number_opens_the_profile_with_every_card(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", *"BS-1001")
        results = app.screen.query_one("#customer-results", DataTable)
        await wait_until(pilot, lambda: results.row_count == 1, "the card number's owner")
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen) and app.screen.query(CardBlock),
                         "the profile")
        screen = app.screen
        await wait_until(pilot, lambda: len(screen.query(CardBlock)) == 3, "three cards")
        first = block(screen, "crd_demo_0101")
        heading = " ".join(str(label.render()) for label in first.query("Label"))
        assert "5x Manicure" in heading and "#BS-1001" in heading and "Active" in heading
        rows = [str(first.query_one(OptionList).get_option_at_index(0).prompt)]
        assert "●●○○○" in rows[0] and "2 used, 3 left" in rows[0]
        pamper = block(screen, "crd_demo_0102").query_one(OptionList)
        prompts = [str(pamper.get_option_at_index(i).prompt) for i in range(pamper.option_count)]
        assert "180 min left" in prompts[0] and "360 min, any of:" in prompts[0]
        assert any("Deep Tissue Massage (120 min) ×1 possible" in p for p in prompts)


async def test_quick_redeem_moves_the_counter_by_exactly_one_per_press(make_app, manager_api):
    customer = new_customer(manager_api)
    card = sell(manager_api, customer["id"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"], role="reception")
        for expected in (4, 3):
            await pilot.press("r")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
            assert "Redeem 1 × Manicure" in str(app.screen.query_one("#confirm-question", Static).render())
            await pilot.press("enter")
            await wait_until(pilot, lambda: shown_remaining(screen, card["id"]) == expected, f"{expected} left")
            assert remaining(manager_api, card["id"]) == expected
        # The block re-renders its rows after its card changes: the new row is waited for.
        await wait_until(pilot, lambda: "2 used, 3 left" in first_row(screen, card["id"]), "the row's counter")
        assert "●●○○○" in first_row(screen, card["id"])
        # Escape at the confirmation redeems nothing.
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back on the profile")
        await app.workers.wait_for_complete()
        assert remaining(manager_api, card["id"]) == 3
        # The walk-in redemptions are in the history, without an appointment.
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen) and app.screen.entries, "history")
        history = app.screen
        redeemed = [e for e in history.entries.values() if e.kind == "redeem"]
        assert len(redeemed) == 2 and all(e.appointment_id is None for e in redeemed)
        row = {k: str(v) for k, v in history.query_one(FittedTable).values(redeemed[0].id).items()}
        assert (row["what"], row["units"], row["staff"], row["appointment"]) == ("Redeemed Manicure", "-1", "Réka Tóth",
                                                                                 "walk-in")
        # Reception is not offered undo.
        assert "u" not in history.active_bindings and history.check_action("undo", ()) is False


async def test_a_refused_redemption_is_said_in_plain_words(make_app, manager_api):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, "cus_demo0003", role="reception")
        expired = block(screen, "crd_demo_0301")
        assert "Expired" in str(expired.query_one(".card-status").render())
        expired.focus_services()
        await wait_until(pilot, lambda: screen.pick and screen.pick.card_id == "crd_demo_0301", "the expired card")
        await pilot.press("r")
        # Known before asking (ui/refusals.py): said at once, no confirmation first, nothing sent.
        await wait_until(pilot, lambda: any("expired" in str(n.message).lower() for n in notifications(app)),
                         "the refusal")
        assert app.screen is screen
        assert remaining(manager_api, "crd_demo_0301") == 2


async def test_undo_as_manager_restores_the_session(make_app, manager_api):
    customer = new_customer(manager_api)
    card = sell(manager_api, customer["id"])
    wrong = manager_api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=key()).json()
    assert remaining(manager_api, card["id"]) == 4
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"], role="manager")
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen) and app.screen.entries, "history")
        history = app.screen
        assert history.highlighted.id == wrong["transaction"]["id"]  # the newest entry is under the cursor
        assert history.active_bindings["u"].enabled
        await pilot.press("u")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "UndoScreen", "the undo dialog")
        await pilot.press("enter")  # no reason yet
        status = app.screen.query_one("#form-status", Static)
        await wait_until(pilot, lambda: "reason" in str(status.render()), "the reason is required")
        await pilot.press(*"twice by mistake", "enter")
        await wait_until(pilot, lambda: app.screen is history, "back on the history")
        await wait_until(pilot, lambda: history.entries.get(wrong["transaction"]["id"]) and
                         history.entries[wrong["transaction"]["id"]].undone_by, "the entry marked undone")
        assert "✗ undone" in history.query_one(DataTable).get_row(wrong["transaction"]["id"])[1]
        assert remaining(manager_api, card["id"]) == 5
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and shown_remaining(screen, card["id"]) == 5,
                         "the profile restored to 5")


async def test_reception_forced_undo_gets_the_servers_refusal_as_a_sentence(make_app, manager_api):
    customer = new_customer(manager_api)
    card = sell(manager_api, customer["id"])
    manager_api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"], role="reception")
        assert not {"a", "e", "t", "f"} & set(screen.active_bindings)  # the manager's tools are not offered
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, CardHistoryScreen) and app.screen.entries, "history")
        history = app.screen
        assert "u" not in history.active_bindings  # so neither in the footer nor in the palette
        history.action_undo()  # forced, as if the key were remapped: the server still says no
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "UndoScreen", "the undo dialog")
        await pilot.press(*"trying", "enter")
        status = app.screen.query_one("#form-status", Static)
        await wait_until(pilot, lambda: "manager" in str(status.render()).lower(), "the refusal")
        assert remaining(manager_api, card["id"]) == 4


async def test_refund_shows_the_amount_and_credits_the_customer(make_app, manager_api):
    customer = new_customer(manager_api)
    card = sell(manager_api, customer["id"], price_paid=36000)
    manager_api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"], role="manager")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, RefundScreen), "the refund dialog")
        question = str(app.screen.query_one(".form-question", Static).render())
        assert "Refund 28 800 HUF" in question.replace("\u202f", " ")  # 36 000 × 4/5
        await pilot.press(*"moving abroad", "enter")
        await wait_until(pilot, lambda: app.screen is screen and "Refunded" in
                         str(block(screen, card["id"]).query_one(".card-status").render()), "the refunded card")
        await wait_until(pilot, lambda: "28 800" in str(screen.query_one("#profile-summary").render()).replace(
            "\u202f", " "), "the store credit")
        assert manager_api.get(f"/customers/{customer['id']}").json()["store_credit"] == 28800


async def test_sell_goes_through_the_till_and_the_new_card_appears(make_app, manager_api):
    customer = new_customer(manager_api)
    sell(manager_api, customer["id"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, customer["id"], role="reception")
        await pilot.press("s")
        # A cart for this customer, with the package list already open.
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the package list")
        await wait_until(pilot, lambda: app.screen._choices, "the packages from the server")
        assert not any("Summer Glow" in label for label, _ in app.screen._choices)  # inactive: not sold
        await pilot.press(*"blow", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.sale.lines, "the line")
        cart = app.screen
        assert cart.sale.customer_id == customer["id"] and cart.sale.lines[0].name == "10x Blow-dry"
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("ctrl+f", "f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and len(screen.query(CardBlock)) == 2, "the new card")
        cards = manager_api.get("/cards", params={"customer_id": customer["id"]}).json()["items"]
        sold = next(c for c in cards if c["package_id"] == "pkg_demo_10x_blow_dry")
        assert sold["price_paid"] == cart.sale.total and sold["expires_on"]


async def test_transfer_moves_the_card_to_another_customer(make_app, manager_api):
    giver, taker = new_customer(manager_api), new_customer(manager_api, f"Receiver {uuid.uuid4().hex[:8]}")
    card = sell(manager_api, giver["id"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profile(pilot, giver["id"], role="manager")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen), "the transfer dialog")
        dialog = app.screen
        await pilot.press(*taker["name"])
        table = dialog.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, "the receiver")
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and not screen.query(CardBlock), "the card gone")
        assert manager_api.get(f"/cards/{card['id']}").json()["customer_id"] == taker["id"]
