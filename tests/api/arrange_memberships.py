"""Helpers the membership tests share (this module holds no tests)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from tests.api.arrange_appointments import new_customer
from tests.api.arrange_cards import tag, today
from tests.support.api_client import as_manager, key

BUDAPEST = ZoneInfo("Europe/Budapest")


def make_plan(c: httpx.Client, **fields) -> dict:
    body = {"name": f"Plan {tag()}", "price": 9900, "discounts": [{"scope": "all", "percent": 10}],
            "credits": [{"service_id": "svc_manicure", "per_period": 2}]} | fields
    r = c.post("/membership-plans", json=body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def enrol(c: httpx.Client, customer_id: str, plan_id: str, **fields) -> dict:
    """An enrolment without a sale: a manager's act with a reason (the manager at ``c``'s location)."""
    r = as_manager(c).post(f"/customers/{customer_id}/memberships",
                           json={"plan_id": plan_id, "reason": "test set-up"} | fields, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def me(role: str = "reception", location_id: str = "loc_downtown") -> Principal:
    return Principal(staff_id=f"stf_{role}", staff_name="Test", role=role, location_id=location_id,
                     token_hash="test", expires_at=utcnow() + timedelta(hours=1))


def as_of(days: int, hour: int = 12) -> datetime:
    """Noon in Budapest ``days`` from today: a clock for calling the service layer."""
    return datetime.combine(today() + timedelta(days=days), time(hour), tzinfo=BUDAPEST)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BUDAPEST)


GOLD = "mpl_demo_gold"


def gold_member(c: httpx.Client, plan_id: str = GOLD) -> tuple[str, str]:
    customer = new_customer(c, "Gold Member")
    r = as_manager(c).post(f"/customers/{customer}/memberships", json={"plan_id": plan_id, "reason": "test set-up"},
                           headers=key())
    assert r.status_code == 201, r.text
    return customer, r.json()["id"]


def deep_tissue_credit(c: httpx.Client, enrollment_id: str) -> dict:
    credits = c.get(f"/memberships/{enrollment_id}").json()["credits"]
    return next(x for x in credits if x["service_id"] == "svc_deep_tissue")
