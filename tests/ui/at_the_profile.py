"""Opening a customer's profile (F3) on its cards or memberships, and reading what it shows."""

from __future__ import annotations

import uuid

from textual.widgets import TabbedContent

from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.widgets.card_block import CardBlock
from desk_tui.ui.widgets.membership_list import MembershipList
from tests.support.api_client import key
from tests.ui.pilot import sign_in, wait_until

PINS = {"reception": "1111", "manager": "2222", "owner": "3333"}


async def _signed_in_on_profile(pilot, customer_id: str, role: str) -> CustomerProfileScreen:
    app = pilot.app
    await sign_in(pilot, role, PINS[role])
    await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
    await pilot.press("f3")
    screen = CustomerProfileScreen(customer_id)
    app.push_screen(screen)
    return screen


async def open_profile(pilot, customer_id: str, role: str = "manager") -> CustomerProfileScreen:
    """Signed in as ``role``, the customer's profile on its cards."""
    screen = await _signed_in_on_profile(pilot, customer_id, role)
    await wait_until(pilot, lambda: pilot.app.screen is screen and screen.query(CardBlock) and screen.pick is not None,
                     "the profile's cards")
    return screen


def block(screen, card_id: str) -> CardBlock:
    return screen.query_one(f"#card-{card_id}", CardBlock)


def shown_remaining(screen, card_id: str, entitlement: int = 0) -> int:
    return block(screen, card_id).card.balances[entitlement].remaining


def new_customer(manager_api) -> dict:
    r = manager_api.post("/customers", json={"name": f"Tag {uuid.uuid4().hex[:8]}"}, headers=key())
    r.raise_for_status()
    return r.json()


async def memberships_tab(pilot, customer_id: str, role: str = "reception") -> CustomerProfileScreen:
    """Signed in as ``role``, the customer's profile on its Memberships tab (] from the cards)."""
    screen = await _signed_in_on_profile(pilot, customer_id, role)
    await wait_until(pilot, lambda: pilot.app.screen is screen and screen.customer is not None, "the profile")
    await pilot.press("right_square_bracket")
    await wait_until(pilot, lambda: screen.query_one(TabbedContent).active == "tab-memberships", "the tab")
    return screen


def cell_text(table: MembershipList, row: int, column: int) -> str:
    return str(table.get_row_at(row)[column])
