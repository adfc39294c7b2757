"""Names are shown as typed: square brackets in a customer's, package's or plan's name are text,
not markup — "Kiss [/b] Anna" once stopped a screen with a markup error, "[VIP]" vanished."""

from __future__ import annotations

import uuid

from textual.widgets import DataTable, Static

from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.screens.customers import CustomersScreen
from desk_tui.ui.widgets.card_block import CardBlock
from tests.support.api_client import key
from tests.ui.pilot import sign_in, wait_until


def plain(table: DataTable, row: int, column: int) -> str:
    cell = table.get_row_at(row)[column]
    return getattr(cell, "plain", str(cell))


async def test_brackets_in_names_are_text_everywhere_a_receptionist_looks(make_app, manager_api):
    tag = uuid.uuid4().hex[:6]
    name = f"Kiss [/b] Anna [VIP] {tag}"
    customer = manager_api.post("/customers", json={"name": name}, headers=key()).json()
    manager_api.post("/cards", json={"package_id": "pkg_demo_5x_manicure", "customer_id": customer["id"], "number": f"[{tag}]",
                             "note": "[red]paid[/red]", "reason": "[b]test[/b]"}, headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomersScreen), "F3")
        await pilot.press(*tag)
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, "the customer found")
        assert plain(table, 0, 0) == name
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen), "the profile")
        profile = app.screen
        await wait_until(pilot, lambda: profile.query(CardBlock), "the card")
        summary = profile.query_one("#profile-summary", Static)
        assert name in str(summary.render())
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "a cart for the customer")
        cart = app.screen
        await wait_until(pilot, lambda: name in str(cart.query_one("#cart-summary", Static).render()),
                         "the cart's summary")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is profile, "back on the profile")
        activity = profile.query_one("#activity", DataTable)
        await wait_until(pilot, lambda: activity.row_count > 0, "the activity log")
        assert any("[" in plain(activity, r, 1) for r in range(activity.row_count))
