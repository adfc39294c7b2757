"""The append-only ledger: appending entries under the card lock, and deriving balances from them.

Per entitlement (pool): ``initial`` (issued), ``adjustments`` (± by managers), ``used``
(redeemed), ``booked`` (reserved, not yet redeemed), and
``remaining = initial + adjustments − used − booked``. Every entry stores its effect on those four
numbers, so a balance is a plain sum and never depends on re-interpreting old rows.

Locking: :func:`lock_card` is ``SELECT … FOR NO KEY UPDATE`` on the card row. On PostgreSQL that
serialises every writer of one card; on SQLite ``FOR UPDATE`` does nothing, but the write
session's ``BEGIN IMMEDIATE`` already serialises all writers. Read the balances *after* taking
the lock (a fresh statement), never before: that is what makes check-then-append race-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Protocol

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session, joinedload

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import chain
from desk_tui.server.cards.models import Card, CardEntitlement, CardTransaction
from desk_tui.server.customers.models import Customer
from desk_tui.server.database import new_id
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.reference.models import Staff
from desk_tui.server.reference.names import remember

#: statuses kept on the card row; ``expired`` is derived from the date on top of ``active``
LIVE = "active"
FULLY_USED = "fully_used"
CLOSED = ("refunded", "void")


@dataclass(frozen=True, slots=True)
class Pool:
    entitlement_id: str
    initial: int = 0
    adjustments: int = 0
    used: int = 0
    booked: int = 0

    @property
    def total(self) -> int:
        return self.initial + self.adjustments

    @property
    def remaining(self) -> int:
        return self.initial + self.adjustments - self.used - self.booked

    def available(self, unit_cost: int) -> int:
        return max(self.remaining, 0) // unit_cost


#: built once (the ids a list parameter), of the table's columns, on the driver's cursor (every wallet,
#: redemption and calendar day sums pools)
_E = CardTransaction.__table__.c
_POOLS = DriverStatement(
    select(_E.card_id, _E.entitlement_id, func.sum(_E.initial_delta), func.sum(_E.adjust_delta),
           func.sum(_E.used_delta), func.sum(_E.booked_delta))
    .where(_E.card_id.in_(bindparam("card_ids", expanding=True)), _E.entitlement_id.is_not(None))
    .group_by(_E.card_id, _E.entitlement_id))


def pools(s: Session, card_ids: Iterable[str]) -> dict[str, dict[str, Pool]]:
    """Balances of every pool of these cards, summed from the ledger in one query. A card this
    session has locked and summed already is not summed again: under its lock only this session
    appends to it, and :func:`append` keeps its sums in step."""
    known: dict[str, dict[str, Pool]] = s.info.get(_SUMS, {})
    result: dict[str, dict[str, Pool]] = {}
    ids = []
    for card_id in sorted(set(card_ids)):
        if card_id in known:
            result[card_id] = dict(known[card_id])
        else:
            result[card_id] = {}
            ids.append(card_id)
    if not ids:
        return result
    rows = _POOLS.all(s, {"card_ids": ids})
    for card_id, ent_id, initial, adjust, used, booked in rows:
        assert ent_id is not None  # the query keeps only rows with a pool
        result[card_id][ent_id] = Pool(ent_id, int(initial or 0), int(adjust or 0), int(used or 0), int(booked or 0))
    return result


def card_pools(s: Session, card: Card) -> dict[str, Pool]:
    found = pools(s, [card.id])[card.id]
    balances = {ent.id: found.get(ent.id, Pool(ent.id)) for ent in card.entitlements}
    if any(x is card for x in s.info.get(_LOCKED, ())):
        s.info.setdefault(_SUMS, {})[card.id] = dict(balances)
    return balances


_LOCK_CARD = (select(Card, Customer.name, Staff.name).where(Card.id == bindparam("card_id"))
              .outerjoin(Customer, Customer.id == Card.customer_id).outerjoin(Staff, Staff.id == Card.issued_by)
              .options(joinedload(Card.entitlements).joinedload(CardEntitlement.services))
              .with_for_update(of=Card, key_share=True).execution_options(populate_existing=True))


def lock_card(s: Session, card_id: str) -> Card:
    """The card, locked for this transaction, with its pools and their services (every writer
    reads them next), and its holder's and issuer's names (its answer shows them)."""
    row = s.execute(_LOCK_CARD, {"card_id": card_id}).unique().first()
    if row is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such card.")
    card, holder, issuer = row
    # the card's answer names its holder and issuer: read with it, not after
    remember(s, Customer, card.customer_id, holder)
    remember(s, Staff, card.issued_by, issuer)
    # The session holds its objects weakly: without this, the card the request changed is gone
    # by the time the answer is built, and its view reads it (and its pools) again.
    s.info.setdefault(_LOCKED, []).append(card)
    return card


_LOCKED = "desk_tui.locked_cards"
#: the balances of locked cards, by card id (see :func:`pools`)
_SUMS = "desk_tui.locked_card_sums"


@event.listens_for(Session, "after_soft_rollback")
def _forget_sums(s: Session, previous: object) -> None:
    # A block that failed may have appended (a savepoint rolled back): sum again from the rows.
    s.info.pop(_SUMS, None)


def append(s: Session, card: Card, *, kind: str, me: Principal | None, at: datetime,
           entitlement_id: str | None = None, service_id: str | None = None, units: int = 0,
           initial: int = 0, adjust: int = 0, used: int = 0, booked: int = 0,
           appointment_id: str | None = None, sale_id: str | None = None, note: str | None = None,
           ref_id: str | None = None, amount: int | None = None, old_value: str | None = None,
           new_value: str | None = None, used_by: str | None = None) -> CardTransaction:
    """Append one entry to a card the caller has locked (see :func:`lock_card`). ``used_by``: the
    family member it was used for, when not the owner (cards/family.py)."""
    moved: Pool | None = None
    if entitlement_id is not None and (initial or adjust or used or booked):
        # What the card owes moves with its balances, before the flush that writes last_seq, so
        # both go out in the one UPDATE of the card row this entry makes anyway.
        before = _balances_before(s, card)
        was = before.get(entitlement_id, Pool(entitlement_id))
        moved = Pool(entitlement_id, was.initial + initial, was.adjustments + adjust, was.used + used,
                     was.booked + booked)
        card.owed_units, card.owed_value = owed(card, {**before, entitlement_id: moved})
    card.last_seq += 1
    tx = CardTransaction(
        id=new_id("ctx"), card_id=card.id, seq=card.last_seq, at=at, kind=kind, entitlement_id=entitlement_id,
        service_id=service_id, units=units, initial_delta=initial, adjust_delta=adjust, used_delta=used,
        booked_delta=booked, customer_id=card.customer_id, staff_id=me.staff_id if me else None,
        location_id=me.location_id if me else None, appointment_id=appointment_id, sale_id=sale_id,
        note=note, ref_id=ref_id, amount=amount, old_value=old_value, new_value=new_value,
        used_by_customer_id=used_by,
    )
    # The previous entry's hash is the card's head, read with the lock that orders the sequence
    # (lock_card loads the row afresh), so two writers can never chain onto the same entry.
    tx.prev_hash = card.ledger_head
    tx.entry_hash = card.ledger_head = chain.entry_hash(
        {name: getattr(tx, name) for name in (*chain.CONTENT, *chain.OPTIONAL)}, tx.prev_hash)
    s.add(tx)
    s.flush()
    sums = s.info.get(_SUMS, {}).get(card.id)
    if sums is not None and moved is not None:
        sums[moved.entitlement_id] = moved
    # Cards are shared by every location (a customer may use one anywhere): every desk is told.
    events.record(s, kind="card.changed", location_id=None, me=me, card_id=card.id, customer_id=card.customer_id,
                  version=card.last_seq, summary=kind)
    return tx


def _balances_before(s: Session, card: Card) -> dict[str, Pool]:
    """The balances of a card the caller has locked, before the entry being appended: those this
    session keeps for it, none for a card issued in this transaction, else summed (and kept, so the
    caller's own read after the entry costs nothing: :func:`card_pools`)."""
    if card.last_seq == 0 and card.id not in s.info.get(_SUMS, {}):
        return {}
    return card_pools(s, card)


def owed(card: Card, balances: dict[str, Pool]) -> tuple[int, int]:
    """What a card still owes by these balances: its units left or booked (a booked unit is owed
    until the appointment happens) and their value as its refund quote reckons it, booked units
    included (:func:`value_of`). Kept on the card (``owed_units``, ``owed_value``) for the
    liability report, whatever its status or expiry: the report picks the live ones."""
    return owed_from(card.price_paid, [(e.weight, balances.get(e.id, Pool(e.id))) for e in card.entitlements])


def owed_from(price_paid: int, pools: Sequence[tuple[int, Pool]]) -> tuple[int, int]:
    """:func:`owed` from the card's price and its pools (weight, balance), as verify-ledger reads
    them from rows."""
    units = sum(max(p.remaining, 0) + p.booked for _, p in pools)
    return units, share_value(price_paid, pools, include_booked=True) if units > 0 else 0


def settle_status(card: Card, balances: dict[str, Pool]) -> None:
    """Keep the stored status in step after a balance change: fully used ⇔ nothing left, nothing booked."""
    if card.status in CLOSED:
        return
    done = all(p.remaining <= 0 and p.booked == 0 for p in balances.values())
    card.status = FULLY_USED if done else LIVE


class PoolTerms(Protocol):
    """A pool as a card's value reads it: an ORM entitlement, or a row of the wallet's."""

    @property
    def id(self) -> str: ...
    @property
    def weight(self) -> int: ...


class CardTerms(Protocol):
    """A card as its status and value read it: an ORM card, or a row of the wallet's (queries.py)."""

    @property
    def status(self) -> str: ...
    @property
    def expires_on(self) -> date | None: ...
    @property
    def price_paid(self) -> int: ...
    @property
    def entitlements(self) -> Sequence[PoolTerms]: ...


def effective_status(card: CardTerms, today: date) -> str:
    return "expired" if card.status == LIVE and is_expired(card, today) else card.status


def is_expired(card: CardTerms, today: date) -> bool:
    return card.expires_on is not None and today > card.expires_on


def value_of(card: CardTerms, balances: dict[str, Pool], *, include_booked: bool = False) -> int:
    """price paid × left ÷ initial, rounded down once for the whole card.

    A bundle has one price for several pools, so the price is shared between pools by their
    list value at sale time (``CardEntitlement.weight``); with one pool this is exactly
    price × remaining ÷ initial. Goodwill adjustments never make a pool worth more than it
    was bought for (the ratio is capped at 1).
    """
    return share_value(card.price_paid, [(e.weight, balances.get(e.id, Pool(e.id))) for e in card.entitlements],
                       include_booked=include_booked)


def share_value(price_paid: int, pools: Sequence[tuple[int, Pool]], *, include_booked: bool = False) -> int:
    """:func:`value_of` from the card's price and its pools (weight, balance), in position order."""
    if not pools or price_paid <= 0:
        return 0
    weights = [max(weight, 0) for weight, _ in pools]
    if sum(weights) == 0:
        weights = [1] * len(pools)
    total_weight = sum(weights)
    value = Fraction(0)
    for (_, pool), weight in zip(pools, weights, strict=True):
        left = pool.remaining + (pool.booked if include_booked else 0)
        if pool.initial <= 0 or left <= 0:
            continue
        value += Fraction(price_paid * weight, total_weight) * min(Fraction(left, pool.initial), Fraction(1))
    return int(value)  # floor: value is never negative


def pool_for(card: Card, entitlement_id: str) -> CardEntitlement:
    for ent in card.entitlements:
        if ent.id == entitlement_id:
            return ent
    raise DomainError(ProblemCode.VALIDATION_ERROR, "entitlement_id: not a pool of this card.")
