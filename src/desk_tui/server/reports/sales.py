"""The sales report: net, VAT and gross per rate over completed sales of some business days.

It sums what each line kept when its sale completed (``SaleLine.net_amount``, ``vat_amount``,
``vat_basis_points``: sales/money.py ``freeze``), in the database, so a later rate change or a
change of the rounding never moves a day already reported. A covered line counts 0.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_tui.contract import reports as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.sales import VatRate
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.calendar import business_date, local_midnight
from desk_tui.server.reference.models import Location
from desk_tui.server.reference.names import names_of
from desk_tui.server.reference.vat import percent
from desk_tui.server.reports.service import check_range
from desk_tui.server.sales.models import Sale, SaleLine


def location_in_scope(s: Session, location_id: str | None, *, me: Principal) -> str | None:
    """Whose sales the caller may see: the owner any location's (None: every location), a manager
    their own location's only (the one they signed in at, also when they name none)."""
    if me.role == "owner":
        if location_id is not None and s.get(Location, location_id) is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "location_id: no such location.")
        return location_id
    if location_id not in (None, me.location_id):
        here = names_of(s, Location, [me.location_id]).get(me.location_id, "your location")
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, f"A manager sees the sales of {here}, where they are signed in; "
                                                      "another location's, or every location's, are for the owner.")
    return me.location_id


def sales_vat(s: Session, *, start: date | None, end: date | None, location_id: str | None = None,
              now: datetime | None = None) -> wire.SalesVat:
    """``start``/``end`` are business days, inclusive; either left out: today. ``location_id``:
    that location's sales only (None: every location)."""
    today = business_date(s, now or utcnow())
    start, end = start or today, end or today
    check_range(start, end)
    low, high = local_midnight(s, start), local_midnight(s, end + timedelta(days=1))
    completed = (select(Sale.id).where(Sale.status == "completed", Sale.completed_at >= low,
                                       Sale.completed_at < high))
    if location_id is not None:
        completed = completed.where(Sale.location_id == location_id)
    net, vat = func.coalesce(func.sum(SaleLine.net_amount), 0), func.coalesce(func.sum(SaleLine.vat_amount), 0)
    rows = s.execute(select(SaleLine.vat_basis_points, net, vat)
                     .where(SaleLine.sale_id.in_(completed))
                     .group_by(SaleLine.vat_basis_points)
                     .order_by(SaleLine.vat_basis_points.desc())).all()
    rates = [VatRate(rate=percent(r or 0), net=int(n or 0), vat=int(v or 0), gross=int(n or 0) + int(v or 0))
             for r, n, v in rows]
    count = s.scalar(select(func.count()).select_from(completed.subquery())) or 0
    place = names_of(s, Location, [location_id]).get(location_id) if location_id else None
    return wire.SalesVat(start=start, end=end, location_id=location_id, location_name=place,
                         currency=reference.settings(s).currency, sales=count, rates=rates,
                         net=sum(x.net for x in rates), vat=sum(x.vat for x in rates),
                         gross=sum(x.gross for x in rates))
