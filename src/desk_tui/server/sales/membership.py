"""The one door from sales into the memberships domain's credit functions.

Until ``desk_tui.server.memberships.credits`` exists (the memberships domain is built alongside),
a customer simply has no membership benefits: no discounts, no credit offers, and redeeming a
credit is refused as ``credit_exhausted``. Everything else in the cart works without it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk_tui.server.auth.principal import Principal
from desk_tui.server.errors import DomainError

try:  # pragma: no cover - which branch runs depends on whether memberships has landed
    from desk_tui.server.memberships import credits as _credits
except ImportError:  # pragma: no cover
    _credits = None


def available() -> bool:
    return _credits is not None


def best_discount(s: Session, *, customer_id: str, service_id: str, now: datetime) -> dict | None:
    if _credits is None:
        return None
    return _credits.best_discount(s, customer_id=customer_id, service_id=service_id, now=now)


def credit_offers(s: Session, *, customer_id: str, service_ids: list[str], now: datetime,
                  sale_id: str | None = None) -> list[dict]:
    if _credits is None or not service_ids:
        return []
    return _credits.credit_offers(s, customer_id=customer_id, service_ids=service_ids, now=now, sale_id=sale_id)


def hold(s: Session, *, enrollment_id: str, service_id: str, quantity: int, sale_id: str, sale_line_id: str,
         me: Principal, now: datetime, expires_at: datetime) -> list[str]:
    if _credits is None:
        raise DomainError("credit_exhausted", "This customer has no membership credit for this service.")
    return _credits.hold(s, enrollment_id=enrollment_id, service_id=service_id, quantity=quantity, sale_id=sale_id,
                         sale_line_id=sale_line_id, me=me, now=now, expires_at=expires_at)


def release(s: Session, *, sale_id: str, sale_line_id: str | None = None, me: Principal | None,
            now: datetime) -> int:
    if _credits is None:
        return 0
    return _credits.release(s, sale_id=sale_id, sale_line_id=sale_line_id, me=me, now=now)


def consume(s: Session, *, sale_id: str, me: Principal, now: datetime) -> int:
    if _credits is None:
        return 0
    return _credits.consume(s, sale_id=sale_id, me=me, now=now)


def extend_holds(s: Session, *, sale_id: str, expires_at: datetime) -> None:
    if _credits is not None:
        _credits.extend_holds(s, sale_id=sale_id, expires_at=expires_at)


def credit_usage(s: Session, *, enrollment_id: str | None, service_id: str | None,
                 now: datetime) -> tuple[int, int] | None:
    """(used, per period) of an enrolment's credit for a service in the period of ``now``."""
    return None
