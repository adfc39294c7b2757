"""The business calendar: expiry dates, "today" and report days are days in the organisation's
time zone, for every domain (cards, memberships, sales, appointments, reports).

A card that expires on the 31st is usable all day on the 31st in Budapest, whatever the server's
own clock zone is, and expired from local midnight on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from desk_tui.server.reference import service as reference


def org_zone(s: Session) -> ZoneInfo:
    try:
        return ZoneInfo(reference.settings(s).timezone)
    except (ZoneInfoNotFoundError, ValueError):
        # A mistyped zone in the settings must not take the till down; UTC is the honest fallback.
        return ZoneInfo("UTC")


def business_date(s: Session, at: datetime) -> date:
    return at.astimezone(org_zone(s)).date()


def local_midnight(s: Session, day: date) -> datetime:
    """The UTC instant a business day starts: report ranges are whole local days."""
    return datetime.combine(day, datetime.min.time(), tzinfo=org_zone(s)).astimezone(UTC)
