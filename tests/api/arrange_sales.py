"""Shared helpers of the checkout tests.

Tests share one demo database per engine, so each makes its own customers and cards and books
its appointments on a random far-future day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from tests.support.api_client import key

#: how long an idle cart keeps what it holds (the server's default)
HOLD = timedelta(minutes=30)

PRICES = {"svc_manicure": 8000, "svc_deep_tissue": 16000, "svc_swedish": 14000, "svc_facial": 15000,
          "svc_pedicure": 9500, "svc_blow_dry": 6000, "prd_hand_cream": 4200, "prd_cuticle_oil": 3500}


def me(location_id: str = "loc_downtown") -> Principal:
    return Principal(staff_id="stf_reception", staff_name="Réka Tóth", role="reception", location_id=location_id,
                     token_hash="test", expires_at=utcnow() + timedelta(hours=1))


def opened(c: httpx.Client, **body) -> dict:
    r = c.post("/sales", json=body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def add(c: httpx.Client, sale_id: str, item: str, **body) -> dict:
    field = "service_id" if item.startswith("svc_") else "product_id"
    r = c.post(f"/sales/{sale_id}/lines", json={field: item} | body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def last_line(sale: dict) -> dict:
    return sale["lines"][-1]


def redeem(c: httpx.Client, sale_id: str, line_id: str, **body) -> httpx.Response:
    return c.post(f"/sales/{sale_id}/lines/{line_id}/redeem", json=body, headers=key())


def complete(c: httpx.Client, sale_id: str, *payments: tuple[str, int], headers: dict | None = None
             ) -> httpx.Response:
    body = {"payments": [{"method": m, "amount": a} for m, a in payments]}
    return c.post(f"/sales/{sale_id}/complete", json=body, headers=headers or key())


def completed(c: httpx.Client, sale_id: str, *payments: tuple[str, int]) -> dict:
    r = complete(c, sale_id, *payments)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"
    return r.json()


def give_store_credit(c: httpx.Client, m: httpx.Client, customer_id: str, amount: int) -> None:
    """The honest way a customer gets store credit: a manager refunds an unused card worth ``amount``."""
    r = m.post("/cards", json={"package_id": "pkg_demo_5x_manicure", "customer_id": customer_id,
                               "price_paid": amount, "expires_on": "2999-12-31", "note": "to refund",
                               "reason": "test store credit"},
               headers=key())
    assert r.status_code == 201, r.text
    r = m.post(f"/cards/{r.json()['id']}/refund", json={"reason": "test store credit"}, headers=key())
    assert r.status_code in (200, 201), r.text


def sweep_idle(database, *, now: datetime, timeout: timedelta = timedelta(minutes=30)) -> int:
    """Run the idle sweep until it finds nothing more: it closes 20 carts a pass, oldest first,
    and a suite's shared database holds many more open carts than that."""
    from desk_tui.server.sales import holds

    total = 0
    while True:
        with database.transaction() as s:
            closed = holds.sweep(s, now=now, timeout=timeout)
        if not closed:
            return total
        total += closed
