"""The profile's Memberships tab (viewing remaining credits): credits left this month,
enrolling a customer in a plan, and a manager cancelling one — keys only, real server."""

from __future__ import annotations

from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from desk_tui.ui.screens.membership_cancel import CancelMembershipScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from desk_tui.ui.widgets.cart_lines import CartLines
from desk_tui.ui.widgets.membership_list import MembershipList
from tests.support.api_client import key
from tests.ui.at_the_profile import cell_text, memberships_tab, new_customer
from tests.ui.pilot import wait_until


async def test_a_member_sees_credits_left_this_month(make_app, manager_api):
    customer = new_customer(manager_api)
    manager_api.post(f"/customers/{customer['id']}/memberships", json={"plan_id": "mpl_demo_gold", "reason": "test set-up"},
             headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"])
        table = screen.query_one(MembershipList)
        await wait_until(pilot, lambda: table.row_count == 1, "the membership")
        assert "Gold membership" in cell_text(table, 0, 0) and "active" in cell_text(table, 0, 0)
        benefits = cell_text(table, 0, 1)
        assert "Deep Tissue Massage ○○ 2 of 2 left this month" in benefits
        assert "20% discount on Massage" in benefits


async def test_reception_sells_a_membership_at_the_till(make_app, manager_api):
    customer = new_customer(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"])
        assert screen.check_action("cancel_membership", ()) is False  # a manager's key
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen._choices, "the plans")
        choices = [label for label, _ in app.screen._choices]
        assert not any("Silver (old)" in c for c in choices)  # retired plans are not sold
        await pilot.press(*"nail club", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.sale.lines, "the line")
        assert manager_api.get(f"/customers/{customer['id']}/memberships").json()["items"] == []  # not before paying
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("ctrl+f", "f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        await pilot.press("escape")
        table = screen.query_one(MembershipList)
        await wait_until(pilot, lambda: app.screen is screen and table.row_count == 1, "the new membership")
        assert "Nail Club" in cell_text(table, 0, 0)
        [enrolment] = manager_api.get(f"/customers/{customer['id']}/memberships").json()["items"]
        assert (enrolment["plan_id"], enrolment["status"]) == ("mpl_demo_nail_club", "active")
        assert f"paid through {enrolment['paid_through']}" in cell_text(table, 0, 0)

        # m again: Nail Club is now offered as its next month, and paying it moves "paid through".
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen._choices, "the plans")
        nail_club = next(label for label, value in app.screen._choices if value == "mpl_demo_nail_club")
        assert f"next month, paid through {enrolment['paid_through']}" in nail_club
        await pilot.press(*"nail club", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen) and app.screen.sale.lines, "the line")
        cart = app.screen
        line = cart.sale.lines[0]
        assert line.renews_enrollment_id == enrolment["id"]
        assert str(cart.query_one(CartLines).get_row(line.id)[-1]) == "→ pays the next month"
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("ctrl+f", "f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        assert "Nail Club membership: next month paid." in str(cart.query_one("#cart-status").render())
        await pilot.press("escape")
        [renewed] = manager_api.get(f"/customers/{customer['id']}/memberships").json()["items"]
        assert renewed["paid_through"] > enrolment["paid_through"]
        await wait_until(pilot, lambda: app.screen is screen
                         and f"paid through {renewed['paid_through']}" in cell_text(table, 0, 0), "the new date")


async def test_a_manager_cancels_a_membership_with_a_reason(make_app, manager_api):
    customer = new_customer(manager_api)
    enrolment = manager_api.post(f"/customers/{customer['id']}/memberships",
                         json={"plan_id": "mpl_demo_gold", "reason": "test set-up"}, headers=key()).json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"], role="manager")
        table = screen.query_one(MembershipList)
        await wait_until(pilot, lambda: table.row_count == 1, "the membership")
        await wait_until(pilot, lambda: screen.check_action("cancel_membership", ()) is True, "x offered")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, CancelMembershipScreen), "the cancel dialog")
        await pilot.press(*"moved away", "enter")
        await wait_until(pilot, lambda: app.screen is screen and "cancelled" in cell_text(table, 0, 0),
                         "the membership cancelled")
    assert manager_api.get(f"/memberships/{enrolment['id']}").json()["status"] == "cancelled"
