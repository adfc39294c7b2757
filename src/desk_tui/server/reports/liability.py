"""The liability report, summed by the database: what the salon still owes on live cards.

It used to load every live card as an object and sum the ledger with one ``IN (…)`` of all
their ids: 6.6 s at 100,000 customers, and a 500 past 65,535 live cards (the driver's limit on
parameters in one statement). Here the database sums each pool, each card and each package in one
statement; only bundle cards (several pools sharing one price) come back pool by pool, because
their value is a sum of fractions rounded down once, which integer SQL cannot say exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, text
from sqlalchemy.orm import Session

from desk_tui.contract import reports as wire
from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card, CardEntitlement, CardTransaction
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
    if s.get_bind().dialect.name == "postgresql":
        # the sorts and hashes over every live card stay in memory instead of spilling to disk
        s.execute(text("SET LOCAL work_mem = '64MB'"))
    p = _pools(live).subquery("pool").c
    owed = case((p.left - p.booked > 0, p.left - p.booked), else_=0) + p.booked
    # one pool: price × min(left, initial) ÷ initial, rounded down (integer division of non-negatives)
    alone = case((and_(p.initial > 0, p.left > 0, p.price_paid > 0),
                  p.price_paid * case((p.left < p.initial, p.left), else_=p.initial) // p.initial), else_=0)
    card = (select(p.package_id, p.unit_type, func.count().label("pools"), func.sum(owed).label("units"),
                   func.sum(alone).label("alone"))
            .group_by(p.card_id, p.package_id, p.unit_type).subquery("card").c)
    per_package = (select(card.package_id, func.max(card.unit_type), func.count(), func.sum(card.units),
                          func.sum(case((card.pools == 1, card.alone), else_=0)),
                          func.sum(case((card.pools > 1, 1), else_=0)))
                   .where(card.units > 0).group_by(card.package_id))
    totals: Sequence[Any] = s.execute(per_package).all()
    lines: dict[str, dict[str, Any]] = {
        package_id: {"unit_type": unit_type, "cards": cards, "units": int(units), "value": int(value)}
        for package_id, unit_type, cards, units, value, _ in totals}
    if any(bundles for *_, bundles in totals):
        for package_id, value in _bundle_values(s, live).items():
            lines[package_id]["value"] += value
    names = dict(s.execute(select(Package.id, Package.name).where(Package.id.in_(lines))).all()) if lines else {}
    items = sorted(
        (wire.LiabilityLine(package_id=pid, package_name=names.get(pid, pid), unit_type=x["unit_type"], cards=x["cards"],
                            units_outstanding=x["units"], value_outstanding=x["value"]) for pid, x in lines.items()),
        key=lambda x: (-x.value_outstanding, x.package_name, x.package_id))
    return wire.Liability(items=items, total_value=sum(x.value_outstanding for x in items),
                          currency=reference.settings(s).currency)


def _pools(live: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """One row per pool of a live card: its card's package and price, its weight, and its ledger
    summed (``left`` = remaining + booked: what it still owes)."""
    T, E, C = CardTransaction, CardEntitlement, Card
    initial, booked = func.coalesce(func.sum(T.initial_delta), 0), func.coalesce(func.sum(T.booked_delta), 0)
    left = initial + func.coalesce(func.sum(T.adjust_delta), 0) - func.coalesce(func.sum(T.used_delta), 0)
    return (select(C.id.label("card_id"), C.package_id, C.unit_type, C.price_paid, E.id.label("entitlement_id"),
                   E.position, E.weight, initial.label("initial"), booked.label("booked"), left.label("left"))
            .select_from(C).join(E, E.card_id == C.id)
            .outerjoin(T, and_(T.card_id == C.id, T.entitlement_id == E.id))
            .where(live).group_by(C.id, E.id))


def _bundle_values(s: Session, live: ColumnElement[bool]) -> dict[str, int]:
    """Value owed on live bundle cards, per package: their pools, shared by weight (ledger.share_value)."""
    bundles = select(CardEntitlement.card_id).group_by(CardEntitlement.card_id).having(func.count() > 1)
    rows: Sequence[Any] = s.execute(_pools(live).where(Card.id.in_(bundles)).order_by(Card.id, CardEntitlement.position)
                                    ).all()
    cards: dict[str, tuple[str, int, list[tuple[int, ledger.Pool]]]] = {}
    for row in rows:
        # as a Pool whose remaining is left − booked: adjustments = left − initial, nothing used
        balance = ledger.Pool(row.entitlement_id, initial=int(row.initial),
                              adjustments=int(row.left) - int(row.initial), booked=int(row.booked))
        cards.setdefault(row.card_id, (row.package_id, row.price_paid, []))[2].append((row.weight, balance))
    values: dict[str, int] = defaultdict(int)
    for package_id, price, pools in cards.values():
        values[package_id] += ledger.share_value(price, pools, include_booked=True)
    return values
