"""Arranging the salon for a UI test through the real API, as another terminal would."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from tests.support.api_client import key, login

BUDAPEST = ZoneInfo("Europe/Budapest")


class Salon:
    def __init__(self, url: str) -> None:
        self.url = url
        self.api = login(url, "manager")

    def customer(self, first: str = "Piroska") -> dict:
        name = f"{first} Teszt{uuid.uuid4().hex[:6]}"
        r = self.api.post("/customers", json={"name": name}, headers=key())
        r.raise_for_status()
        return r.json()

    def card(self, customer_id: str, package_id: str = "pkg_demo_5x_manicure", *, units_left: int | None = None) -> dict:
        r = self.api.post("/cards", json={"package_id": package_id, "customer_id": customer_id,
                                          "expires_on": "2035-12-31", "note": "sold for a UI test",
                                          "reason": "UI test set-up"}, headers=key())
        r.raise_for_status()
        card = r.json()
        if units_left is not None:
            balance = card["balances"][0]
            r = self.api.post(f"/cards/{card['id']}/adjustments",
                              json={"entitlement_id": balance["entitlement_id"],
                                    "units": units_left - balance["remaining"], "reason": "test set-up"}, headers=key())
            r.raise_for_status()
        return self.get_card(card["id"])

    def get_card(self, card_id: str) -> dict:
        return self.api.get(f"/cards/{card_id}").json()

    def book(self, customer_id: str, start: datetime, *, card_id: str | None = None, staff_id: str = "stf_anna",
             service_id: str = "svc_manicure", allow_overlap: bool = False) -> dict:
        """``allow_overlap``: for a test that needs a booking on a day near today, where the demo's
        week and the other tests sharing the server may already have booked the stylist."""
        line = {"service_id": service_id} | ({"source": {"card_id": card_id}} if card_id else {})
        r = self.api.post("/appointments", json={"customer_id": customer_id, "staff_id": staff_id,
                                                 "start": start.isoformat(), "lines": [line],
                                                 "allow_overlap": allow_overlap}, headers=key())
        r.raise_for_status()
        return r.json()

    def appointment(self, appointment_id: str) -> dict:
        return self.api.get(f"/appointments/{appointment_id}").json()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUDAPEST)


def this_hour() -> datetime:
    """The start of this hour in the salon's zone: a visit on the salon's today, so it can be checked in now.

    An hour taken in UTC, or an hour ahead, falls on tomorrow late in the evening, and the server
    rightly refuses to check in a visit before its day.
    """
    return datetime.now(BUDAPEST).replace(minute=0, second=0, microsecond=0)


def app_on(url: str, when: datetime) -> DeskApp:
    """The app against ``url`` with its clock stopped at ``when``."""
    return DeskApp(settings=load_settings(server=url), paths=Paths.from_env(), clock=lambda: when)
