"""Snapshot baselines (snapshots/test_card_snapshots/) of the Packages tab, a card's history and
a confirmation, at 80×24 and 120×40.

Cards carry dates ("expires 2026-03-14 (in 12 days)"), so these shots run against a server of
their own whose clock is pinned: the demo is seeded, and the cards of every state sold, at one
fixed instant, and the UI's "today" is pinned to the same instant.
"""

from __future__ import annotations

import itertools

import pytest
from textual.widgets import Input

import desk_tui.server.cards.service as cards_service
import desk_tui.server.customers.service as customers_service
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.widgets.card_block import CardBlock
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until
from tests.ui.pinned import FIXED, pinned_clock, quiet_and_pinned

pytestmark = pytest.mark.xdist_group("card_snapshots")  # one worker builds its module fixtures: tests/conftest.py

SIZES = [(80, 24), (120, 40)]


def _every_state(url: str) -> str:
    """A customer holding a card in every state; returns the customer's id."""
    with login(url, "manager") as api:
        customer = api.post("/customers", json={"name": "Vera Mintás", "phone": "+36 30 555 0101"},
                            headers=key()).json()

        def sell(package_id: str, number: str, uses: list[str], **extra) -> str:
            card = api.post("/cards", json={"package_id": package_id, "customer_id": customer["id"], "number": number,
                                            "note": "Paid at the desk", "reason": "snapshot set-up", **extra},
                            headers=key())
            card.raise_for_status()
            card_id = card.json()["id"]
            for service_id in uses:
                api.post(f"/cards/{card_id}/redemptions", json={"service_id": service_id},
                         headers=key()).raise_for_status()
            return card_id

        sell("pkg_demo_5x_manicure", "VM-1", ["svc_manicure"] * 2, expires_on="2026-03-14")
        sell("pkg_demo_pamper_360", "VM-2", ["svc_deep_tissue"])
        sell("pkg_demo_5x_manicure", "VM-3", ["svc_manicure"] * 5)
        expired = sell("pkg_demo_5x_manicure", "VM-4", ["svc_manicure"] * 3)
        api.patch(f"/cards/{expired}", json={"expires_on": "2026-02-10", "note": "test: lapsed"},
                  headers=key()).raise_for_status()
        refunded = sell("pkg_demo_facials_massages", "VM-5", ["svc_facial"])
        api.post(f"/cards/{refunded}/refund", json={"reason": "Moving abroad"}, headers=key()).raise_for_status()
        return customer["id"]


@pytest.fixture(scope="module")
def pinned_server(tmp_path_factory):
    with pinned_clock():
        server = LiveServer(f"sqlite:///{tmp_path_factory.mktemp('card-snaps')}/cards.db", demo=True).start()
        # Fixed ids for Vera and her cards (the server runs in this process): the Cards table lists
        # cards sold at one instant by id, and shows the ids in its detail pane.
        numbered = {"crd": itertools.count(1), "cus": itertools.count(1)}
        with pytest.MonkeyPatch.context() as mp:
            for module in (cards_service, customers_service):
                real = module.new_id
                mp.setattr(module, "new_id", lambda prefix, real=real: f"{prefix}_vera_{next(numbered[prefix])}"
                           if prefix in numbered else real(prefix))
            customer_id = _every_state(server.url)
    yield server, customer_id
    server.stop()


@pytest.fixture(autouse=True)
def _quiet_and_pinned():
    with quiet_and_pinned():
        yield


async def _profile(pilot, customer_id: str) -> CustomerProfileScreen:
    app = pilot.app
    await sign_in(pilot, "manager", "2222")
    await wait_until(pilot, lambda: app.business == "Bella Salon & Spa", "the business name")
    await pilot.press("f3")
    screen = CustomerProfileScreen(customer_id)
    app.push_screen(screen)
    await wait_until(pilot, lambda: app.screen is screen and screen.query(CardBlock) and screen.pick is not None,
                     "the cards")
    await wait_until(pilot, lambda: screen.query_one("#activity").row_count > 0, "the activity log")
    await app.workers.wait_for_complete()
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_profile_with_every_card_state(snap_compare, make_app, pinned_server, size):
    server, customer_id = pinned_server

    async def run(pilot):
        await _profile(pilot, customer_id)

    assert snap_compare(make_app(server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_with_an_undo_and_another_locations_staff(snap_compare, make_app, pinned_server, size):
    server, _ = pinned_server

    async def run(pilot):
        await _profile(pilot, "cus_demo0004")
        await pilot.press("h")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "entries", None), "the history")
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_app(server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quick_redeem_confirmation(snap_compare, make_app, pinned_server, size):
    server, customer_id = pinned_server

    async def run(pilot):
        await _profile(pilot, customer_id)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the confirmation")
        await pilot.app.workers.wait_for_complete()

    assert snap_compare(make_app(server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)


def test_profile_in_16_colours(snap_compare, make_app, pinned_server):
    server, customer_id = pinned_server

    async def run(pilot):
        pilot.app.theme = "ansi-dark"
        await _profile(pilot, customer_id)

    assert snap_compare(make_app(server.url, clock=lambda: FIXED), terminal_size=(80, 24), run_before=run)


def test_profile_with_no_color(snap_compare, make_app, pinned_server, no_color_xterm):
    server, customer_id = pinned_server
    app = make_app(server.url, clock=lambda: FIXED)

    async def run(pilot):
        await _profile(pilot, customer_id)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cards_table_with_every_state(snap_compare, make_app, pinned_server, size):
    """F5 at 80 columns: number, client, status, expiry and balance in the table, the highlighted
    card's package, dates, store and ids in the pane under it; at 120 the package is a column."""
    server, _ = pinned_server

    async def run(pilot):
        app = pilot.app
        await sign_in(pilot, "manager", "2222")
        await wait_until(pilot, lambda: app.business == "Bella Salon & Spa", "the business name")
        await pilot.press("f5", *"Vera", "enter")
        table = app.screen.query_one("#card-table")
        await wait_until(pilot, lambda: table.row_count == 5 and app.screen.focused is table, "Vera's five cards")
        for box in app.screen.query(Input):
            box.cursor_blink = False
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)
