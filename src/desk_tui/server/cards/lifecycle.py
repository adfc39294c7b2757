"""A card's life after the sale: number, expiry (one card or a whole closure), owner, refund, expiry sweep.

Expiry and owner changes, refunds and bulk extensions are manager/owner decisions; each writes
its own ledger entry (``extend``, ``transfer``, ``refund``, ``expire``) so the history says who
changed what, and the old value stays readable (``old_value`` / ``new_value``). A new number (a
lost card re-issued) is anyone's to give and is a ``renumber`` entry with the old number.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import family, ledger, rules
from desk_tui.server.cards.models import EXPIRY_UNRECORDED, Card
from desk_tui.server.cards.service import check_number_free, number_key, number_tail
from desk_tui.server.customers.service import get_customer, record_activity
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.packages.models import Package
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.models import Location
from desk_tui.server.reference.money import money

#: store_credit is a 32-bit column; a refund that would overflow it is refused, never a 500
CREDIT_MAX = 2**31 - 1


def _date_text(d: date | None) -> str:
    return d.isoformat() if d else "no expiry"


def update_card(s: Session, *, card_id: str, data: wire.CardUpdate, me: Principal, now: datetime | None = None) -> Card:
    now = now or utcnow()
    fields = data.model_fields_set - {"note", "for_customer_id"}
    if fields & {"expires_on", "customer_id"} and not me.at_least("manager"):
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, "Only a manager or owner can change a card's expiry or owner.")
    card = ledger.lock_card(s, card_id)
    family.check_owner(s, card, data.for_customer_id, done="renumbered, extended or transferred")
    if "number" in fields:
        _renumber(s, card, data.number or None, me, now, data.note)
    if "customer_id" in fields:
        if data.customer_id is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: may not be null.")
        if data.customer_id != card.customer_id:
            _transfer(s, card, data.customer_id, me, now, data.note)
    if "expires_on" in fields and data.expires_on != card.expires_on:
        if card.status in ledger.CLOSED:
            raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; its expiry is final.")
        extend(s, card, data.expires_on, me, now, data.note)
    s.flush()
    return card


def _renumber(s: Session, card: Card, number: str | None, me: Principal, now: datetime, note: str | None) -> None:
    key = number_key(number)
    if key == card.number_key and number == card.number:
        return
    check_number_free(s, key, card_id=card.id)
    old = card.number
    # A lost card re-issued under a new number: the history keeps the old one (a ``renumber`` entry).
    ledger.append(s, card, kind="renumber", me=me, at=now, note=note, old_value=old, new_value=number)
    card.number, card.number_key, card.number_tail = number, key, number_tail(number)
    s.flush()
    rules.reindex_owner(s, card.customer_id)
    record_activity(s, customer_id=card.customer_id, kind="card_renumbered", card_id=card.id, me=me,
                    summary=f"Card number of {card.package_name} changed from {old or 'none'} to {number or 'none'}")


def extend(s: Session, card: Card, expires_on: date | None, me: Principal | None, now: datetime, note: str | None) -> None:
    """Change the expiry of a locked card (an ``extend`` entry, whichever direction)."""
    old = card.expires_on
    ledger.append(s, card, kind="extend", me=me, at=now, note=note, old_value=old.isoformat() if old else None,
                  new_value=expires_on.isoformat() if expires_on else None)
    card.expires_on = expires_on
    reason = f": {note}" if note else ""
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_extended", card_id=card.id, me=me,
                    summary=f"Expiry of {card.package_name} changed from {_date_text(old)} to "
                            f"{_date_text(expires_on)}{reason}")


def _transfer(s: Session, card: Card, customer_id: str, me: Principal, now: datetime, note: str | None) -> None:
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; it cannot change hands.")
    new_owner = rules.named_customer(s, customer_id)
    if any(p.booked for p in ledger.card_pools(s, card).values()):
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This card has booked sessions; cancel or complete those "
                                                "appointments before giving the card to someone else.")
    old_owner = get_customer(s, card.customer_id)
    # The family was the old owner's to choose; the new owner shares it with whom they like.
    family.drop_all(s, card, me=me, now=now, why=f"{old_owner.name} gave the card to {new_owner.name}")
    card.customer_id = new_owner.id
    ledger.append(s, card, kind="transfer", me=me, at=now, note=note, old_value=old_owner.id, new_value=new_owner.id)
    s.flush()
    rules.reindex_owner(s, old_owner.id)
    rules.reindex_owner(s, new_owner.id)
    record_activity(s, at=now, customer_id=old_owner.id, kind="card_transferred", card_id=card.id, me=me,
                    summary=f"Gave {card.package_name} to {new_owner.name}")
    record_activity(s, at=now, customer_id=new_owner.id, kind="card_transferred", card_id=card.id, me=me,
                    summary=f"Received {card.package_name} from {old_owner.name}")


def refund(s: Session, *, card_id: str, reason: str, me: Principal, now: datetime | None = None,
           for_customer_id: str | None = None) -> Card:
    """Remaining value to store credit (the owner's, never a family member's); the card is closed
    (``refunded``) and its balances kept as they were."""
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    family.check_owner(s, card, for_customer_id, done="refunded")
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was already {card.status}.")
    balances = ledger.card_pools(s, card)
    if any(p.booked for p in balances.values()):
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This card has booked sessions; cancel or complete those "
                                                "appointments before refunding it.")
    left = sum(max(p.remaining, 0) for p in balances.values())
    if left == 0:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"Nothing is left on {card.package_name} to refund.")
    value = ledger.value_of(card, balances)
    customer = get_customer(s, card.customer_id, for_update=True)
    if customer.store_credit + value > CREDIT_MAX:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The customer's store credit would exceed what the system can hold.")
    customer.store_credit += value
    ledger.append(s, card, kind="refund", me=me, at=now, units=left, amount=value, note=reason)
    card.status = "refunded"
    s.flush()
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_refunded", card_id=card.id, me=me,
                    summary=f"Refunded {card.package_name}: {money(s, value)} to store credit "
                            f"for {left} unused {card.unit_type} ({reason})")
    return card


def _live_in_scope(s: Session, data: wire.BulkExtendRequest, today: date) -> Select[Card]:
    # A card already near the end of the calendar is left alone rather than overflowing the date type.
    stmt = select(Card).where(Card.status == ledger.LIVE, Card.expires_on.is_not(None), Card.expires_on >= today,
                              Card.expires_on <= wire.LAST_DATE - timedelta(days=data.days))
    if data.package_id is not None:
        if s.get(Package, data.package_id) is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "package_id: no such package.")
        stmt = stmt.where(Card.package_id == data.package_id)
    if data.location_id is not None:
        if s.get(Location, data.location_id) is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "location_id: no such location.")
        stmt = stmt.where(Card.issued_location_id == data.location_id)
    return stmt


def extend_all(s: Session, *, data: wire.BulkExtendRequest, me: Principal, now: datetime | None = None
               ) -> wire.BulkExtendResult:
    """A closure: every live card in scope (with an expiry) gets ``days`` more, one ``extend`` entry each."""
    now = now or utcnow()
    stmt = _live_in_scope(s, data, business_date(s, now))
    if data.dry_run:
        count = s.scalar(select(func.count()).select_from(stmt.subquery()))
        return wire.BulkExtendResult(count=count or 0, dry_run=True)
    # Locked in id order, like every multi-card writer, so two bulk runs cannot deadlock.
    cards = list(s.scalars(stmt.order_by(Card.id).with_for_update(key_share=True)))
    for card in cards:
        assert card.expires_on is not None  # _live_in_scope keeps only cards with an expiry
        extend(s, card, card.expires_on + timedelta(days=data.days), me, now, data.reason)
    s.flush()
    return wire.BulkExtendResult(count=len(cards), dry_run=False)


def overdue(today: date) -> Select[Card]:
    """Live cards past their expiry whose ``expire`` entry is not written yet (a partial index
    holds just these: the check runs every minute on every worker)."""
    return select(Card).where(Card.expires_on < today, EXPIRY_UNRECORDED).order_by(Card.id)


def expire_overdue(s: Session, *, me: Principal | None, now: datetime | None = None) -> int:
    """Write one ``expire`` entry for each live card past its expiry (once per expiry date).

    The entry records what was forfeited (``units`` = what was left) for the books; it does not
    change balances, so extending the card later makes those units usable again.
    """
    now = now or utcnow()
    cards = list(s.scalars(overdue(business_date(s, now)).with_for_update(key_share=True)))
    all_pools = ledger.pools(s, [c.id for c in cards])
    for card in cards:
        assert card.expires_on is not None  # the query keeps only cards past an expiry
        left = sum(max(p.remaining, 0) for p in all_pools[card.id].values())
        ledger.append(s, card, kind="expire", me=me, at=now, units=left, old_value=card.expires_on.isoformat(),
                      note=f"Expired on {card.expires_on.isoformat()} with {left} {card.unit_type} unused")
        card.expire_recorded_for = card.expires_on
        record_activity(s, at=now, customer_id=card.customer_id, kind="card_expired", card_id=card.id, me=me,
                        summary=f"{card.package_name} expired on {card.expires_on.isoformat()} "
                                f"with {left} {card.unit_type} unused")
    s.flush()
    return len(cards)


