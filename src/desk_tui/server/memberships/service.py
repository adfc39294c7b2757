"""Selling and cancelling memberships (enrolments). Both take the caller's session and never commit.

An enrolment follows its plan's *current* benefits: nothing is copied when it is sold, so a
manager's edit to a plan reaches every member from then on. A retired plan (``active = False``)
takes no new members; its existing enrolments keep working.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk_tui.contract import memberships as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import get_customer, record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.given import service as given
from desk_tui.server.memberships import plans, status
from desk_tui.server.memberships.models import Enrollment, MembershipPlan
from desk_tui.server.memberships.queries import enrollment_views


def lock_enrollment(s: Session, enrollment_id: str) -> Enrollment:
    """``SELECT … FOR NO KEY UPDATE`` the enrolment: every writer of its credits or its status queues here
    (on SQLite the write session's ``BEGIN IMMEDIATE`` already serialised them)."""
    e = s.scalar(select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update(of=Enrollment, key_share=True)
                 .execution_options(populate_existing=True))
    if e is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such membership.")
    return e


def check_can_join(s: Session, *, customer: Customer, plan_id: str, starts_on: date, ends_on: date | None,
                   today: date) -> MembershipPlan:
    """The plan, when the customer may join it from ``starts_on``: 409 when it is retired, or
    (``duplicate``) when the customer already has it for any of those days."""
    plan = plans.get_plan(s, plan_id)
    if not plan.active:
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{plan.name} is no longer sold; existing members keep it, but nobody new can join.")
    overlapping = s.scalar(select(Enrollment.id).where(
        Enrollment.customer_id == customer.id, Enrollment.plan_id == plan.id, status.current_or_scheduled(today),
        or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= starts_on),
        *([Enrollment.starts_on <= ends_on] if ends_on is not None else [])).limit(1))
    if overlapping is not None:
        raise DomainError(ProblemCode.DUPLICATE, f"{customer.name} already has {plan.name}.", enrollment_id=overlapping)
    return plan


def current_enrollment(s: Session, *, customer_id: str, plan_id: str, today: date) -> Enrollment | None:
    """The customer's enrolment in the plan that is active or starts later, if any."""
    return s.scalar(select(Enrollment).where(Enrollment.customer_id == customer_id, Enrollment.plan_id == plan_id,
                                             status.current_or_scheduled(today))
                    .order_by(Enrollment.starts_on.desc(), Enrollment.id).limit(1))


def refuse_renewal_of_cancelled(e: Enrollment, today: date) -> None:
    current = status.status_on(e, today)
    if current in ("cancelled", "ended") or e.cancelled_at is not None:
        until = f"; it ends on {e.ends_on.isoformat()}" if e.ends_on and current == "active" else ""
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This {e.plan.name} was cancelled{until}: there is no next month "
                                                "to pay. Sell a new membership instead.")


def announce(s: Session, e: Enrollment, *, me: Principal | None, summary: str) -> None:
    """Every desk is told (memberships are used at every location) once this transaction commits."""
    events.record(s, kind="membership.changed", location_id=None, me=me, enrollment_id=e.id,
                  customer_id=e.customer_id, summary=summary)


def first_month(e: Enrollment) -> None:
    """An enrolment sold at the till: its first month is paid."""
    e.paid_through = status.month_after(e.starts_on) - timedelta(days=1)


def pay_next_month(s: Session, *, enrollment_id: str, me: Principal, now: datetime,
                   sale_id: str | None = None) -> Enrollment:
    """One more month paid: from the day after ``paid_through`` (months in arrears are paid in
    order), or from today for an enrolment never paid at the till. Frozen days are not paid for:
    a month that a freeze interrupts ends that many days later."""
    e = lock_enrollment(s, enrollment_id)
    today = status.today(s, now)
    refuse_renewal_of_cancelled(e, today)
    start = e.paid_through + timedelta(days=1) if e.paid_through else max(today, e.starts_on)
    e.paid_through = status.paid_month_end(start, status.spans(e))
    e.complimentary = False  # paid for from now on: due again when the paid months run out
    record_activity(s, at=now, customer_id=e.customer_id, kind="membership_paid", me=me, sale_id=sale_id,
                    summary=f"Paid {e.plan.name} through {e.paid_through.isoformat()}")
    announce(s, e, me=me, summary="month paid")
    s.flush()
    return e


def enrol(s: Session, *, customer_id: str, data: wire.EnrollmentCreate, me: Principal,
          now: datetime | None = None, enrollment_id: str | None = None) -> wire.Enrollment:
    """A new enrolment (the sale that sells it sets its paid month; the demo seeds call this too)."""
    now = now or utcnow()
    e = _new_enrollment(s, customer_id=customer_id, data=data, me=me, now=now, enrollment_id=enrollment_id)
    record_activity(s, at=now, customer_id=customer_id, kind="membership_enrolled", me=me,
                    summary=f"Joined {e.plan.name}{_from(s, e, now)}")
    return enrollment_views(s, [e], now=now)[0]


def _from(s: Session, e: Enrollment, now: datetime) -> str:
    return "" if e.starts_on == status.today(s, now) else f" from {e.starts_on.isoformat()}"


def _new_enrollment(s: Session, *, customer_id: str, data: wire.EnrollmentCreate, me: Principal, now: datetime,
                    enrollment_id: str | None = None) -> Enrollment:
    today = status.today(s, now)
    # The customer row is the lock that keeps two terminals from selling the same plan twice at once.
    customer = get_customer(s, customer_id, for_update=True)
    starts_on = data.starts_on or today
    if starts_on < today:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"starts_on: a membership cannot start in the past (today is {today}).")
    if data.ends_on is not None and data.ends_on < starts_on:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "ends_on: must be on or after starts_on.")
    plan = check_can_join(s, customer=customer, plan_id=data.plan_id, starts_on=starts_on, ends_on=data.ends_on,
                          today=today)
    e = Enrollment(id=enrollment_id or new_id("mem"), plan_id=plan.id, customer_id=customer_id, starts_on=starts_on,
                   ends_on=data.ends_on, note=data.note or None, created_at=now, created_by=me.staff_id,
                   location_id=me.location_id)
    s.add(e)
    s.flush()
    announce(s, e, me=me, summary="joined")
    return e


def give(s: Session, *, customer_id: str, data: wire.EnrollmentCreate, me: Principal,
         now: datetime | None = None) -> wire.Enrollment:
    """An enrolment outside a sale (``POST /v1/customers/{id}/memberships``): a manager's or owner's
    act with a reason, in the customer's activity and the "given without a sale" report. It is due
    from its first month (the dues report lists it from its start) unless it is complimentary."""
    if not me.at_least("manager"):
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, "Only a manager or the owner can enrol a customer without a sale; sell "
                                            "the membership through a cart at the till instead.")
    reason = given.required_reason(data.reason, "this membership")
    now = now or utcnow()
    e = _new_enrollment(s, customer_id=customer_id, data=data, me=me, now=now)
    if data.complimentary:
        e.complimentary = True
        terms = "complimentary"
    else:
        e.paid_through = e.starts_on - timedelta(days=1)
        terms = f"due from {e.starts_on.isoformat()}"
    given.record(s, kind="membership", customer_id=customer_id, what=e.plan.name,
                 price=0 if data.complimentary else e.plan.price, complimentary=data.complimentary, reason=reason,
                 me=me, at=now, enrollment_id=e.id)
    record_activity(s, at=now, customer_id=customer_id, kind="membership_given", me=me,
                    summary=f"Joined {e.plan.name}{_from(s, e, now)} without a sale by {me.staff_name} ({terms}): "
                            f"{reason}")
    s.flush()
    return enrollment_views(s, [e], now=now)[0]


def cancel(s: Session, *, enrollment_id: str, data: wire.EnrollmentCancel, me: Principal,
           now: datetime | None = None) -> wire.Enrollment:
    """Stop an enrolment: at once, or after ``data.ends_on`` (notice). Credits already held by an open
    sale stay held; that sale can still complete (they were taken while the membership was active)."""
    now = now or utcnow()
    today = status.today(s, now)
    e = lock_enrollment(s, enrollment_id)
    current = status.status_on(e, today)
    if current in ("cancelled", "ended") or e.cancelled_at is not None:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This membership is already {'cancelled' if e.cancelled_at else current}.",
                          current_status=current)
    if data.ends_on is not None and data.ends_on < today:
        raise DomainError(ProblemCode.VALIDATION_ERROR,
                          f"ends_on: the last day of benefits cannot be in the past (today is {today}).")
    if data.ends_on is not None and data.ends_on < e.starts_on:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"ends_on: this membership only starts on {e.starts_on.isoformat()}; "
                                              "cancel without a date to stop it before it starts.")
    if data.ends_on is not None and e.ends_on is not None and data.ends_on > e.ends_on:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"ends_on: this membership already ends on {e.ends_on.isoformat()}.")
    e.cancelled_at, e.cancelled_by, e.cancel_reason = now, me.staff_id, data.reason
    e.ends_on = data.ends_on
    s.flush()
    when = "at once" if data.ends_on is None else f"benefits until {data.ends_on.isoformat()}"
    record_activity(s, at=now, customer_id=e.customer_id, kind="membership_cancelled", me=me,
                    summary=f"Cancelled {e.plan.name} ({when}): {data.reason}")
    announce(s, e, me=me, summary="cancelled")
    return enrollment_views(s, [e], now=now)[0]
