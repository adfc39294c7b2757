"""Whether an enrolment's benefits apply today: it is active (not frozen, see status), and its
payment is not overdue beyond the organisation's grace (``membership_grace_days``, default 14;
null: never suspended, only warned of at checkout).

A sale that pays the enrolment's next month (a renewal line in the cart) gets its benefits back
for that sale: the month is paid inside the same completing transaction, before the credits are
used (sales.service.complete: deliver, then consume).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import status
from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.memberships.queries import active_enrollments
from desk_tui.server.reference.service import settings


def grace_days(s: Session) -> int | None:
    return settings(s).membership_grace_days


def suspended_from(s: Session, e: Enrollment, day: date) -> date | None:
    return status.suspended_from(e, day, grace_days(s))


def refusal(s: Session, e: Enrollment, day: date, *, renewed: Collection[str] = ()) -> DomainError | None:
    """Why the enrolment gives no benefits on ``day``, in words (None: they apply)."""
    current = status.status_on(e, day)
    if current == "frozen":
        freeze = status.frozen_by(e, day)
        assert freeze is not None  # status_on said frozen
        return DomainError(ProblemCode.MEMBERSHIP_FROZEN,
                           f"{e.plan.name} is frozen until {freeze.ends_on.isoformat()}: no discounts or credits "
                           "until then.", frozen_until=freeze.ends_on.isoformat())
    if current != "active":
        return DomainError(ProblemCode.INVALID_TRANSITION, f"{e.plan.name}: this membership is not active ({current}).",
                           current_status=current)
    stopped = suspended_from(s, e, day)
    if stopped is not None and e.id not in renewed:
        since = status.due_since(e, day)
        assert since is not None  # suspended only when due
        return DomainError(ProblemCode.MEMBERSHIP_UNPAID,
                           f"{e.plan.name}: payment due since {since.isoformat()}, so its benefits are suspended "
                           f"from {stopped.isoformat()}; add the month to the cart to use them.",
                           due_since=since.isoformat())
    return None


def with_benefits(s: Session, *, customer_id: str, now: datetime, renewed: Collection[str] = ()) -> list[Enrollment]:
    """The customer's enrolments whose benefits apply now, oldest first."""
    day = status.today(s, now)
    return [e for e in active_enrollments(s, customer_id=customer_id, now=now)
            if refusal(s, e, day, renewed=renewed) is None]
