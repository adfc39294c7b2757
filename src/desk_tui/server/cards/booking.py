"""Booking from a package: the functions the appointments (and sales) work calls in its own transaction.

They never commit; they take the caller's session, lock the card row (``SELECT … FOR NO KEY UPDATE``;
on SQLite the caller's ``Database.transaction()`` has already taken the write lock with
``BEGIN IMMEDIATE``) and append to the ledger. Each raises :class:`DomainError` with a stable
code (docs/api.md), which rolls the caller's whole transaction back.

Signatures (all keyword-only after the session)::

    reserve(s, *, card_id: str, entitlement_id: str | None, service_id: str, quantity: int = 1,
            me: Principal, appointment_id: str | None = None, appointment_date: date | None = None,
            location_id: str | None = None, note: str | None = None,
            now: datetime | None = None, sale_id: str | None = None,
            for_customer_id: str | None = None, field: str | None = None) -> CardTransaction
        Books units for an appointment line at once (the "3/5" counter moves on save), or holds
        them for an open sale at checkout (``sale_id`` instead of ``appointment_id``). Returns
        the ``reserve`` entry: keep its ``.id`` on the line, it is the reservation id.
        ``location_id`` is where the appointment takes place (default: ``me.location_id``).
        ``for_customer_id``: the appointment's or sale's customer, who must be the card's owner
        or a family member listed on it (the entry names a member: ``used_by_customer_id``).
        409: card_not_shared (``field`` names the input that chose the card), card_not_active,
        card_expired, card_expires_before_appointment, service_not_in_package,
        service_not_offered_here, insufficient_units.

    release(s, *, card_id: str, reservation_id: str, me: Principal, note: str | None = None,
            now: datetime | None = None) -> CardTransaction
        Cancel: the units go back to the pool. 409 invalid_transition if the reservation was
        already released, redeemed or undone.

    redeem_reservation(s, *, card_id: str, reservation_id: str, me: Principal,
                       sale_id: str | None = None, note: str | None = None,
                       now: datetime | None = None) -> CardTransaction
        Check-out, completion or no-show: booked → used, linked to the appointment (and sale).
        Works on a card that expired after the booking was made (it was valid when booked).

    lock_cards(s, card_ids) -> dict[str, Card]
        Several cards in one transaction (an appointment with lines from two cards): lock them
        first with this, which goes in id order so two such transactions cannot deadlock.

    open_reservations(s, *, appointment_id: str) -> list[CardTransaction]
        The reserve entries of an appointment not yet released, redeemed or undone.

    counter(s, *, card_id: str, entitlement_id: str) -> dict  # {used, booked, total}
    covering_cards(s, *, customer_id: str, service_id: str, location_id: str, on: date)
        -> list[dict]  # check-in's "Redeem from package?": {card_id, entitlement_id, label, remaining}
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desk_tui.contract.counters import counter_words
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import family, ledger, rules, wording
from desk_tui.server.cards.models import Card, CardEntitlementService, CardTransaction
from desk_tui.server.customers.models import Customer
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.names import names_of

_PAST = {"release": "released", "redeem": "redeemed", "undo": "undone"}


def lock_cards(s: Session, card_ids: Iterable[str]) -> dict[str, Card]:
    return {card_id: ledger.lock_card(s, card_id) for card_id in sorted(set(card_ids))}


def reserve(s: Session, *, card_id: str, entitlement_id: str | None, service_id: str, quantity: int = 1,
            me: Principal, appointment_id: str | None = None, appointment_date: date | None = None,
            location_id: str | None = None, note: str | None = None, now: datetime | None = None,
            sale_id: str | None = None, for_customer_id: str | None = None,
            field: str | None = None) -> CardTransaction:
    if quantity < 1:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "quantity: must be at least 1.")
    if (appointment_id is None) == (sale_id is None):
        raise ValueError("a reservation is made for exactly one of an appointment and a sale")
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    used_by = family.user_of(s, card, for_customer_id, field=field)
    today = business_date(s, now)
    rules.check_usable(card, today)
    appointment_date = appointment_date or today
    if appointment_id is not None and card.expires_on is not None and card.expires_on < appointment_date:
        raise DomainError(ProblemCode.CARD_EXPIRES_BEFORE_APPOINTMENT,
                          f"{card.package_name} expires on {card.expires_on.isoformat()}, before the appointment "
                          f"on {appointment_date.isoformat()}.")
    name = rules.service_name(s, service_id)
    options = rules.pools_with(card, service_id, entitlement_id, name)
    rules.check_offered(s, service_id, location_id or me.location_id, name)
    balances = ledger.card_pools(s, card)
    ent, units = rules.choose_pool(card, options, balances, quantity, name)
    tx = ledger.append(s, card, kind="reserve", me=me, at=now, entitlement_id=ent.id, service_id=service_id,
                       units=units, booked=units, appointment_id=appointment_id, sale_id=sale_id, note=note,
                       used_by=used_by)
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    what = (f"Booked {wording.service_label(name, quantity)} on {appointment_date.isoformat()}" if sale_id is None
            else f"Held {wording.service_label(name, quantity)} at checkout")
    family.record_use(s, card, used_by, kind="card_reserved", at=now, me=me, appointment_id=appointment_id,
                      sale_id=sale_id, head=f"{what} from", tail=f" {wording.progress(card, ent, balances[ent.id])}")
    return tx


def _open_reservation(s: Session, card: Card, reservation_id: str) -> CardTransaction:
    target = s.get(CardTransaction, reservation_id)
    if target is None or target.card_id != card.id or target.kind != "reserve":
        raise DomainError(ProblemCode.NOT_FOUND, "No such reservation on this card.")
    settled = s.scalar(select(CardTransaction.kind).where(CardTransaction.ref_id == target.id))
    if settled is not None:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This reservation was already {_PAST[settled]}.")
    return target


def release(s: Session, *, card_id: str, reservation_id: str, me: Principal, note: str | None = None,
            now: datetime | None = None) -> CardTransaction:
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    target = _open_reservation(s, card, reservation_id)
    # reserve() always records the pool and the service of a reservation
    assert target.entitlement_id is not None and target.service_id is not None
    tx = ledger.append(s, card, kind="release", me=me, at=now, entitlement_id=target.entitlement_id,
                       service_id=target.service_id, units=target.units, booked=-target.units,
                       appointment_id=target.appointment_id, sale_id=target.sale_id, note=note, ref_id=target.id,
                       used_by=target.used_by_customer_id)
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    ent = ledger.pool_for(card, target.entitlement_id)
    what = "Booking" if target.sale_id is None else "Checkout hold"
    family.record_use(s, card, target.used_by_customer_id, kind="card_released", at=now, me=me,
                      appointment_id=target.appointment_id, sale_id=target.sale_id,
                      head=f"{what} of {rules.service_name(s, target.service_id)} cancelled; returned to",
                      tail=f" {wording.progress(card, ent, balances[ent.id])}")
    return tx


def redeem_reservation(s: Session, *, card_id: str, reservation_id: str, me: Principal, sale_id: str | None = None,
                       note: str | None = None, now: datetime | None = None) -> CardTransaction:
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}.")
    target = _open_reservation(s, card, reservation_id)
    # reserve() always records the pool and the service of a reservation
    assert target.entitlement_id is not None and target.service_id is not None
    tx = ledger.append(s, card, kind="redeem", me=me, at=now, entitlement_id=target.entitlement_id,
                       service_id=target.service_id, units=target.units, used=target.units, booked=-target.units,
                       appointment_id=target.appointment_id, sale_id=sale_id, note=note, ref_id=target.id,
                       used_by=target.used_by_customer_id)
    card.last_used_at = now
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    ent = ledger.pool_for(card, target.entitlement_id)
    family.record_use(s, card, target.used_by_customer_id, kind="card_redeemed", at=now, me=me,
                      appointment_id=target.appointment_id, sale_id=sale_id,
                      head=f"Redeemed {rules.service_name(s, target.service_id)} from",
                      tail=f" {wording.progress(card, ent, balances[ent.id])}")
    return tx


def open_reservations(s: Session, *, appointment_id: str) -> list[CardTransaction]:
    settling = aliased(CardTransaction)
    return list(s.scalars(
        select(CardTransaction)
        .outerjoin(settling, settling.ref_id == CardTransaction.id)
        .where(CardTransaction.appointment_id == appointment_id, CardTransaction.kind == "reserve",
               settling.id.is_(None))
        .order_by(CardTransaction.card_id, CardTransaction.seq)))


def counter(s: Session, *, card_id: str, entitlement_id: str) -> dict[str, int]:
    pool = ledger.pools(s, [card_id])[card_id].get(entitlement_id, ledger.Pool(entitlement_id))
    return {"used": pool.used, "booked": pool.booked, "total": pool.total}


def covering_cards(s: Session, *, customer_id: str, service_id: str, location_id: str, on: date) -> list[dict[str, Any]]:
    """Live cards of the customer, then those shared with them (family cards, labelled "shared by"
    their owner), that could pay for one ``service_id`` at ``location_id`` on ``on``."""
    today = business_date(s, utcnow())
    cards = list(s.scalars(select(Card).where(
        family.own_and_shared(customer_id), Card.status == ledger.LIVE)
        .order_by(Card.expires_on.is_(None), Card.expires_on, Card.id)))
    live = [c for c in cards if not ledger.is_expired(c, today) and (c.expires_on is None or c.expires_on >= on)]
    live.sort(key=lambda c: c.customer_id != customer_id)  # their own first, each part by expiry
    owners = names_of(s, Customer, {c.customer_id for c in live if c.customer_id != customer_id})
    try:
        rules.check_offered(s, service_id, location_id, service_id)
    except DomainError:
        return []
    all_pools = ledger.pools(s, [c.id for c in live])
    found = []
    for card in live:
        for ent in card.entitlements:
            for link in ent.services:
                pool = all_pools[card.id].get(ent.id, ledger.Pool(ent.id))
                if link.service_id == service_id and pool.remaining >= link.unit_cost:
                    number = f" #{card.number}" if card.number else ""
                    if card.customer_id != customer_id:
                        number += f", shared by {owners.get(card.customer_id, 'another customer')}"
                    # the profile's words: a session only booked is not "used" (was "2 of 5 used — 2 left")
                    count = counter_words(pool.used, pool.booked, pool.remaining,
                                          unit=None if wording.counts_sessions(ent) else card.unit_type)
                    found.append({"card_id": card.id, "entitlement_id": ent.id, "remaining": pool.remaining,
                                  "label": f"{card.package_name}{number} ({count})"})
    return found


def unit_costs(s: Session, *, service_id: str, entitlement_ids: list[str]) -> dict[str, int]:
    """What ``service_id`` costs in each of these pools (entitlement id → units)."""
    if not entitlement_ids:
        return {}
    link = CardEntitlementService
    return dict(s.execute(select(link.card_entitlement_id, link.unit_cost).where(
        link.service_id == service_id, link.card_entitlement_id.in_(entitlement_ids))).all())
