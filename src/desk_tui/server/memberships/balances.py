"""This month's session credits of enrolments, summed from ``membership_credits`` in one query.

For one (enrolment, service) in a period: ``used`` = credits of completed sales, ``on_hold`` =
credits held by open sales whose hold has not expired, and ``remaining = per_period − used −
on_hold`` (never below zero). Read them *after* locking the enrolment (credits.lock_enrollment)
when the answer decides a write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from desk_tui.server.memberships.models import CreditUse


@dataclass(frozen=True, slots=True)
class Count:
    per_period: int
    used: int = 0
    on_hold: int = 0

    @property
    def remaining(self) -> int:
        return max(self.per_period - self.used - self.on_hold, 0)


def counting(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the credit row takes a credit of its month at ``now``."""
    return or_(CreditUse.state == "used", and_(CreditUse.state == "held", CreditUse.expires_at > now))


def taken(s: Session, enrollment_ids: Iterable[str], *, period: str, now: datetime
          ) -> dict[tuple[str, str], tuple[int, int]]:
    """(enrollment_id, service_id) → (used, on_hold) in ``period`` at ``now``."""
    ids = sorted(set(enrollment_ids))
    if not ids:
        return {}
    rows = s.execute(
        select(CreditUse.enrollment_id, CreditUse.service_id, CreditUse.state, func.count())
        .where(CreditUse.enrollment_id.in_(ids), CreditUse.period == period, counting(now))
        .group_by(CreditUse.enrollment_id, CreditUse.service_id, CreditUse.state)).all()
    result: dict[tuple[str, str], tuple[int, int]] = {}
    for enrollment_id, service_id, state, n in rows:
        used, on_hold = result.get((enrollment_id, service_id), (0, 0))
        result[(enrollment_id, service_id)] = (used + n, on_hold) if state == "used" else (used, on_hold + n)
    return result


def count(per_period: int, found: dict[tuple[str, str], tuple[int, int]], enrollment_id: str,
          service_id: str) -> Count:
    used, on_hold = found.get((enrollment_id, service_id), (0, 0))
    return Count(per_period=per_period, used=used, on_hold=on_hold)
