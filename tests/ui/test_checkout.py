"""F4 Checkout and the cart, driven by keys against the real demo server.

Each test arranges its own customer (and membership or card) through the API first, so the
shared UI server's demo data stays as other tests expect it; what the keys did is then checked
through the API, as another terminal would see it.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

from textual.widgets import DataTable, Input

from desk_tui.server.memberships.models import Enrollment
from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.checkout import CheckoutScreen
from desk_tui.ui.screens.choice import ChoiceScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from desk_tui.ui.widgets.benefits_banner import BenefitsBanner
from desk_tui.ui.widgets.cart_lines import CartLines
from desk_tui.ui.widgets.cart_totals import CartTotals
from tests.support.api_client import key, login
from tests.ui.at_the_till import add, open_cart_for, open_checkout
from tests.ui.pilot import burst, notifications, sign_in, wait_until

GOLD = "mpl_demo_gold"  # 10% off all services, 20% off Massage, 2× Deep Tissue Massage a month


def member(manager_api, plan_id: str = GOLD) -> dict:
    r = manager_api.post("/customers", json={"name": f"Member {uuid.uuid4().hex[:8]}"}, headers=key())
    r.raise_for_status()
    customer = r.json()
    manager_api.post(f"/customers/{customer['id']}/memberships", json={"plan_id": plan_id, "reason": "test set-up"},
             headers=key()).raise_for_status()
    return customer


def credit(manager_api, customer_id: str, service_id: str = "svc_deep_tissue") -> dict:
    enrollment = manager_api.get(f"/customers/{customer_id}/memberships").json()["items"][0]
    return next(c for c in enrollment["credits"] if c["service_id"] == service_id)








async def pay(pilot) -> ReceiptScreen:
    app = pilot.app
    await pilot.press("f10")
    await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
    await pilot.press("f10")
    await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
    return app.screen


async def test_a_member_redeems_a_credit_and_the_sale_is_fully_covered(make_app, manager_api):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "s", "deep tissue")
        banner = cart.query_one(BenefitsBanner)
        await wait_until(pilot, lambda: banner.display and "2× Deep Tissue Massage credit" in str(banner.render()),
                         "the membership banner")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the redeem confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: cart.sale.total == 0, "the line covered")
        assert cart.sale.lines[0].redeemed_from.kind == "membership"
        assert "Fully covered by membership" in str(cart.query_one(CartTotals).render())
        # held, not used, until the sale completes
        assert (credit(manager_api, customer["id"])["on_hold"], credit(manager_api, customer["id"])["used"]) == (1, 0)

        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        assert "Fully covered by membership" in str(app.screen.query_one(".form-question").render())
        assert not app.screen.query(Input)  # nothing to pay: no payment fields
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        receipt = app.screen
        assert "Deep Tissue Massage" in receipt.sale.receipt_text and "Gold membership" in receipt.sale.receipt_text
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "back to F4")
    used = credit(manager_api, customer["id"])
    assert (used["used"], used["on_hold"], used["remaining"]) == (1, 0, 1)


async def test_apply_gives_each_line_its_highest_discount_and_a_split_payment_completes(make_app, manager_api):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "s", "swedish")  # Massage: 20% beats 10%
        await add(pilot, "s", "haircut")  # Hair: the 10% on all services
        await wait_until(pilot, lambda: cart.check_action("apply", ()) is True, "Apply offered")
        await pilot.press("a")
        await wait_until(pilot, lambda: [x.discount_percent for x in cart.sale.lines] == [20, 10], "the discounts")
        total = cart.sale.total
        assert total == 14000 * 80 // 100 + 9000 * 90 // 100

        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        payment = app.screen
        card_field = payment.query_one("#pay-card", Input)
        assert card_field.value == str(total)  # HUF: no decimals; the whole total on card to start with
        card_field.value = "10000"
        payment.query_one("#pay-cash", Input).focus()
        await pilot.press("ctrl+f")  # the rest in cash
        await wait_until(pilot, lambda: payment.query_one("#pay-cash", Input).value == str(total - 10000),
                         "the rest in cash")
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        sale = app.screen.sale
    assert sale.status == "completed"
    assert sorted((p.method, p.amount) for p in sale.payments) == [("card", 10000), ("cash", total - 10000)]


async def test_payments_that_do_not_add_up_are_refused_before_sending(make_app, manager_api):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "s", "haircut")
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        payment = app.screen
        payment.query_one("#pay-card", Input).value = "100"
        await pilot.press("f10")
        status = payment.query_one("#form-status")
        await wait_until(pilot, lambda: "the total is" in str(status.render()), "the sentence")
        assert app.screen is payment
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is cart, "back to the cart")
    assert manager_api.get(f"/sales/{cart.sale.id}").json()["status"] == "open"


async def test_abandoning_the_cart_gives_the_held_credit_back(make_app, manager_api):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "s", "deep tissue")
        await wait_until(pilot, lambda: cart.check_action("redeem", ()) is True, "Redeem offered")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the redeem confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: cart.sale.total == 0, "the line covered")
        assert credit(manager_api, customer["id"])["on_hold"] == 1
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the abandon confirmation")
        assert "go back to the customer" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "back to F4")
    back = credit(manager_api, customer["id"])
    assert (back["used"], back["on_hold"], back["remaining"]) == (0, 0, 2)
    assert manager_api.get(f"/sales/{cart.sale.id}").json()["status"] == "abandoned"


async def test_a_walk_in_buys_a_product_for_cash_and_leaves_no_open_cart(make_app, manager_api):
    products = manager_api.get("/products").json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
        cart = app.screen
        assert cart.sale.customer_id is None
        await add(pilot, "p", products[0]["name"])
        assert cart.query_one(BenefitsBanner).display is False  # nobody to have benefits
        receipt = await pay(pilot)
        assert receipt.sale.status == "completed" and receipt.sale.total == products[0]["price"]
        await pilot.press("escape")
        checkout = app.screen
        await wait_until(pilot, lambda: isinstance(checkout, CheckoutScreen), "back to F4")
        table = checkout.query_one(DataTable)
        await wait_until(pilot, lambda: cart.sale.id not in checkout.carts, "the list without the sale")
        assert table.row_count == len(checkout.carts)


async def test_an_open_cart_is_listed_and_reopened_with_enter(make_app, manager_api, ui_server):
    customer = member(manager_api)
    with login(ui_server.url, "reception") as desk:
        sale = desk.post("/sales", json={"customer_id": customer["id"]}, headers=key()).json()
        desk.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_haircut"}, headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = await open_checkout(pilot)
        await wait_until(pilot, lambda: sale["id"] in checkout.carts, "the open cart listed")
        table = checkout.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(sale["id"]))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
        cart = app.screen
        assert cart.sale.id == sale["id"] and [x.name for x in cart.sale.lines] == ["Haircut"]
        assert cart.query_one(CartLines).row_count == 1


async def test_check_in_points_a_member_to_checkout_where_the_credit_covers_the_appointment(make_app, manager_api):
    from zoneinfo import ZoneInfo

    from desk_tui.ui.screens.appointment import AppointmentScreen
    from tests.ui.salon import this_hour

    customer = member(manager_api)
    # Today: a customer is checked in on the appointment's day, never days ahead.
    start = this_hour()
    r = manager_api.post("/appointments", json={"customer_id": customer["id"], "staff_id": "stf_anna",
                                        "start": start.isoformat(), "allow_overlap": True,
                                        "lines": [{"service_id": "svc_deep_tissue"}]}, headers=key())
    r.raise_for_status()
    appointment = r.json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
        screen = AppointmentScreen(appointment["id"], tz=ZoneInfo("Europe/Budapest"))
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.appointment is not None, "the appointment")
        await pilot.press("c")
        status = screen.query_one("#appointment-status")
        await wait_until(pilot, lambda: "checkout (F4) applies it" in str(status.render()), "the credit pointer")
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the appointment's cart")
        cart = app.screen
        assert cart.sale.appointment_id == appointment["id"]
        assert cart.sale.total == 0  # the credit came with the cart, on hold
        await wait_until(pilot, lambda: cart.check_action("release", ()) is True, "u offered to give it back")
        await pay(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.appointment.status == "completed",
                         "the appointment completed")
    assert credit(manager_api, customer["id"])["used"] == 1
    assert manager_api.get(f"/appointments/{appointment['id']}").json()["status"] == "completed"


async def test_a_completed_sale_s_receipt_can_be_shown_again(make_app, manager_api, ui_server):
    with login(ui_server.url, "reception") as desk:
        sale = desk.post("/sales", json={}, headers=key()).json()
        sale = desk.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_cuticle_oil"}, headers=key()).json()
        desk.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                  headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = await open_checkout(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: sale["id"] in checkout.carts, "the completed sale listed")
        assert all(c.status == "completed" for c in checkout.carts.values())
        table = checkout.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(sale["id"]))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        assert app.screen.sale.id == sale["id"] and "Cuticle" in app.screen.sale.receipt_text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is checkout, "back to the list")


async def test_a_cart_closed_at_another_terminal_is_shown_as_it_is_now(make_app, manager_api, ui_server):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        with login(ui_server.url, "manager") as other:
            other.post(f"/sales/{cart.sale.id}/abandon", json={"reason": "closed at the other desk"},
                       headers=key()).raise_for_status()
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the item list")
        await pilot.press(*"haircut", "enter")
        await wait_until(pilot, lambda: cart.sale.status == "abandoned", "the cart reloaded as abandoned")
        assert "abandoned" in str(cart.query_one("#cart-summary").render())
        assert cart.check_action("pay", ()) is False and cart.check_action("add_service", ()) is False
        assert any("not possible" in str(n.message).lower() or "abandoned" in str(n.message).lower()
                   for n in notifications(app))


async def test_keys_typed_in_one_burst_go_to_the_service_list_not_the_cart(make_app, manager_api):
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        # Hold the service list back (the real call, answered late) to be sure the keys beat it.
        gate = asyncio.Event()
        real_services = app.client.services

        async def late_services():
            await gate.wait()
            return await real_services()

        app.client.services = late_services
        # s, the name and Enter before the list has come: nothing may reach the cart's own keys
        # (e would edit a line, p would add a product); Enter picks once the list is there.
        burst(pilot, "s", *"deep", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen)
                         and app.screen.query_one(Input).value == "deep", "the name in the list's filter")
        gate.set()
        await wait_until(pilot, lambda: app.screen is cart and len(cart.sale.lines) == 1, "the line added")
        assert [x.name for x in cart.sale.lines] == ["Deep Tissue Massage"]


async def test_a_package_and_a_membership_are_sold_at_the_till_and_exist_once_paid(make_app, manager_api):
    r = manager_api.post("/customers", json={"name": f"Buyer {uuid.uuid4().hex[:8]}"}, headers=key())
    r.raise_for_status()
    customer = r.json()
    card_no = f"UI-{uuid.uuid4().hex[:6].upper()}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "k", "5x manicure")
        line = cart.sale.lines[0]
        assert (line.kind, line.name) == ("package", "5x Manicure")
        # e on the package line: its card number (price, discount, number, expiry).
        await pilot.press("e")
        await wait_until(pilot, lambda: app.screen is not cart and app.screen.query("#number"), "the line editor")
        await pilot.press("tab", "tab", *card_no, "enter", "enter")
        await wait_until(pilot, lambda: app.screen is cart and cart.sale.lines[0].card_number == card_no,
                         "the card number on the line")
        assert card_no in str(cart.query_one(CartLines).get_row(line.id)[-1])
        await add(pilot, "m", "gold")
        assert cart.sale.lines[1].kind == "membership"
        assert manager_api.get("/cards", params={"customer_id": customer["id"]}).json()["items"] == []

        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("ctrl+f", "f10")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        assert f"5x Manicure — new card {card_no}" in app.screen.sale.receipt_text
        assert "Gold membership — member from" in app.screen.sale.receipt_text

    [card] = manager_api.get("/cards", params={"customer_id": customer["id"]}).json()["items"]
    assert (card["number"], card["status"]) == (card_no, "active")
    [membership] = manager_api.get(f"/customers/{customer['id']}/memberships").json()["items"]
    assert (membership["plan_id"], membership["status"]) == (GOLD, "active")


async def test_selling_a_package_to_a_walk_in_asks_for_the_customer_first(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        checkout = await open_checkout(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the walk-in cart")
        cart = app.screen
        await pilot.press("k")
        status = cart.query_one("#cart-status")
        await wait_until(pilot, lambda: "choose who" in str(status.render()), "the sentence")
        assert app.screen is cart and cart.sale.lines == [] and checkout is not None


async def test_the_banner_says_a_member_owes_a_month_and_m_takes_it(make_app, manager_api, ui_server):
    customer = member(manager_api, "mpl_demo_nail_club")
    [enrolment] = manager_api.get(f"/customers/{customer['id']}/memberships").json()["items"]
    # Arranged, not waited for: the month paid ran out a week ago.
    with ui_server.database.transaction() as s:
        s.get(Enrollment, enrolment["id"]).paid_through = date.fromisoformat(enrolment["starts_on"]) - timedelta(days=7)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        banner = cart.query_one(BenefitsBanner)
        await wait_until(pilot, lambda: "Nail Club: payment due since" in str(banner.render()), "the month owed")
        assert "[m adds the month]" in str(banner.render())
        await add(pilot, "m", "nail club")
        assert cart.sale.lines[-1].renews_enrollment_id == enrolment["id"]
        await wait_until(pilot, lambda: "payment due" not in str(banner.render()), "the warning gone")


async def test_a_refused_change_is_said_once(make_app, manager_api, ui_server):
    # Textual runs the worker handler of every class in a screen's MRO: a subclass handler that
    # also called super() said every failure twice.
    customer = member(manager_api)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        with login(ui_server.url, "manager") as other:
            other.post(f"/sales/{cart.sale.id}/abandon", json={"reason": "closed at the other desk"},
                       headers=key()).raise_for_status()
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: cart.sale.status == "abandoned", "the cart reloaded as abandoned")
        said = [n.message for n in notifications(app) if n.severity == "error"]
        assert len(said) == 1, said
