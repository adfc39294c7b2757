"""An enrolment's status on a business day, and the calendar month its credits belong to.

* ``scheduled`` — ``starts_on`` is later;
* ``active`` — benefits apply (from ``starts_on`` through ``ends_on`` inclusive, or open-ended);
* ``ended`` — past its ``ends_on``;
* ``cancelled`` — cancelled by staff: at once when no notice date was given (``ends_on`` null),
  otherwise once ``ends_on`` has passed (until then it is still ``active``).

Days and months are the organisation's (reference.calendar), so a credit taken at 00:30 on the 1st in
Budapest belongs to the new month whatever the server's clock zone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from desk_tui.server.database import utcnow
from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.reference.calendar import business_date


def today(s: Session, now: datetime | None = None) -> date:
    return business_date(s, now or utcnow())


def period(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_after(day: date) -> date:
    """The same day next month, or that month's last day when it is shorter (31 Jan → 28 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def status_on(e: Enrollment, day: date) -> str:
    if e.cancelled_at is not None and (e.ends_on is None or day > e.ends_on):
        return "cancelled"
    if day < e.starts_on:
        return "scheduled"
    if e.ends_on is not None and day > e.ends_on:
        return "ended"
    return "active"


def active_on(day: date) -> ColumnElement[bool]:
    """SQL condition: the enrolment's benefits apply on ``day`` (status_on(...) == "active")."""
    return and_(Enrollment.starts_on <= day,
                or_(Enrollment.ends_on >= day, and_(Enrollment.ends_on.is_(None), Enrollment.cancelled_at.is_(None))))


def current_or_scheduled(day: date) -> ColumnElement[bool]:
    """SQL condition: active on ``day`` or starting later (still a member, for counts and duplicates)."""
    return or_(Enrollment.ends_on >= day, and_(Enrollment.ends_on.is_(None), Enrollment.cancelled_at.is_(None)))
