"""Checkout driven by a Pilot in this process: requests per step, and the time to a receipt.

A LiveServer in this process, wrapped in :class:`~tests.benchmarks.calendar_flow.RequestLog`;
a Gold member (2 Deep Tissue Massage credits a month) with a paid Deep Tissue Massage booked
today. The receptionist's keys, as the UI tests press them: F4 on the appointment (its cart
opens with the benefits banner and, since they are pre-applied, the credit on the line; r y
only when it is not), F10 Enter (fully covered:
complete) until the receipt. Counted at the server per step; timed from F10 on the cart until
the receipt is on screen, ``runs`` times (a new member and appointment each run).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring

from desk_tui.ui.screens.appointment import AppointmentScreen
from desk_tui.ui.screens.cart import CartScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from desk_tui.ui.widgets.benefits_banner import BenefitsBanner
from tests.benchmarks.calendar_flow import RequestLog, _Home
from tests.support.api_client import key
from tests.support.keyrings import DictKeyring
from tests.support.live_server import LiveServer
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon, app_on


@dataclass
class CheckoutRequests:
    open: list[str] = field(default_factory=list)
    """F4 on the appointment until the cart shows its banner: the cart and its benefits."""
    redeem: list[str] = field(default_factory=list)
    """r y until the line is covered: the redemption, and the banner asked again."""
    complete: list[str] = field(default_factory=list)
    """F10 Enter until the receipt: the completion."""
    seconds_to_receipt: list[float] = field(default_factory=list)


def checkout_requests(db_path: Path, runs: int) -> CheckoutRequests:
    requests: list[str] = []
    server = LiveServer(f"sqlite:///{db_path}", demo=True)
    server.app.add_middleware(RequestLog, requests=requests)
    seen = CheckoutRequests()
    with server, _Home():
        salon = Salon(server.url)
        for n in range(runs):
            customer = salon.customer(f"Checkout{n}")
            salon.api.post(f"/customers/{customer['id']}/memberships",
                           json={"plan_id": "mpl_demo_gold", "reason": "benchmark set-up", "complimentary": True},
                           headers=key()).raise_for_status()
            start = (datetime.now(UTC) - timedelta(hours=2 + n)).replace(minute=0, second=0, microsecond=0)
            r = salon.api.post("/appointments", json={
                "customer_id": customer["id"], "staff_id": "stf_anna", "start": start.isoformat(),
                "allow_overlap": True, "lines": [{"service_id": "svc_deep_tissue"}]}, headers=key())
            r.raise_for_status()
            asyncio.run(_checkout(server.url, requests, r.json()["id"], seen, counted=n == 0))
    return seen


async def _checkout(url: str, requests: list[str], appointment_id: str, seen: CheckoutRequests, *,
                    counted: bool) -> None:
    app = app_on(url, datetime.now(UTC))
    keyring.set_keyring(DictKeyring())  # every run signs in: no token kept from the last one
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
        screen = AppointmentScreen(appointment_id, tz=ZoneInfo("Europe/Budapest"))
        app.push_screen(screen)
        await wait_until(pilot, lambda: screen.appointment is not None, "the appointment")
        await app.workers.wait_for_complete()
        mark = len(requests)
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
        cart = app.screen
        await wait_until(pilot, lambda: cart.query_one(BenefitsBanner).benefits is not None, "the banner")
        await wait_until(pilot, lambda: _settled(app), "the cart's requests")
        opened, mark = requests[mark:], len(requests)
        # An appointment's cart comes with its benefits applied (server/sales/automatic.py): r y
        # is pressed only when the credit is not on the line yet, and then counted.
        if cart.sale.total != 0:
            await pilot.press("r")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the redeem question")
            await pilot.press("y")
            await wait_until(pilot, lambda: cart.sale.total == 0 and cart.query_one(BenefitsBanner).sale is cart.sale,
                             "the line covered")
            await wait_until(pilot, lambda: _settled(app), "the cart's requests")
        redeemed, mark = requests[mark:], len(requests)
        began = time.perf_counter()
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
        seen.seconds_to_receipt.append(time.perf_counter() - began)
        await wait_until(pilot, lambda: _settled(app, "cart-action"), "the completion's requests")
        if counted:
            seen.open, seen.redeem, seen.complete = opened, redeemed, requests[mark:]


def _settled(app, *waiting_for_the_user: str) -> bool:
    """Every worker has finished but those waiting on a screen the receptionist has not closed yet
    (F4 on the appointment waits for the cart; F10 on the cart waits for the receipt)."""
    waiting = {"appointment-action", *waiting_for_the_user}
    return not any(w.is_running for w in app.workers if w.group not in waiting)
