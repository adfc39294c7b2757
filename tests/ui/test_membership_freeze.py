"""The Memberships tab beyond the month: a manager freezes a membership (z) and ends the freeze
early (u), reception hears why it cannot; carried-over credits are shown apart; the cart's banner
says a membership is frozen, or suspended for want of payment and offers the month instead.
Keys only, at 80×24, against the real server."""

from __future__ import annotations

from datetime import timedelta

from desk_tui.contract import memberships as wire
from desk_tui.server.database import utcnow
from desk_tui.server.memberships import credits, service
from desk_tui.server.memberships.status import month_after
from desk_tui.ui.screens.membership_freeze import EndFreezeScreen, FreezeMembershipScreen
from desk_tui.ui.widgets.benefits_banner import BenefitsBanner
from desk_tui.ui.widgets.membership_list import MembershipList
from tests.api.arrange_memberships import me
from tests.support.api_client import key
from tests.ui.at_the_profile import cell_text, memberships_tab, new_customer
from tests.ui.at_the_till import add, open_cart_for
from tests.ui.pilot import notifications, wait_until
from tests.ui.reading_screens import cut_keys, shown_keys

GOLD = "mpl_demo_gold"


def given_gold(manager_api, customer: dict) -> dict:
    r = manager_api.post(f"/customers/{customer['id']}/memberships", json={"plan_id": GOLD, "reason": "test set-up"},
                 headers=key())
    r.raise_for_status()
    return r.json()


async def test_a_manager_freezes_a_membership_and_ends_the_freeze_early(make_app, manager_api):
    customer = new_customer(manager_api)
    enrolment = given_gold(manager_api, customer)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"], role="manager")
        table = screen.query_one(MembershipList)
        await wait_for_rows(pilot, table)
        await wait_until(pilot, lambda: "z" in shown_keys(screen), "z on the footer")
        assert cut_keys(screen) == []  # the manager's membership keys fit 80 columns, or end in "F1 more"
        until = (app.today() + timedelta(days=9)).isoformat()
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, FreezeMembershipScreen), "the freeze dialog")
        await pilot.press(*until, "enter", *"broken leg", "enter")
        await wait_until(pilot, lambda: app.screen is screen and "frozen" in cell_text(table, 0, 0),
                         "the membership frozen")
        assert f"frozen until {until}" in cell_text(table, 0, 0)
        assert f"paid through {until}" in cell_text(table, 0, 0)  # it owed from today: due after the freeze
        # the benefits are listed after why they do not apply today, never as if they did
        assert cell_text(table, 0, 1).startswith(f"Off while frozen, until {until}:"), cell_text(table, 0, 1)
        await wait_until(pilot, lambda: screen.check_action("end_freeze", ()) is True, "u offered")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, EndFreezeScreen), "the end-freeze dialog")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and "● active" in cell_text(table, 0, 0),
                         "the membership active again")
        assert "payment due since" in cell_text(table, 0, 0)
        assert not cell_text(table, 0, 1).startswith("Off while frozen")
    view = manager_api.get(f"/memberships/{enrolment['id']}").json()
    assert view["status"] == "active" and view["freezes"][0]["reason"] == "broken leg"


async def test_reception_is_told_that_freezing_is_for_managers(make_app, manager_api):
    customer = new_customer(manager_api)
    enrolment = given_gold(manager_api, customer)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"])
        await wait_for_rows(pilot, screen.query_one(MembershipList))
        await pilot.press("z")
        await wait_until(pilot, lambda: any("Freezing a membership is for managers and owners" in n.message
                                            for n in notifications(app)), "the refusal")
        assert app.screen is screen
    assert manager_api.get(f"/memberships/{enrolment['id']}").json()["freezes"] == []


async def test_credits_carried_from_last_month_are_shown_apart(make_app, manager_api, ui_server):
    plan = manager_api.post("/membership-plans", json={"name": f"Roll {new_customer(manager_api)['id'][-6:]}", "price": 100,
                                               "rollover_months": 1,
                                               "credits": [{"service_id": "svc_pedicure", "per_period": 2}]},
                    headers=key()).json()
    customer = new_customer(manager_api)
    now = utcnow()
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=1, hour=12)
    with ui_server.database.transaction() as s:
        e = service.enrol(s, customer_id=customer["id"], data=wire.EnrollmentCreate(plan_id=plan["id"]), me=me(),
                          now=last_month)
        credits.hold(s, enrollment_id=e.id, service_id="svc_pedicure", sale_id="sal_roll", sale_line_id=None,
                     me=me(), now=last_month, expires_at=last_month + timedelta(minutes=30))
        credits.consume(s, sale_id="sal_roll", me=me(), now=last_month)
    month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][last_month.month - 1]
    if month_after(last_month.date()).year != last_month.year:
        month += f" {last_month.year}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await memberships_tab(pilot, customer["id"])
        table = screen.query_one(MembershipList)
        await wait_for_rows(pilot, table)
        assert f"Pedicure ○○○ 3 of 3 left this month (1 carried from {month})" in cell_text(table, 0, 1)


async def test_the_banner_says_a_membership_is_frozen(make_app, manager_api):
    frozen = new_customer(manager_api)
    enrolment = given_gold(manager_api, frozen)
    r = manager_api.post(f"/memberships/{enrolment['id']}/freezes",
                 json={"ends_on": (utcnow().date() + timedelta(days=20)).isoformat(), "reason": "away"},
                 headers=key())
    r.raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        said = await banner_with_a_massage(pilot, frozen, "is frozen until")
        assert "Membership benefits available" not in said


async def test_the_banner_offers_the_month_once_benefits_are_suspended(make_app, manager_api, ui_server):
    owing = new_customer(manager_api)
    with ui_server.database.transaction() as s:
        service.give(s, customer_id=owing["id"], now=utcnow() - timedelta(days=20), me=me("manager"),
                     data=wire.EnrollmentCreate(plan_id=GOLD, reason="test set-up"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        said = await banner_with_a_massage(pilot, owing, "benefits suspended")
        assert "[m adds the month, then its benefits apply]" in said
        assert "Membership benefits available" not in said


async def banner_with_a_massage(pilot, customer: dict, words: str) -> str:
    """A cart for the customer with a deep tissue massage: the banner, once it says ``words``."""
    cart = await open_cart_for(pilot, customer)
    await add(pilot, "s", "deep tissue")
    banner = cart.query_one(BenefitsBanner)
    await wait_until(pilot, lambda: banner.display and words in str(banner.render()), words)
    return str(banner.render())


async def wait_for_rows(pilot, table: MembershipList) -> None:
    await wait_until(pilot, lambda: table.row_count == 1, "the membership")
