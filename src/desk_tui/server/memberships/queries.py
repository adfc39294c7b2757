"""Reading enrolments: the Enrollment wire view (with this month's credits), a customer's list, the wallet's.

Views are built for a list at once: one query for the credit counts of every enrolment and one
for service names, whatever the number of enrolments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desk_tui.contract import memberships as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.customers.service import get_customer
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import balances, plans, status
from desk_tui.server.memberships.models import Enrollment, Freeze
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.service import settings


def enrollment_views(s: Session, enrollments: Sequence[Enrollment], *, now: datetime | None = None
                     ) -> list[wire.Enrollment]:
    now = now or utcnow()
    day = status.today(s, now)
    period = status.period(day)
    found = balances.counts(s, enrollments, period=period, now=now)
    names = plans.names_of(s, list({e.plan_id: e.plan for e in enrollments}.values()))
    grace = settings(s).membership_grace_days
    views = []
    for e in enrollments:
        credits = []
        for c in e.plan.credits:
            n = found[(e.id, c.service_id)]
            carried = sum(k for _, k in n.carried)
            credits.append(wire.Credit(service_id=c.service_id, service_name=names.get(c.service_id, ""),
                                       per_period=c.per_period, used=n.used, on_hold=n.on_hold,
                                       remaining=n.remaining, allowance=n.allowance, carried=carried,
                                       carried_from=n.carried[0][0] if n.carried else None))
        views.append(wire.Enrollment(
            id=e.id, plan_id=e.plan_id, plan_name=e.plan.name, customer_id=e.customer_id,
            status=status.status_on(e, day), period=period,
            discounts=[plans.discount_wire(d, names) for d in e.plan.discounts], credits=credits,
            starts_on=e.starts_on, ends_on=e.ends_on, price=e.plan.price, created_at=e.created_at,
            cancelled_at=e.cancelled_at, cancel_reason=e.cancel_reason, note=e.note, paid_through=e.paid_through,
            complimentary=e.complimentary, freezes=[freeze_wire(f) for f in e.freezes],
            due_since=status.due_since(e, day), suspended_from=status.suspended_from(e, day, grace),
        ))
    return views


def freeze_wire(f: Freeze) -> wire.Freeze:
    return wire.Freeze(id=f.id, starts_on=f.starts_on, ends_on=f.ends_on, reason=f.reason, created_at=f.created_at,
                       ended_at=f.ended_at)


def get_enrollment(s: Session, enrollment_id: str) -> Enrollment:
    e = s.get(Enrollment, enrollment_id)
    if e is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such membership.")
    return e


def enrollment_view(s: Session, enrollment_id: str, *, now: datetime | None = None) -> wire.Enrollment:
    return enrollment_views(s, [get_enrollment(s, enrollment_id)], now=now)[0]


def customer_enrollments(s: Session, *, customer_id: str, limit: int, cursor: str | None,
                         now: datetime | None = None) -> tuple[list[wire.Enrollment], str | None]:
    """Every enrolment of the customer, whatever its status, newest first."""
    get_customer(s, customer_id)
    stmt = select(Enrollment).where(Enrollment.customer_id == customer_id)
    rows, next_cursor = keyset_page(s, stmt, order_by=[Enrollment.created_at, Enrollment.id],
                                    key=lambda e: (e.created_at, e.id), limit=limit, cursor=cursor, descending=True)
    return enrollment_views(s, rows, now=now), next_cursor


def active_enrollments(s: Session, *, customer_id: str, now: datetime | None = None) -> list[Enrollment]:
    """The enrolments whose benefits apply today, oldest first (the wallet and the checkout banner)."""
    return list(s.scalars(_ACTIVE, {"customer_id": customer_id, "day": status.today(s, now)}))


#: built once, its values parameters: it keeps its SQLAlchemy cache key (customers.service.get_customer)
_ACTIVE = (select(Enrollment).where(Enrollment.customer_id == bindparam("customer_id"), status.active_on(bindparam("day")))
           .order_by(Enrollment.starts_on, Enrollment.id))


def wallet_memberships(s: Session, *, customer_id: str, now: datetime | None = None) -> list[wire.Enrollment]:
    """What can be redeemed: active (not frozen) and not suspended for want of payment."""
    day, grace = status.today(s, now), settings(s).membership_grace_days
    usable = [e for e in active_enrollments(s, customer_id=customer_id, now=now)
              if status.suspended_from(e, day, grace) is None]
    return enrollment_views(s, usable, now=now)
