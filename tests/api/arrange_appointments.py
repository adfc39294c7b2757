"""Shared helpers of the appointment tests.

Tests share one demo database per engine, so each books on its own random far-future day and
creates its own customers and cards (sold with a far expiry), and never collides with another.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.support.api_client import as_manager, key

TZ = ZoneInfo("Europe/Budapest")
_rng = random.SystemRandom()


def some_day() -> date:
    """A day no other test books on: somewhere in the 22nd to 28th centuries."""
    return date(2100, 1, 1) + timedelta(days=_rng.randrange(250_000))


def past_day() -> date:
    """A day of its own that has come already (2001–2020): check-in and no-show are for an
    appointment's day or later, never for one still ahead."""
    return date(2001, 1, 1) + timedelta(days=_rng.randrange(7300))


def at(day: date, hour: int, minute: int = 0) -> str:
    """A local (Budapest) wall-clock time on ``day`` as ISO 8601 with its offset."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).isoformat()


def new_customer(c: httpx.Client, name: str = "Booking Test") -> str:
    r = c.post("/customers", json={"name": f"{name} {uuid.uuid4().hex[:6]}"}, headers=key())
    assert r.status_code == 201, r.text
    return r.json()["id"]


def sell(c: httpx.Client, customer_id: str, package_id: str = "pkg_demo_5x_manicure",
         expires_on: str = "2999-12-31") -> dict:
    r = as_manager(c).post("/cards", json={"package_id": package_id, "customer_id": customer_id,
                                           "expires_on": expires_on, "note": "test sale", "reason": "test set-up"},
                           headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def book(c: httpx.Client, customer_id: str, start: str, *lines: dict, staff_id: str = "stf_anna",
         **extra) -> httpx.Response:
    body = {"customer_id": customer_id, "staff_id": staff_id, "start": start, "lines": list(lines), **extra}
    return c.post("/appointments", json=body, headers=key())


def booked(c: httpx.Client, customer_id: str, start: str, *lines: dict, **kw) -> dict:
    r = book(c, customer_id, start, *lines, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def paid(service_id: str = "svc_manicure") -> dict:
    return {"service_id": service_id}


def from_card(card_id: str, service_id: str = "svc_manicure", entitlement_id: str | None = None) -> dict:
    source = {"card_id": card_id} | ({"entitlement_id": entitlement_id} if entitlement_id else {})
    return {"service_id": service_id, "source": source}


def balance(c: httpx.Client, card_id: str, pool: int = 0) -> dict:
    return c.get(f"/cards/{card_id}").json()["balances"][pool]


def action(c: httpx.Client, appointment_id: str, name: str, **kw) -> httpx.Response:
    return c.post(f"/appointments/{appointment_id}/{name}", headers=key() | kw.pop("headers", {}), **kw)


def patch(c: httpx.Client, appt: dict, body: dict, version: int | str | None = None) -> httpx.Response:
    headers = key()
    if version != "omit":
        headers["If-Match"] = str(appt["version"] if version is None else version)
    return c.patch(f"/appointments/{appt['id']}", json=body, headers=headers)


def activity(c: httpx.Client, customer_id: str) -> list[dict]:
    return c.get(f"/customers/{customer_id}/activity", params={"limit": 100}).json()["items"]
