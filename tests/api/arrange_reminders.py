"""Customers, cards and reminder rows for the reminder tests (this module holds no tests)."""

from __future__ import annotations

from desk_tui.cli import main
from desk_tui.server.reminders.models import ReminderSent
from tests.api.arrange_cards import days, redeemed, sell, tag
from tests.support.api_client import key
from tests.support.live_server import LiveServer


def send_reminders(db_url: str, *flags: str) -> int:
    return main(["admin", "--db", db_url, "send-reminders", *flags])


def customer(c, *, email: bool = True) -> dict:
    name = f"Rita Reminder {tag()}"
    body = {"name": name} | ({"email": f"rita.{tag()}@example.test"} if email else {})
    r = c.post("/customers", json=body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def expiring_card(c, who: dict, in_days: int = 5) -> dict:
    """A 5x Manicure expiring ``in_days`` from today with one session used: 4 left."""
    card = sell(c, "pkg_demo_5x_manicure", who["id"], expires_on=days(in_days))
    redeemed(c, card["id"])
    return card


def reminded_rows(salon: LiveServer, subject_id: str) -> list[ReminderSent]:
    with salon.database.read_session() as s:
        return list(s.query(ReminderSent).filter_by(subject_id=subject_id))
