"""An enrolment's status on a business day, and the calendar month its credits belong to.

* ``scheduled`` — ``starts_on`` is later;
* ``active`` — benefits apply (from ``starts_on`` through ``ends_on`` inclusive, or open-ended);
* ``frozen`` — within one of its freezes (a manager paused it): no benefits, no credits granted;
* ``ended`` — past its ``ends_on``;
* ``cancelled`` — cancelled by staff: at once when no notice date was given (``ends_on`` null),
  otherwise once ``ends_on`` has passed (until then it is still ``active``).

Days and months are the organisation's (reference.calendar), so a credit taken at 00:30 on the 1st in
Budapest belongs to the new month whatever the server's clock zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import BindParameter, ColumnElement, and_, exists, or_
from sqlalchemy.orm import Session

from desk_tui.server.database import utcnow
from desk_tui.server.memberships.models import Enrollment, Freeze
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
    if frozen_by(e, day) is not None:
        return "frozen"
    return "active"


def spans(e: Enrollment) -> list[tuple[date, date]]:
    """The enrolment's frozen days as (first, last) pairs; a freeze ended before it began has none."""
    return [(f.starts_on, f.ends_on) for f in e.freezes if f.ends_on >= f.starts_on]


def frozen_by(e: Enrollment, day: date) -> Freeze | None:
    return next((f for f in e.freezes if f.starts_on <= day <= f.ends_on), None)


def active_on(day: date | BindParameter[date]) -> ColumnElement[bool]:
    """SQL condition: the enrolment's benefits apply on ``day`` (status_on(...) == "active")."""
    return and_(Enrollment.starts_on <= day,
                or_(Enrollment.ends_on >= day, and_(Enrollment.ends_on.is_(None), Enrollment.cancelled_at.is_(None))),
                ~frozen_on(day))


def frozen_on(day: date | BindParameter[date]) -> ColumnElement[bool]:
    """SQL condition: one of the enrolment's freezes covers ``day``."""
    return exists().where(Freeze.enrollment_id == Enrollment.id, Freeze.starts_on <= day, Freeze.ends_on >= day)


def is_frozen(day: date, frozen: Iterable[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in frozen)


def open_days(first: date, last: date, frozen: Iterable[tuple[date, date]]) -> int:
    """Days from ``first`` through ``last`` that are not frozen."""
    spans_ = list(frozen)
    return sum(1 for n in range((last - first).days + 1) if not is_frozen(first + timedelta(days=n), spans_))


def after_open_days(day: date, n: int, frozen: Iterable[tuple[date, date]]) -> date:
    """The ``n``-th day after ``day`` that is not frozen (``day`` itself when n is 0): a paid period
    of n days that a freeze interrupts ends that much later."""
    spans_ = list(frozen)
    while n > 0:
        day += timedelta(days=1)
        if not is_frozen(day, spans_):
            n -= 1
    return day


def paid_month_end(start: date, frozen: Iterable[tuple[date, date]]) -> date:
    """The last day of a month paid from ``start``: a calendar month of open days, so frozen days
    in it are not paid for (from 10 March: 9 April, later by each frozen day)."""
    return after_open_days(start - timedelta(days=1), (month_after(start) - start).days, frozen)


def due_since(e: Enrollment, day: date) -> date | None:
    """The first unpaid day, when it has come by ``day`` (never for the complimentary or unbilled)."""
    if e.paid_through is None or e.paid_through >= day:
        return None
    return e.paid_through + timedelta(days=1)


def suspended_from(e: Enrollment, day: date, grace_days: int | None) -> date | None:
    """The day benefits stopped for want of payment (the first unpaid day + the grace), once it has
    come; null while paid, within the grace, or when the organisation never suspends."""
    since = due_since(e, day)
    if since is None or grace_days is None:
        return None
    stops = since + timedelta(days=grace_days)
    return stops if stops <= day else None


def current_or_scheduled(day: date) -> ColumnElement[bool]:
    """SQL condition: active on ``day`` or starting later (still a member, for counts and duplicates)."""
    return or_(Enrollment.ends_on >= day, and_(Enrollment.ends_on.is_(None), Enrollment.cancelled_at.is_(None)))
