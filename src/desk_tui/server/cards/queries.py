"""Reading cards: the Card and Transaction wire views, the cards list, a card's history, the wallet.

Views are built for a page of cards at once (one query each for balances, names and services),
so a list of 50 cards costs a handful of queries, not 50 × N.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments.models import Appointment
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import family, ledger
from desk_tui.server.cards.models import Card, CardEntitlement, CardEntitlementService, CardTransaction
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.search import normalise, query_words
from desk_tui.server.customers.service import customer_brief
from desk_tui.server.database import utcnow
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships.queries import wallet_memberships
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.calendar import business_date, org_zone
from desk_tui.server.reference.models import Location, Service, Staff
from desk_tui.server.reference.names import Named, names, names_of, remember

STATUSES = ("active", "fully_used", "expired", "refunded", "void")
_TERM_END = "\uffff"


def _names(s: Session, model: Named, ids: Iterable[str | None]) -> dict[str, str]:
    return names_of(s, model, ids)


class ServiceTerms(Protocol):
    @property
    def service_id(self) -> str: ...
    @property
    def unit_cost(self) -> int: ...


class PoolView(ledger.PoolTerms, Protocol):
    @property
    def services(self) -> Sequence[ServiceTerms]: ...


class CardView(ledger.CardTerms, family.Shared, Protocol):
    """A card as :func:`card_views` reads it: an ORM card, or a :class:`WalletCard`."""

    @property
    def number(self) -> str | None: ...
    @property
    def package_id(self) -> str: ...
    @property
    def package_name(self) -> str: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def issued_by(self) -> str: ...
    @property
    def issued_location_id(self) -> str: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def entitlements(self) -> Sequence[PoolView]: ...


def card_views(s: Session, cards: Sequence[CardView], *, me: Principal, today: date | None = None) -> list[wire.Card]:
    today = today or business_date(s, utcnow())
    balances = ledger.pools(s, [c.id for c in cards])
    members = family.members_of(s, cards)
    found = names(s, {Customer: {c.customer_id for c in cards},
                      Staff: {c.issued_by for c in cards},
                      Service: {x.service_id for c in cards for e in c.entitlements for x in e.services}})
    customers, staff, services = found[Customer], found[Staff], found[Service]
    views = []
    for card in cards:
        pools = {e.id: balances[card.id].get(e.id, ledger.Pool(e.id)) for e in card.entitlements}
        status = ledger.effective_status(card, today)
        views.append(wire.Card(
            id=card.id, number=card.number, package_id=card.package_id, package_name=card.package_name,
            unit_type=card.unit_type, customer_id=card.customer_id, customer_name=customers.get(card.customer_id, ""),
            status=status, issued_at=card.issued_at,
            # The issuing staff's name shows only at the location where the card was issued.
            issued_by=staff.get(card.issued_by) if card.issued_location_id == me.location_id else None,
            issued_by_id=card.issued_by, issued_location_id=card.issued_location_id, expires_on=card.expires_on,
            last_used_at=card.last_used_at, price_paid=card.price_paid,
            refund_value=ledger.value_of(card, pools) if status not in ledger.CLOSED else 0,
            balances=[
                wire.Balance(
                    entitlement_id=e.id, initial=p.initial, adjustments=p.adjustments, used=p.used, booked=p.booked,
                    remaining=p.remaining, total=p.total,
                    services=[wire.ServiceBalance(service_id=x.service_id, service_name=services.get(x.service_id, ""),
                                                  unit_cost=x.unit_cost, available=p.available(x.unit_cost))
                              for x in e.services])
                for e in card.entitlements for p in [pools[e.id]]
            ],
            members=members.get(card.id, []),
        ))
    return views


def card_view(s: Session, card: Card, *, me: Principal) -> wire.Card:
    return card_views(s, [card], me=me)[0]


def get_card(s: Session, card_id: str) -> Card:
    card = s.get(Card, card_id)
    if card is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such card.")
    return card


def status_filter(status: str, today: date | BindParameter[date]) -> ColumnElement[bool]:
    """Cards of this status on ``today`` (of the table's columns: the wallet's statement runs on
    the driver's cursor)."""
    card = Card.__table__.c
    live_until = or_(card.expires_on.is_(None), card.expires_on >= today)
    if status == "active":
        return and_(card.status == ledger.LIVE, live_until)
    if status == "expired":
        return and_(card.status == ledger.LIVE, card.expires_on < today)
    return card.status == status


def _matching(q: str) -> ColumnElement[bool] | None:
    """Card number (prefix, any case), its last digits ("1005" finds BS-1005) or the client's name
    (every typed word starts a name word)."""
    conditions = []
    key = normalise(q)[:40]
    if key:
        conditions.append(and_(Card.number_key >= key, Card.number_key < key + _TERM_END))
    if key.isdigit():
        tail = key[::-1]
        conditions.append(and_(Card.number_tail >= tail, Card.number_tail < tail + _TERM_END))
    words = [min(forms) for forms in query_words(q)]
    if words:
        name = Customer.sort_name
        # a word starts the name, a later name word, or the second half of a hyphenated surname
        by_name = [or_(*(name.like(f"{before}{_escape(w)}%", escape="\\") for before in ("", "% ", "%-")))
                   for w in words]
        conditions.append(Card.customer_id.in_(select(Customer.id).where(*by_name)))
    return or_(*conditions) if conditions else None


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_cards(s: Session, *, me: Principal, q: str | None, customer_id: str | None, status: str | None,
               package_id: str | None, limit: int, cursor: str | None, shared: bool = False,
               now: datetime | None = None) -> tuple[list[wire.Card], str | None]:
    """A page of cards, newest first. ``shared`` (with ``customer_id``): the last page of the
    customer's own cards also carries other customers' active cards that list them as a family
    member — the booking form and the profile need both, in one request."""
    if shared and not customer_id:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "shared: needs customer_id (whose family cards to list).")
    today = business_date(s, now or utcnow())
    filters = []
    if package_id:
        filters.append(Card.package_id == package_id)
    if status:
        filters.append(status_filter(status, today))
    stmt = select(Card).where(*filters)
    if q and q.strip():
        condition = _matching(q)
        if condition is not None:
            stmt = stmt.where(condition)
    if customer_id:
        stmt = stmt.where(Card.customer_id == customer_id)
    rows, next_cursor = keyset_page(s, stmt, order_by=[Card.issued_at, Card.id], key=lambda c: (c.issued_at, c.id),
                                    limit=limit, cursor=cursor, descending=True)
    if shared and customer_id and next_cursor is None:
        rows += shared_cards(s, customer_id=customer_id, today=today, where=filters)
    return card_views(s, rows, me=me, today=today), next_cursor


def shared_cards(s: Session, *, customer_id: str, today: date, where: Sequence[ColumnElement[bool]] = ()
                 ) -> list[Card]:
    """Other customers' active cards that list ``customer_id`` as a family member, newest first.
    A select of its own from the member index (:func:`family.shared_with`; not an OR with the
    owner's cards, which PostgreSQL answers by reading every card)."""
    return list(s.scalars(select(Card)
                          .where(Card.id.in_(family.shared_with(customer_id)), Card.customer_id != customer_id,
                                 status_filter("active", today), *where)
                          .order_by(Card.issued_at.desc(), Card.id.desc())))


def transactions(s: Session, *, card_id: str, me: Principal, limit: int, cursor: str | None
                 ) -> tuple[list[wire.Transaction], str | None]:
    """A page of a card's ledger, oldest first (it reads like a statement), by its sequence number:
    a card used for years has thousands of entries, and each page costs what the first one does."""
    get_card(s, card_id)
    rows, next_cursor = keyset_page(s, select(CardTransaction).where(CardTransaction.card_id == card_id),
                                    order_by=[CardTransaction.seq], key=lambda t: (t.seq,), limit=limit, cursor=cursor)
    undone = dict(s.execute(select(CardTransaction.ref_id, CardTransaction.id).where(
        CardTransaction.ref_id.in_([t.id for t in rows]), CardTransaction.kind == "undo")).all()) if rows else {}
    found = names(s, {Staff: {t.staff_id for t in rows}, Service: {t.service_id for t in rows}})
    staff, services = found[Staff], found[Service]
    words = _words(s, rows, me=me)
    return [transaction_view(t, undone.get(t.id), me=me, staff=staff, services=services, words=words)
            for t in rows], next_cursor


def transaction_of(s: Session, t: CardTransaction, *, me: Principal) -> wire.Transaction:
    """The view of one fresh entry (nothing has undone it yet: it was just written)."""
    found = names(s, {Staff: {t.staff_id}, Service: {t.service_id}})
    return transaction_view(t, None, me=me, staff=found[Staff], services=found[Service], words=_words(s, [t], me=me))


def _words(s: Session, entries: Sequence[CardTransaction], *, me: Principal) -> dict[str, str]:
    """Appointment ids → their local start (and location, when elsewhere); customer ids → names."""
    zone = org_zone(s)
    appointment_ids = {t.appointment_id for t in entries if t.appointment_id}
    words: dict[str, str] = {}
    if appointment_ids:
        found = s.execute(select(Appointment.id, Appointment.start_at, Appointment.location_id)
                          .where(Appointment.id.in_(appointment_ids))).all()
        places = _names(s, Location, {location_id for _, _, location_id in found})
        for appointment_id, start, location_id in found:
            where = "" if location_id == me.location_id else f" at {places.get(location_id, location_id)}"
            words[appointment_id] = f"{start.astimezone(zone):%Y-%m-%d %H:%M}{where}"
    owners = {v for t in entries if t.kind == "transfer" for v in (t.old_value, t.new_value) if v}
    users = {t.used_by_customer_id for t in entries if t.used_by_customer_id}
    words.update(_names(s, Customer, owners | users))
    return words


def transaction_view(t: CardTransaction, undone_by: str | None, *, me: Principal, staff: dict[str, str],
                     services: dict[str, str], words: dict[str, str] | None = None) -> wire.Transaction:
    words = words or {}
    transfer = t.kind == "transfer"
    return wire.Transaction(
        id=t.id, at=t.at, kind=t.kind, entitlement_id=t.entitlement_id, service_id=t.service_id,
        service_name=services.get(t.service_id) if t.service_id else None, units=t.units, staff_id=t.staff_id,
        # The staff name is listed only at the location where the entry was made.
        staff_name=staff.get(t.staff_id) if t.staff_id is not None and t.location_id == me.location_id else None,
        location_id=t.location_id, appointment_id=t.appointment_id, sale_id=t.sale_id, note=t.note,
        undone_by=undone_by, ref_id=t.ref_id, customer_id=t.customer_id, amount=t.amount, old_value=t.old_value,
        new_value=t.new_value, appointment_label=words.get(t.appointment_id or ""),
        old_owner=words.get(t.old_value or "") if transfer else None,
        new_owner=words.get(t.new_value or "") if transfer else None,
        used_by_customer_id=t.used_by_customer_id, used_by=words.get(t.used_by_customer_id or ""),
    )


@dataclass(slots=True)
class WalletPool:
    id: str
    weight: int
    services: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class WalletCard:
    """A live card of the wallet, read as plain rows: the wallet is the desk's most frequent read
    after the calendar, and loading its cards as ORM objects with their pools and services was
    the largest part of its own work. Fields in the order :data:`_WALLET_CARDS` selects them."""

    id: str
    number: str | None
    package_id: str
    package_name: str
    unit_type: str
    customer_id: str
    issued_at: datetime
    issued_by: str
    issued_location_id: str
    expires_on: date | None
    price_paid: int
    status: str
    last_used_at: datetime | None
    member_count: int
    entitlements: list[WalletPool] = field(default_factory=list)


_CARD, _POOL = Card.__table__.c, CardEntitlement.__table__.c
_POOL_SERVICE = CardEntitlementService.__table__.c
#: the live cards with their pools and the pools' services joined in, one row per service, in the
#: wallet's order, then each card's pools in position and their services by id (as the ORM
#: relationships order them); of the tables' columns, run on the driver's cursor
_WALLET_CARDS = DriverStatement(
    select(_CARD.id, _CARD.number, _CARD.package_id, _CARD.package_name, _CARD.unit_type, _CARD.customer_id,
           _CARD.issued_at, _CARD.issued_by, _CARD.issued_location_id, _CARD.expires_on, _CARD.price_paid,
           _CARD.status, _CARD.last_used_at, _CARD.member_count, _POOL.id.label("pool_id"),
           _POOL.weight.label("pool_weight"), _POOL_SERVICE.service_id, _POOL_SERVICE.unit_cost)
    .select_from(Card.__table__)
    .outerjoin(CardEntitlement.__table__, _POOL.card_id == _CARD.id)
    .outerjoin(CardEntitlementService.__table__, _POOL_SERVICE.card_entitlement_id == _POOL.id)
    .where(family.own_and_shared(bindparam("customer_id")), status_filter("active", bindparam("today")))
    .order_by(_CARD.expires_on.is_(None), _CARD.expires_on, _CARD.issued_at, _CARD.id, _POOL.position,
              _POOL_SERVICE.service_id))


def _wallet_cards(rows: Sequence[Any]) -> list[WalletCard]:
    cards: dict[str, WalletCard] = {}
    pools: dict[str, WalletPool] = {}
    for row in rows:
        card = cards.get(row.id)
        if card is None:
            card = cards[row.id] = WalletCard(*row[:14])
        if row.pool_id is None:
            continue
        pool = pools.get(row.pool_id)
        if pool is None:
            pool = pools[row.pool_id] = WalletPool(row.pool_id, row.pool_weight)
            card.entitlements.append(pool)
        if row.service_id is not None:
            pool.services.append(row)
    return list(cards.values())


def wallet(s: Session, *, customer_id: str, me: Principal) -> wire.Wallet:
    customer = customer_brief(s, customer_id)
    if customer is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such customer.")
    today = business_date(s, utcnow())
    # Pools and their services joined in: the wallet is the desk's most frequent read.
    cards = _wallet_cards(_WALLET_CARDS.all(s, {"customer_id": customer_id, "today": today}))
    remember(s, Customer, customer_id, customer.name)  # shared cards alone name someone else
    views = card_views(s, cards, me=me, today=today)
    return wire.Wallet(cards=[v for v in views if v.customer_id == customer_id],
                       shared_cards=[v for v in views if v.customer_id != customer_id],
                       memberships=wallet_memberships(s, customer_id=customer_id),
                       store_credit=customer.store_credit)
