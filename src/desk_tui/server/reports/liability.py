"""The liability report: what the salon still owes on live cards.

It used to load every live card as an object and sum the ledger with one ``IN (…)`` of all their
ids (6.6 s at 100,000 customers, and a 500 past 65,535 live cards: the driver's limit on
parameters in one statement), then summed the whole ledger in SQL every time (0.6–0.75 s). Each
card now carries what it still owes (``owed_units``, ``owed_value``), moved on by the ledger in the
transaction of every entry under the card lock (cards/ledger.py ``append``), so the report is one
grouping of the live cards' own rows. Bundles need nothing of their own: their value (a sum of
fractions rounded down once) is worked out in Python where the entry is written.
``desk-tui admin verify-ledger`` checks those figures against the ledger.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_tui.contract import reports as wire
from desk_tui.server.cards.models import Card
from desk_tui.server.cards.queries import status_filter
from desk_tui.server.database import utcnow
from desk_tui.server.packages.models import Package
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.calendar import business_date


def liability(s: Session, *, now: datetime | None = None) -> wire.Liability:
    """Per package: live cards (active, not expired) and the units and value not yet redeemed.

    Booked units count as owed (the appointment has not happened yet). Value is each card's
    price paid × outstanding ÷ initial, rounded down per card, so it matches the refund quotes.
    """
    live = status_filter("active", business_date(s, now or utcnow()))
    C = Card
    lines = s.execute(
        select(C.package_id, func.max(C.unit_type), func.count(), func.sum(C.owed_units), func.sum(C.owed_value))
        .where(live, C.owed_units > 0).group_by(C.package_id)).all()
    names = dict(s.execute(select(Package.id, Package.name).where(Package.id.in_([x[0] for x in lines]))).all()) \
        if lines else {}
    items = sorted(
        (wire.LiabilityLine(package_id=pid, package_name=names.get(pid, pid), unit_type=unit_type, cards=cards,
                            units_outstanding=int(units), value_outstanding=int(value))
         for pid, unit_type, cards, units, value in lines),
        key=lambda x: (-x.value_outstanding, x.package_name, x.package_id))
    return wire.Liability(items=items, total_value=sum(x.value_outstanding for x in items),
                          currency=reference.settings(s).currency)
