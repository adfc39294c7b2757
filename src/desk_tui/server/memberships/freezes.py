"""Freezing an enrolment (a manager's act): from a day to a day, with a reason; and ending a
freeze early. Both take the caller's session, lock the enrolment row (as every writer of its
credits does) and never commit.

While frozen the enrolment gives no benefits (status ``frozen``), its months grant no credits
unless some day of the month is not frozen (balances.grants), and no month falls due: the
days still paid for from today on are kept, so the paid-through date moves on by the frozen days
it passes (and back again when a freeze ends early). A fixed term's last day moves likewise.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from desk_tui.contract import memberships as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import status
from desk_tui.server.memberships.models import Enrollment, Freeze
from desk_tui.server.memberships.queries import enrollment_views
from desk_tui.server.memberships.service import announce, lock_enrollment

FREEZE_DAYS_MAX = wire.FREEZE_DAYS_MAX


def _refuse_reception(me: Principal) -> None:
    if not me.at_least("manager"):
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, "Only a manager or the owner can freeze a membership or end "
                                                      "a freeze.")


def _keep_days_paid(day: date | None, today: date, before: list[tuple[date, date]],
                    after: list[tuple[date, date]]) -> date | None:
    """``day`` (paid through, or a term's last day) moved so the open days from today up to it
    stay as many when the frozen days change from ``before`` to ``after``. A day already past
    (a payment overdue) stays: what is owed is owed."""
    if day is None or day < today - timedelta(days=1):
        return day
    kept = status.open_days(today, day, before) if day >= today else 0
    return status.after_open_days(today - timedelta(days=1), kept + 1, after) - timedelta(days=1)


def _move_dates(e: Enrollment, today: date, before: list[tuple[date, date]]) -> None:
    after = status.spans(e)
    e.paid_through = _keep_days_paid(e.paid_through, today, before, after)
    if e.cancelled_at is None:
        e.ends_on = _keep_days_paid(e.ends_on, today, before, after)


def freeze(s: Session, *, enrollment_id: str, data: wire.FreezeCreate, me: Principal,
           now: datetime | None = None) -> wire.Enrollment:
    _refuse_reception(me)
    now = now or utcnow()
    today = status.today(s, now)
    e = lock_enrollment(s, enrollment_id)
    current = status.status_on(e, today)
    if e.cancelled_at is not None or current in ("cancelled", "ended"):
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This {e.plan.name} is {'cancelled' if e.cancelled_at else current}: "
                                                          "there is nothing to freeze.", current_status=current)
    starts_on = data.starts_on or today
    if starts_on < today:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"starts_on: a freeze cannot start in the past (today is {today}).")
    if starts_on > today + timedelta(days=FREEZE_DAYS_MAX):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "starts_on: a freeze can be planned at most a year ahead.")
    if data.ends_on < starts_on:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "ends_on: the last frozen day must be on or after the first.")
    if (data.ends_on - starts_on).days + 1 > FREEZE_DAYS_MAX:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"ends_on: a freeze lasts at most {FREEZE_DAYS_MAX} days.")
    if e.ends_on is not None and starts_on > e.ends_on:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"starts_on: this membership ends on {e.ends_on.isoformat()}.")
    clash = next(((a, b) for a, b in status.spans(e) if a <= data.ends_on and starts_on <= b), None)
    if clash is not None:
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{e.plan.name} is already frozen from {clash[0].isoformat()} to {clash[1].isoformat()}: "
                          "end that freeze first, or choose other days.")
    before = status.spans(e)
    e.freezes.append(Freeze(id=new_id("mfz"), enrollment_id=e.id, starts_on=starts_on, ends_on=data.ends_on,
                            reason=data.reason, created_at=now, created_by=me.staff_id))
    _move_dates(e, today, before)
    s.flush()
    paid = f"; paid through {e.paid_through.isoformat()}" if e.paid_through else ""
    record_activity(s, at=now, customer_id=e.customer_id, kind="membership_frozen", me=me,
                    summary=f"Froze {e.plan.name} from {starts_on.isoformat()} to {data.ends_on.isoformat()}"
                            f"{paid}: {data.reason}")
    announce(s, e, me=me, summary="frozen")
    return enrollment_views(s, [e], now=now)[0]


def end_freeze(s: Session, *, enrollment_id: str, freeze_id: str, me: Principal,
               now: datetime | None = None) -> wire.Enrollment:
    """Benefits are back from today; a freeze that had not begun is called off."""
    _refuse_reception(me)
    now = now or utcnow()
    today = status.today(s, now)
    e = lock_enrollment(s, enrollment_id)
    f = next((x for x in e.freezes if x.id == freeze_id), None)
    if f is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such freeze of this membership.")
    if f.ends_on < today or f.ends_on < f.starts_on:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This freeze is already over (its last day was "
                                                          f"{f.ends_on.isoformat()}).")
    before = status.spans(e)
    f.ends_on = max(f.starts_on, today) - timedelta(days=1)
    f.ended_at, f.ended_by = now, me.staff_id
    _move_dates(e, today, before)
    s.flush()
    paid = f"; paid through {e.paid_through.isoformat()}" if e.paid_through else ""
    what = (f"Called off the freeze of {e.plan.name} planned from {f.starts_on.isoformat()}" if f.ends_on < f.starts_on
            else f"Ended the freeze of {e.plan.name} early: benefits from {today.isoformat()}")
    record_activity(s, at=now, customer_id=e.customer_id, kind="membership_unfrozen", me=me, summary=what + paid)
    announce(s, e, me=me, summary="freeze ended")
    return enrollment_views(s, [e], now=now)[0]
