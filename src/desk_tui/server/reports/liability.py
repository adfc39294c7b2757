"""The liability report, summed by the database: what the salon still owes on live cards.

It used to load every live card as an object and sum the ledger with one ``IN (…)`` of all
their ids: 6.6 s at 100,000 customers, and a 500 past 65,535 live cards (the driver's limit on
parameters in one statement). Then the database summed each pool, each card and each package in
one statement of three nested groupings over every live card joined to its pools and ledger: 1.5 s
at 150,000 cards, most of it hashing the card and pool ids of each level.

Now a card with one pool (nearly all of them) is summed straight from its ledger, grouped by card
alone, and joined to its card once. Only bundle cards (several pools sharing one price, told by a
pool at a position past the first) come back pool by pool, because their value is a sum of
fractions rounded down once, which integer SQL cannot say exactly.
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

#: a card with a pool past the first is a bundle (pools are numbered from 0 as the card is issued)
_BUNDLES = select(CardEntitlement.card_id).where(CardEntitlement.position > 0)


def liability(s: Session, *, now: datetime | None = None) -> wire.Liability:
    """Per package: live cards (active, not expired) and the units and value not yet redeemed.

    Booked units count as owed (the appointment has not happened yet). Value is each card's
    price paid × outstanding ÷ initial, rounded down per card, so it matches the refund quotes.
    """
    live = status_filter("active", business_date(s, now or utcnow()))
    if s.get_bind().dialect.name == "postgresql":
        # the sorts and hashes over every live card stay in memory instead of spilling to disk
        s.execute(text("SET LOCAL work_mem = '64MB'"))
    singles: Sequence[Any] = s.execute(_single_pool_cards(live)).all()
    lines: dict[str, dict[str, Any]] = {
        package_id: {"unit_type": unit_type, "cards": cards, "units": int(units), "value": int(value)}
        for package_id, unit_type, cards, units, value in singles}
    for package_id, unit_type, cards, units, value in _bundle_lines(s, live):
        line = lines.setdefault(package_id, {"unit_type": unit_type, "cards": 0, "units": 0, "value": 0})
        line["cards"] += cards
        line["units"] += units
        line["value"] += value
    names = dict(s.execute(select(Package.id, Package.name).where(Package.id.in_(lines))).all()) if lines else {}
    items = sorted(
        (wire.LiabilityLine(package_id=pid, package_name=names.get(pid, pid), unit_type=x["unit_type"], cards=x["cards"],
                            units_outstanding=x["units"], value_outstanding=x["value"]) for pid, x in lines.items()),
        key=lambda x: (-x.value_outstanding, x.package_name, x.package_id))
    return wire.Liability(items=items, total_value=sum(x.value_outstanding for x in items),
                          currency=reference.settings(s).currency)


def _single_pool_cards(live: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """Per package, the live one-pool cards that still owe something: how many, their units owed
    (booked ones included: the appointment has not happened yet) and their value. A one-pool card's
    ledger is its pool's, so it is summed by card, with no join to the pools (entries without a
    pool, such as a transfer, move no units)."""
    T, C = CardTransaction, Card
    initial = func.sum(T.initial_delta)
    left = initial + func.sum(T.adjust_delta) - func.sum(T.used_delta)
    booked = func.sum(T.booked_delta)
    ledger_sums = (select(T.card_id, initial.label("initial"), left.label("left"), booked.label("booked"))
                   .where(T.entitlement_id.is_not(None)).group_by(T.card_id).subquery("sums"))
    sums = ledger_sums.c
    owed = case((sums.left - sums.booked > 0, sums.left - sums.booked), else_=0) + sums.booked
    # price × min(left, initial) ÷ initial, rounded down (integer division of non-negatives)
    value = case((and_(sums.initial > 0, sums.left > 0, C.price_paid > 0),
                  C.price_paid * case((sums.left < sums.initial, sums.left), else_=sums.initial) // sums.initial),
                 else_=0)
    return (select(C.package_id, func.max(C.unit_type), func.count(), func.sum(owed), func.sum(value))
            .select_from(C).join(ledger_sums, sums.card_id == C.id)
            .where(live, owed > 0, C.id.not_in(_BUNDLES)).group_by(C.package_id))


def _bundle_lines(s: Session, live: ColumnElement[bool]) -> list[tuple[str, str, int, int, int]]:
    """Per package, the live bundle cards that still owe something: (package, unit type, cards,
    units, value), their pools shared by weight (ledger.share_value) as the refund quote does."""
    T, E, C = CardTransaction, CardEntitlement, Card
    initial, booked = func.coalesce(func.sum(T.initial_delta), 0), func.coalesce(func.sum(T.booked_delta), 0)
    left = initial + func.coalesce(func.sum(T.adjust_delta), 0) - func.coalesce(func.sum(T.used_delta), 0)
    rows: Sequence[Any] = s.execute(
        select(C.id.label("card_id"), C.package_id, C.unit_type, C.price_paid, E.id.label("entitlement_id"),
               E.weight, initial.label("initial"), booked.label("booked"), left.label("left"))
        .select_from(C).join(E, E.card_id == C.id)
        .outerjoin(T, and_(T.card_id == C.id, T.entitlement_id == E.id))
        .where(live, C.id.in_(_BUNDLES)).group_by(C.id, E.id).order_by(C.id, E.position)).all()
    cards: dict[str, tuple[str, str, int, list[tuple[int, ledger.Pool]]]] = {}
    for row in rows:
        # as a Pool whose remaining is left − booked: adjustments = left − initial, nothing used
        balance = ledger.Pool(row.entitlement_id, initial=int(row.initial),
                              adjustments=int(row.left) - int(row.initial), booked=int(row.booked))
        cards.setdefault(row.card_id, (row.package_id, row.unit_type, row.price_paid, []))[3].append(
            (row.weight, balance))
    lines: dict[str, list[Any]] = defaultdict(lambda: ["", 0, 0, 0])
    for package_id, unit_type, price, pools in cards.values():
        units = sum(max(p.remaining, 0) + p.booked for _, p in pools)
        if units <= 0:
            continue
        line = lines[package_id]
        line[0] = unit_type
        line[1] += 1
        line[2] += units
        line[3] += ledger.share_value(price, pools, include_booked=True)
    return [(package_id, *line) for package_id, line in lines.items()]
