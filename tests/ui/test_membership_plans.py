"""F6 → m: membership plans. Managers create one with discounts and credits typed as text;
reception sees the list without the keys that change it."""

from __future__ import annotations

import uuid

from textual.widgets import DataTable, Input

from desk_tui.ui.screens.membership_plans import MembershipPlansScreen
from desk_tui.ui.screens.packages import PackagesScreen
from desk_tui.ui.screens.plan_form import PlanFormScreen
from tests.ui.pilot import sign_in, wait_until


async def plans_screen(pilot, role: str, pin: str) -> MembershipPlansScreen:
    app = pilot.app
    await sign_in(pilot, role, pin)
    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(app.screen, PackagesScreen), "F6")
    await pilot.press("m")
    await wait_until(pilot, lambda: isinstance(app.screen, MembershipPlansScreen), "the plans")
    screen = app.screen
    await wait_until(pilot, lambda: screen.query_one(DataTable).row_count >= 3, "the demo plans")
    return screen


async def test_a_manager_creates_a_plan_with_discounts_and_credits(make_app, manager_api):
    name = f"Spa Club {uuid.uuid4().hex[:6]}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await plans_screen(pilot, "manager", "2222")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanFormScreen), "the plan form")
        form = app.screen
        form.query_one("#name", Input).value = name
        form.query_one("#price", Input).value = "24900"
        form.query_one("#discounts", Input).value = "5% all, 25% skin, 30% Hot Stone Massage"
        form.query_one("#credits", Input).value = "Facial=1, Manicure=2"
        form.query_one("#rollover", Input).value = "2"
        form.query_one("#description", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and any(p.name == name for p in screen.plans.values()),
                         "the new plan listed")
    plan = next(p for p in manager_api.get("/membership-plans", params={"limit": 500}).json()["items"] if p["name"] == name)
    assert plan["price"] == 24900 and plan["active"] is True and plan["rollover_months"] == 2
    assert sorted((d["scope"], d["target"], d["percent"]) for d in plan["discounts"]) == [
        ("all", None, 5), ("category", "Skin", 25), ("service", "svc_hot_stone", 30)]
    assert sorted((c["service_id"], c["per_period"]) for c in plan["credits"]) == [("svc_facial", 1),
                                                                                   ("svc_manicure", 2)]


async def test_a_typo_in_the_discounts_is_a_sentence_not_a_request(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await plans_screen(pilot, "manager", "2222")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanFormScreen), "the plan form")
        form = app.screen
        form.query_one("#name", Input).value = "Typo plan"
        form.query_one("#price", Input).value = "1000"
        form.query_one("#discounts", Input).value = "10% Massages"
        form.query_one("#description", Input).focus()
        await pilot.press("enter")
        status = form.query_one("#form-status")
        await wait_until(pilot, lambda: "neither a category nor a service" in str(status.render()), "the sentence")
        assert app.screen is form


async def test_reception_sees_plans_but_not_the_keys_that_change_them(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await plans_screen(pilot, "reception", "1111")
        assert [screen.check_action(a, ()) for a in ("new", "edit", "toggle_active")] == [False, False, False]
        statuses = {p.name: p.active for p in screen.plans.values()}
        assert statuses["Silver (old)"] is False and statuses["Gold membership"] is True
