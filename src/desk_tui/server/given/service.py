"""Recording what is given without a sale, and reading it back for managers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import reports as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import Customer
from desk_tui.server.database import new_id
from desk_tui.server.errors import DomainError
from desk_tui.server.given.models import GivenWithoutSale
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.calendar import local_midnight
from desk_tui.server.reference.models import Staff

#: the reason on record for cards moved in by the owner's CSV import
IMPORT_REASON = "import"


def record(s: Session, *, kind: str, customer_id: str, what: str, price: int, reason: str, me: Principal,
           at: datetime, card_id: str | None = None, enrollment_id: str | None = None,
           complimentary: bool = False) -> None:
    s.add(GivenWithoutSale(id=new_id("giv"), at=at, kind=kind, customer_id=customer_id, card_id=card_id,
                           enrollment_id=enrollment_id, what=what[:200], price=price, complimentary=complimentary,
                           reason=reason[:2000], staff_id=me.staff_id, location_id=me.location_id))


def required_reason(reason: str | None, what: str) -> str:
    """The reason a manager gives for handing out value outside a sale: 422 without one."""
    if reason is None or not reason.strip():
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"reason: say why {what} is given without a sale (a card or a "
                                              "membership is otherwise sold through a cart at the till).")
    return reason.strip()


def report(s: Session, *, me: Principal, start: date | None, end: date | None, limit: int, cursor: str | None
           ) -> tuple[list[wire.GivenWithoutSale], str | None]:
    """Newest first, in [start, end] (whole business days of the organisation)."""
    if start is not None and end is not None and start > end:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "from: must not be after to.")
    stmt = select(GivenWithoutSale)
    if start is not None:
        stmt = stmt.where(GivenWithoutSale.at >= local_midnight(s, start))
    if end is not None:
        stmt = stmt.where(GivenWithoutSale.at < local_midnight(s, end + timedelta(days=1)))
    rows, next_cursor = keyset_page(s, stmt, order_by=[GivenWithoutSale.at, GivenWithoutSale.id],
                                    key=lambda g: (g.at, g.id), limit=limit, cursor=cursor, descending=True)
    customers = dict(s.execute(select(Customer.id, Customer.name)
                               .where(Customer.id.in_({g.customer_id for g in rows}))).all())
    staff = dict(s.execute(select(Staff.id, Staff.name).where(Staff.id.in_({g.staff_id for g in rows}))).all())
    numbers = dict(s.execute(select(Card.id, Card.number)
                             .where(Card.id.in_({g.card_id for g in rows if g.card_id}))).all())
    return [wire.GivenWithoutSale(
        id=g.id, at=g.at, kind=g.kind, customer_id=g.customer_id, customer_name=customers.get(g.customer_id, ""),
        what=g.what, card_id=g.card_id, card_number=numbers.get(g.card_id) if g.card_id else None, enrollment_id=g.enrollment_id,
        price=g.price, complimentary=g.complimentary, reason=g.reason, staff_id=g.staff_id,
        # a staff name from another location is not shown
        staff_name=staff.get(g.staff_id) if g.location_id == me.location_id else None,
        location_id=g.location_id) for g in rows], next_cursor
