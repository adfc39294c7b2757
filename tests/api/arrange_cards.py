"""Helpers the package, card and report tests share (this module holds no tests).

Tests share one demo database per engine, so each makes its own customers, templates and cards
with unique names and never depends on global counts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.support.api_client import as_manager, key

MANICURE_5 = [{"units": 5, "services": [{"service_id": "svc_manicure"}]}]
PAMPER_360 = [{"units": 360, "services": [{"service_id": "svc_manicure", "unit_cost": 60},
                                          {"service_id": "svc_pedicure", "unit_cost": 60},
                                          {"service_id": "svc_deep_tissue", "unit_cost": 120}]}]
FACIALS_AND_MASSAGES = [{"units": 3, "services": [{"service_id": "svc_facial"}]},
                        {"units": 2, "services": [{"service_id": "svc_deep_tissue"}, {"service_id": "svc_swedish"}]}]


def tag() -> str:
    return uuid.uuid4().hex[:8]


def today() -> date:
    """Today in the demo salon's time zone (the server's business day)."""
    return datetime.now(ZoneInfo("Europe/Budapest")).date()


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def make_package(c: httpx.Client, entitlements=None, **fields) -> dict:
    body = {"name": f"Pkg {tag()}", "unit_type": "sessions", "price": 40000, "expiry_days": 180,
            "entitlements": entitlements or MANICURE_5} | fields
    r = c.post("/packages", json=body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def new_customer(c: httpx.Client, name: str | None = None) -> dict:
    r = c.post("/customers", json={"name": name or f"Card Owner {tag()}"}, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def sell(c: httpx.Client, package_id: str, customer_id: str | None = None, **fields) -> dict:
    """A card issued without a sale: a manager's act with a reason (the manager at ``c``'s location)."""
    customer_id = customer_id or new_customer(c)["id"]
    r = as_manager(c).post("/cards", json={"package_id": package_id, "customer_id": customer_id, "note": "Paid cash",
                                           "reason": "test set-up"} | fields, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def redeem(c: httpx.Client, card_id: str, service_id: str = "svc_manicure", **fields) -> httpx.Response:
    return c.post(f"/cards/{card_id}/redemptions", json={"service_id": service_id} | fields, headers=key())


def redeemed(c: httpx.Client, card_id: str, service_id: str = "svc_manicure", **fields) -> dict:
    r = redeem(c, card_id, service_id, **fields)
    assert r.status_code == 201, r.text
    return r.json()


def pool(card: dict, index: int = 0) -> dict:
    return card["balances"][index]


def history(c: httpx.Client, card_id: str) -> list[dict]:
    """The card's whole ledger, oldest first, page by page."""
    entries: list[dict] = []
    cursor = None
    while True:
        r = c.get(f"/cards/{card_id}/transactions", params={"limit": 500, "cursor": cursor})
        assert r.status_code == 200, r.text
        entries += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return entries


def activity(c: httpx.Client, customer_id: str) -> list[str]:
    return [x["summary"] for x in c.get(f"/customers/{customer_id}/activity").json()["items"]]
