"""Membership payments due: active memberships whose months paid at the till have run out.

An enrolment sold through a sale is paid through its first month; one a manager gave without a
sale is paid through the day before it starts (so it is listed from its start) unless it is
complimentary. Complimentary ones, and the demo's (enrolled before months were billed), have no
``paid_through`` and are never listed. A membership cancelled with notice still owes the months
it is active for, so it is listed until its last day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import reports as wire
from desk_tui.server.customers.models import Customer
from desk_tui.server.database import utcnow
from desk_tui.server.memberships import status
from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.pagination import keyset_page


def memberships_due(s: Session, *, limit: int, cursor: str | None, now: datetime | None = None
                    ) -> tuple[list[wire.MembershipDue], str | None]:
    """Longest overdue first."""
    today = status.today(s, now or utcnow())
    stmt = select(Enrollment).where(status.active_on(today), Enrollment.paid_through.is_not(None),
                                    Enrollment.paid_through < today)
    rows, next_cursor = keyset_page(s, stmt, order_by=[Enrollment.paid_through, Enrollment.id],
                                    key=lambda e: (e.paid_through, e.id), limit=limit, cursor=cursor)
    customers = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_({e.customer_id for e in rows})))}
    items = []
    for e in rows:
        who = customers[e.customer_id]
        assert e.paid_through is not None  # the query keeps enrolments paid through a day
        due_since = e.paid_through + timedelta(days=1)
        items.append(wire.MembershipDue(
            enrollment_id=e.id, customer_id=who.id, customer_name=who.name, phone=who.phone, plan_id=e.plan_id,
            plan_name=e.plan.name, price=e.plan.price, paid_through=e.paid_through, due_since=due_since,
            months_due=months_started(due_since, today)))
    return items, next_cursor


def months_started(first_unpaid: date, today: date) -> int:
    """How many monthly periods have begun from ``first_unpaid`` up to ``today`` (the report only
    lists memberships whose first unpaid day has come, so at least one)."""
    count, start = 0, first_unpaid
    while start <= today:
        count += 1
        start = status.month_after(start)
    return count
