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
from desk_tui.contract.sales import VatRate
from desk_tui.server.database import utcnow
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.calendar import business_date, local_midnight
from desk_tui.server.reference.vat import percent
from desk_tui.server.reports.service import check_range
from desk_tui.server.sales.models import Sale, SaleLine


def sales_vat(s: Session, *, start: date | None, end: date | None, now: datetime | None = None) -> wire.SalesVat:
    """``start``/``end`` are business days, inclusive; either left out: today."""
    today = business_date(s, now or utcnow())
    start, end = start or today, end or today
    check_range(start, end)
    low, high = local_midnight(s, start), local_midnight(s, end + timedelta(days=1))
    completed = (select(Sale.id).where(Sale.status == "completed", Sale.completed_at >= low,
                                       Sale.completed_at < high))
    net, vat = func.coalesce(func.sum(SaleLine.net_amount), 0), func.coalesce(func.sum(SaleLine.vat_amount), 0)
    rows = s.execute(select(SaleLine.vat_basis_points, net, vat)
                     .where(SaleLine.sale_id.in_(completed))
                     .group_by(SaleLine.vat_basis_points)
                     .order_by(SaleLine.vat_basis_points.desc())).all()
    rates = [VatRate(rate=percent(r or 0), net=int(n or 0), vat=int(v or 0), gross=int(n or 0) + int(v or 0))
             for r, n, v in rows]
    count = s.scalar(select(func.count()).select_from(completed.subquery())) or 0
    return wire.SalesVat(start=start, end=end, currency=reference.settings(s).currency, sales=count, rates=rates,
                         net=sum(x.net for x in rates), vat=sum(x.vat for x in rates),
                         gross=sum(x.gross for x in rates))
