"""Snapshot baselines (snapshots/test_checkout_snapshots/) of the cart with its membership banner,
the payment dialog and the profile's Memberships tab, at 80×24 and 120×40, in 16 colours and
with NO_COLOR.

Membership credits count per calendar month and the demo's members joined "N days ago", so these
run against a server of their own whose clock is pinned (as the card snapshots do).
"""

from __future__ import annotations

import pytest

from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.checkout import CheckoutScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.widgets.benefits_banner import BenefitsBanner
from desk_tui.ui.widgets.membership_list import MembershipList
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until
from tests.ui.pinned import FIXED, pinned_clock, quiet_and_pinned

pytestmark = pytest.mark.xdist_group("checkout_snapshots")  # one worker builds its module fixtures: tests/conftest.py

SIZES = [(80, 24), (120, 40)]
GOLD = "mpl_demo_gold"  # 10% all, 20% Massage, 2× Deep Tissue Massage a month


def _cart(url: str, name: str) -> tuple[str, str]:
    """A new Gold member's cart (two massages and a haircut): the sale and enrolment ids.

    Every shot has its own member, so credits held by one shot never show in another."""
    with login(url, "reception") as api, login(url, "manager") as manager:
        customer = api.post("/customers", json={"name": name}, headers=key()).json()
        # Complimentary: no month due, so the banner shows only the benefits this shot is about.
        enrolment = manager.post(f"/customers/{customer['id']}/memberships",
                                 json={"plan_id": GOLD, "reason": "snapshot set-up", "complimentary": True},
                                 headers=key()).json()
        sale = api.post("/sales", json={"customer_id": customer["id"]}, headers=key()).json()
        for service_id in ("svc_deep_tissue", "svc_swedish", "svc_haircut"):
            r = api.post(f"/sales/{sale['id']}/lines", json={"service_id": service_id}, headers=key())
            r.raise_for_status()
        return sale["id"], enrolment["id"]


@pytest.fixture(scope="module")
def pinned_server(tmp_path_factory):
    with pinned_clock():
        server = LiveServer(f"sqlite:///{tmp_path_factory.mktemp('checkout-snaps')}/checkout.db", demo=True).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _quiet_and_pinned():
    with quiet_and_pinned():
        yield


async def _open_cart(pilot, sale_id: str) -> CartScreen:
    app = pilot.app
    await sign_in(pilot)
    await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, CheckoutScreen), "F4")
    screen = app.screen
    await wait_until(pilot, lambda: sale_id in screen.carts, "the cart listed")
    sale = await app.client.sales.sale(sale_id)
    app.push_screen(CartScreen(sale))
    await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
    cart = app.screen
    await wait_until(pilot, lambda: cart.query_one(BenefitsBanner).benefits is not None, "the banner")
    await app.workers.wait_for_complete()
    return cart


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cart_with_the_membership_banner(snap_compare, make_app, pinned_server, size):
    sale_id, _ = _cart(pinned_server.url, {80: "Hanna Kovács", 120: "Hanna Kertész"}[size[0]])

    async def run(pilot):
        await _open_cart(pilot, sale_id)

    assert snap_compare(make_app(pinned_server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)


def test_cart_after_apply_and_a_credit_in_16_colours(snap_compare, make_app, pinned_server):
    sale_id, enrolment_id = _cart(pinned_server.url, "Lili Fodor")
    with login(pinned_server.url, "reception") as api:
        sale = api.post(f"/sales/{sale_id}/apply-discounts", headers=key()).json()
        massage = sale["lines"][0]["id"]
        api.post(f"/sales/{sale_id}/lines/{massage}/redeem", json={"enrollment_id": enrolment_id},
                 headers=key()).raise_for_status()

    async def run(pilot):
        pilot.app.theme = "ansi-dark"
        await _open_cart(pilot, sale_id)

    assert snap_compare(make_app(pinned_server.url, clock=lambda: FIXED), terminal_size=(80, 24), run_before=run)


def test_payment_dialog_with_no_color(snap_compare, make_app, pinned_server, no_color_xterm):
    sale_id, _ = _cart(pinned_server.url, "Zita Balogh")
    app = make_app(pinned_server.url, clock=lambda: FIXED)

    async def run(pilot):
        await _open_cart(pilot, sale_id)
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PaymentScreen), "the payment dialog")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_cart_selling_a_package_and_a_membership(snap_compare, make_app, pinned_server):
    # What paying will create, in the Notes column: the card (with its number) and the membership.
    with login(pinned_server.url, "reception") as api:
        customer = api.post("/customers", json={"name": "Réka Molnár"}, headers=key()).json()
        sale = api.post("/sales", json={"customer_id": customer["id"]}, headers=key()).json()
        for line in ({"package_id": "pkg_demo_5x_manicure", "card_number": "BS-2001", "expires_on": "2027-06-30"},
                     {"plan_id": "mpl_demo_nail_club"}, {"product_id": "prd_cuticle_oil"}):
            api.post(f"/sales/{sale['id']}/lines", json=line, headers=key()).raise_for_status()

    async def run(pilot):
        await _open_cart(pilot, sale["id"])

    assert snap_compare(make_app(pinned_server.url, clock=lambda: FIXED), terminal_size=(80, 24), run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_memberships_tab(snap_compare, make_app, pinned_server, size):
    async def run(pilot):
        app = pilot.app
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
        await pilot.press("f3")
        screen = CustomerProfileScreen("cus_demo0001")
        app.push_screen(screen)
        await wait_until(pilot, lambda: app.screen is screen and screen.pick is not None, "the profile's cards")
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: screen.query_one(MembershipList).row_count == 1, "the membership")
        await app.workers.wait_for_complete()

    assert snap_compare(make_app(pinned_server.url, clock=lambda: FIXED), terminal_size=size, run_before=run)
