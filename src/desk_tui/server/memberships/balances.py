"""Session credits of enrolments for a month, from ``membership_credits`` in one query.

For one (enrolment, service) in a period: ``used`` = credits of completed sales, ``on_hold`` =
credits held by open sales whose hold has not expired. A month *grants* the plan's credits when
the enrolment has at least one day in it that is not frozen. With ``rollover_months`` = R a
month's unused credits can still be used in the R months after it, oldest first (a credit used
takes the oldest one still valid); with R = 0 (the default) credits reset on the 1st. So

    remaining = (per_period if granted) + carried_in − used − on_hold      (never below zero)

where ``carried_in`` is what earlier months left that is still valid in this one. Read the
counts *after* locking the enrolment (credits.lock_enrollment) when the answer decides a write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from desk_tui.server.memberships import status
from desk_tui.server.memberships.models import CreditUse, Enrollment


@dataclass(frozen=True, slots=True)
class Count:
    per_period: int
    used: int = 0
    on_hold: int = 0
    #: credits earlier months left that are still valid this month (before this month's use)
    carried_in: int = 0
    #: this month grants ``per_period`` (false when every day of it is frozen or outside the membership)
    granted: bool = True
    #: of what is left, the credits from earlier months, oldest first: ((period, n), …)
    carried: tuple[tuple[str, int], ...] = ()

    @property
    def allowance(self) -> int:
        return (self.per_period if self.granted else 0) + self.carried_in

    @property
    def remaining(self) -> int:
        return max(self.allowance - self.used - self.on_hold, 0)


def counting(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the credit row takes a credit of its month at ``now``."""
    return or_(CreditUse.state == "used", and_(CreditUse.state == "held", CreditUse.expires_at > now))


def taken(s: Session, enrollment_ids: Iterable[str], *, period: str, now: datetime
          ) -> dict[tuple[str, str], tuple[int, int]]:
    """(enrollment_id, service_id) → (used, on_hold) in ``period`` at ``now``."""
    found = taken_by_month(s, enrollment_ids, since=period, until=period, now=now)
    return {(e, svc): n for (e, svc, _), n in found.items()}


def taken_by_month(s: Session, enrollment_ids: Iterable[str], *, since: str, until: str, now: datetime
                   ) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(enrollment_id, service_id, period) → (used, on_hold) for periods ``since`` … ``until``."""
    ids = sorted(set(enrollment_ids))
    if not ids:
        return {}
    rows = s.execute(
        select(CreditUse.enrollment_id, CreditUse.service_id, CreditUse.period, CreditUse.state, func.count())
        .where(CreditUse.enrollment_id.in_(ids), CreditUse.period >= since, CreditUse.period <= until, counting(now))
        .group_by(CreditUse.enrollment_id, CreditUse.service_id, CreditUse.period, CreditUse.state)).all()
    result: dict[tuple[str, str, str], tuple[int, int]] = {}
    for enrollment_id, service_id, period, state, n in rows:
        used, on_hold = result.get((enrollment_id, service_id, period), (0, 0))
        result[(enrollment_id, service_id, period)] = (used + n, on_hold) if state == "used" else (used, on_hold + n)
    return result


def count(per_period: int, found: dict[tuple[str, str], tuple[int, int]], enrollment_id: str,
          service_id: str) -> Count:
    used, on_hold = found.get((enrollment_id, service_id), (0, 0))
    return Count(per_period=per_period, used=used, on_hold=on_hold)


def first_day(period: str) -> date:
    return date(int(period[:4]), int(period[5:]), 1)


def months(first: str, last: str) -> list[str]:
    """Every period from ``first`` through ``last``."""
    result, day = [], first_day(first)
    while status.period(day) <= last:
        result.append(status.period(day))
        day = status.month_after(day)
    return result


def grants(e: Enrollment, period: str) -> bool:
    """Does the month give the plan's credits: a day of it in the membership and not frozen?"""
    first = max(first_day(period), e.starts_on)
    last = status.month_after(first_day(period)) - timedelta(days=1)
    if e.ends_on is not None:
        last = min(last, e.ends_on)
    return first <= last and status.open_days(first, last, status.spans(e)) > 0


@dataclass(slots=True)
class _Grant:
    index: int
    period: str
    left: int


def roll(per_period: int, rollover: int, history: Sequence[tuple[str, bool, int, int]]) -> Count:
    """The count of the last month of ``history`` [(period, granted, used, on_hold), consecutive
    months]: each month's use takes the oldest credit still valid (granted at most ``rollover``
    months before)."""
    valid: list[_Grant] = []  # oldest first
    carried_in = 0
    for index, (period, granted, used, on_hold) in enumerate(history):
        valid = [g for g in valid if index - g.index <= rollover]
        if index == len(history) - 1:
            carried_in = sum(g.left for g in valid)
        if granted:
            valid.append(_Grant(index, period, per_period))
        wanted = used + on_hold
        for g in valid:
            took = min(g.left, wanted)
            g.left, wanted = g.left - took, wanted - took
    period, granted, used, on_hold = history[-1]
    carried = tuple((g.period, g.left) for g in valid if g.period != period and g.left > 0)
    return Count(per_period=per_period, used=used, on_hold=on_hold, carried_in=carried_in, granted=granted,
                 carried=carried)


def counts(s: Session, enrollments: Sequence[Enrollment], *, period: str, now: datetime
           ) -> dict[tuple[str, str], Count]:
    """(enrollment_id, service_id) → this month's Count, for every credit of each enrolment's plan."""
    if not enrollments:
        return {}
    starts = [status.period(e.starts_on) for e in enrollments if e.plan.rollover_months > 0]
    since = min([period, *starts])
    found = taken_by_month(s, [e.id for e in enrollments], since=since, until=period, now=now)
    result = {}
    for e in enrollments:
        rollover = e.plan.rollover_months
        span = months(min(status.period(e.starts_on), period), period) if rollover > 0 else [period]
        granted = {p: grants(e, p) for p in span}
        for c in e.plan.credits:
            history = [(p, granted[p], *found.get((e.id, c.service_id, p), (0, 0))) for p in span]
            result[(e.id, c.service_id)] = roll(c.per_period, rollover, history)
    return result
