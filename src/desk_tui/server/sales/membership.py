"""The one door from sales into the memberships domain: its credit and discount functions.

They run inside the sale's transaction and never commit (memberships/credits.py). This module
only adapts them to what the cart needs (the plan's name for a line, the receipt's words, the
memberships whose next month the cart pays: their benefits apply in it even when overdue) and
turns "no such membership" in a request body into a validation error.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import credits
from desk_tui.server.memberships.queries import get_enrollment
from desk_tui.server.sales.models import Sale


def renewed(sale: Sale) -> set[str]:
    """The enrolments whose next month this cart sells."""
    return {x.renews_enrollment_id for x in sale.lines if x.kind == "membership" and x.renews_enrollment_id}


def best_discount(s: Session, *, customer_id: str, service_id: str, now: datetime,
                  renewed: Collection[str] = ()) -> dict[str, Any] | None:
    return credits.best_discount(s, customer_id=customer_id, service_id=service_id, now=now, renewed=renewed)


def credit_offers(s: Session, *, customer_id: str, service_ids: list[str], now: datetime,
                  sale_id: str | None = None, renewed: Collection[str] = ()) -> list[dict[str, Any]]:
    if not service_ids:
        return []
    return credits.credit_offers(s, customer_id=customer_id, service_ids=service_ids, now=now, sale_id=sale_id,
                                 renewed=renewed)


def hold(s: Session, *, enrollment_id: str, customer_id: str, service_id: str, quantity: int, sale_id: str,
         sale_line_id: str, me: Principal, now: datetime, expires_at: datetime, renewed: Collection[str] = ()) -> str:
    """Hold the credits for a line; returns the plan's name ("Gold membership")."""
    try:
        credits.hold(s, enrollment_id=enrollment_id, service_id=service_id, quantity=quantity, sale_id=sale_id,
                     sale_line_id=sale_line_id, me=me, now=now, expires_at=expires_at, customer_id=customer_id,
                     renewed=renewed)
    except DomainError as exc:
        if exc.code == ProblemCode.NOT_FOUND:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "enrollment_id: no such membership.") from None
        raise
    return get_enrollment(s, enrollment_id).plan.name


def release(s: Session, *, sale_id: str, sale_line_id: str | None = None, me: Principal | None,
            now: datetime) -> int:
    return credits.release(s, sale_id=sale_id, sale_line_id=sale_line_id, me=me, now=now)


def consume(s: Session, *, sale_id: str, me: Principal, now: datetime, renewed: Collection[str] = ()) -> int:
    return credits.consume(s, sale_id=sale_id, me=me, now=now, renewed=renewed)


def extend_holds(s: Session, *, sale_id: str, expires_at: datetime, now: datetime) -> None:
    credits.extend_holds(s, sale_id=sale_id, expires_at=expires_at, now=now)


def usage_label(s: Session, *, enrollment_id: str, service_id: str, now: datetime) -> str:
    """"Gold membership credit (1 of 2 used this month)"."""
    return credits.usage_label(s, enrollment_id=enrollment_id, service_id=service_id, now=now)
