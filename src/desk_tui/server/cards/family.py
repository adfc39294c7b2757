"""Family cards: the owner lets listed family members use the card.

A member is an existing customer listed on the card (``card_members``). A member may book from the
card and have it redeemed at the till; the ledger entry then names them (``used_by_customer_id``,
covered by the hash chain) while the card, its balance, a refund's store credit and every decision
about it stay the owner's: refund, transfer, adjustment and expiry are refused for a member with
``card_owner_only``, and using the card for anyone else with ``card_not_shared``.

Adding and removing a member is anyone's at the desk (it is done at the owner's request, moves no
value and creates none), and is written to both customers' activity logs with who did it — a
change to who may use the card, not to its balance, so it is not a ledger entry. A member with
sessions booked or held from the card stays until those are settled; a transfer empties the list
(the new owner decides with whom to share).

All of it runs under the card lock (ledger.lock_card), so a member removed at one desk cannot be
booked for at another in the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import BindParameter, ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from desk_tui.contract import cards as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import ledger, rules
from desk_tui.server.cards.models import Card, CardMember, CardTransaction
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.reference.names import names_of

#: a family, not a club: more than this is refused (422, naming the limit)
MEMBERS_MAX = 10


def _name(s: Session, customer_id: str) -> str:
    return names_of(s, Customer, [customer_id]).get(customer_id, "this customer")


def whose(s: Session, card: Card, customer_id: str | None) -> str:
    """The card's package as ``customer_id`` uses it: "Anna Kovács's 10x Massage" when the card is
    another customer's (a family card), else the package alone."""
    if customer_id is None or customer_id == card.customer_id:
        return card.package_name
    return f"{_name(s, card.customer_id)}'s {card.package_name}"


def _titled(card: Card) -> str:
    return f"{card.package_name} (card {card.number})" if card.number else card.package_name


def is_member(s: Session, card: Card, customer_id: str) -> bool:
    return card.member_count > 0 and s.get(CardMember, (card.id, customer_id)) is not None


def not_shared(s: Session, card: Card, customer_id: str, *, field: str | None = None) -> DomainError:
    """The refusal of a card used for someone who is neither its owner nor listed on it;
    ``field`` names the input that chose the card, so a desk can put the sentence on it."""
    owner, who = _name(s, card.customer_id), _name(s, customer_id)
    message = f"{card.package_name} is {owner}'s and is not shared with {who}"
    detail = f"{message}: {owner} can have {who} added as a family member on the card."
    extra: dict[str, object] = {}
    if field is not None:
        extra = {"field": field, "errors": [{"field": field, "message": f"{message}."}]}
    return DomainError(ProblemCode.CARD_NOT_SHARED, detail, **extra)


def user_of(s: Session, card: Card, customer_id: str | None, *, field: str | None = None) -> str | None:
    """Who uses the locked ``card`` for ``customer_id``: None for its owner (or when nobody is
    named), the member's id for a listed family member; anyone else is refused."""
    if customer_id is None or customer_id == card.customer_id:
        return None
    if is_member(s, card, customer_id):
        return customer_id
    raise not_shared(s, card, customer_id, field=field)


def check_owner(s: Session, card: Card, customer_id: str | None, *, done: str) -> None:
    """Refunds, transfers, adjustments and expiry changes are the owner's: refused when the desk
    does it for someone else (``customer_id``, the customer whose screen it is). ``done``: what
    would be done, in a past participle ("refunded")."""
    if customer_id is None or customer_id == card.customer_id:
        return
    if not is_member(s, card, customer_id):
        raise not_shared(s, card, customer_id)
    owner, who = _name(s, card.customer_id), _name(s, customer_id)
    raise DomainError(ProblemCode.CARD_OWNER_ONLY,
                      f"{card.package_name} is {owner}'s: {who} may use it as a family member, but only {owner} "
                      f"can have it {done}. Open {owner}'s profile to do it.")


def add(s: Session, *, card_id: str, customer_id: str, me: Principal, now: datetime | None = None) -> Card:
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; it cannot be shared.")
    member = rules.named_customer(s, customer_id)
    owner = _name(s, card.customer_id)
    if member.id == card.customer_id:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"customer_id: {owner} owns this card; choose a family member.")
    if is_member(s, card, member.id):
        raise DomainError(ProblemCode.DUPLICATE, f"{member.name} is already a family member on {card.package_name}.")
    if card.member_count >= MEMBERS_MAX:
        raise DomainError(ProblemCode.VALIDATION_ERROR,
                          f"customer_id: a card can be shared with at most {MEMBERS_MAX} family members; remove one first.")
    s.add(CardMember(card_id=card.id, customer_id=member.id, added_at=now, added_by=me.staff_id))
    card.member_count += 1
    s.flush()
    _announce(s, card, me)
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_member_added", card_id=card.id, me=me,
                    summary=f"Shared {_titled(card)} with {member.name} as a family member")
    record_activity(s, at=now, customer_id=member.id, kind="card_member_added", card_id=card.id, me=me,
                    summary=f"May use {owner}'s {_titled(card)} as a family member")
    return card


def remove(s: Session, *, card_id: str, customer_id: str, me: Principal, now: datetime | None = None) -> Card:
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    row = s.get(CardMember, (card.id, customer_id))
    if row is None:
        raise DomainError(ProblemCode.NOT_FOUND, f"{_name(s, customer_id)} is not a family member on "
                                                 f"{card.package_name}.")
    member = _name(s, customer_id)
    booked = len(open_uses(s, card_id=card.id, customer_id=customer_id))
    if booked:
        sessions = "1 session" if booked == 1 else f"{booked} sessions"
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{member} has {sessions} booked or held from {card.package_name}; cancel those appointments "
                          "or switch them to paid services first.")
    s.delete(row)
    card.member_count -= 1
    s.flush()
    _announce(s, card, me)
    owner = _name(s, card.customer_id)
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_member_removed", card_id=card.id, me=me,
                    summary=f"Stopped sharing {_titled(card)} with {member}")
    record_activity(s, at=now, customer_id=customer_id, kind="card_member_removed", card_id=card.id, me=me,
                    summary=f"No longer a family member on {owner}'s {_titled(card)}")
    return card


def drop_all(s: Session, card: Card, *, me: Principal, now: datetime, why: str) -> None:
    """Empty a locked card's list (a transfer), each member told in their activity log."""
    rows = list(s.scalars(select(CardMember).where(CardMember.card_id == card.id)))
    for row in rows:
        record_activity(s, at=now, customer_id=row.customer_id, kind="card_member_removed", card_id=card.id, me=me,
                        summary=f"No longer a family member on {_titled(card)}: {why}")
        s.delete(row)
    card.member_count = 0
    s.flush()


def open_uses(s: Session, *, card_id: str, customer_id: str) -> list[CardTransaction]:
    """The member's reservations on the card (booked or held at a till) not yet settled."""
    settling = aliased(CardTransaction)
    return list(s.scalars(
        select(CardTransaction).outerjoin(settling, settling.ref_id == CardTransaction.id)
        .where(CardTransaction.card_id == card_id, CardTransaction.kind == "reserve",
               CardTransaction.used_by_customer_id == customer_id, settling.id.is_(None))))


def record_use(s: Session, card: Card, used_by: str | None, *, head: str, tail: str, kind: str, at: datetime,
               me: Principal, appointment_id: str | None = None, sale_id: str | None = None) -> None:
    """The activity line of a use of the card ("{head} 5x Manicure{tail}"): on the owner's log,
    naming the family member it was for, and on that member's own log, naming the owner's card."""
    for_whom = f" for {_name(s, used_by)}" if used_by else ""
    record_activity(s, at=at, customer_id=card.customer_id, kind=kind, card_id=card.id, me=me,
                    appointment_id=appointment_id, sale_id=sale_id, summary=f"{head} {card.package_name}{for_whom}{tail}")
    if used_by:
        record_activity(s, at=at, customer_id=used_by, kind=kind, card_id=card.id, me=me, appointment_id=appointment_id,
                        sale_id=sale_id, summary=f"{head} {_name(s, card.customer_id)}'s {card.package_name}{tail}")


def _announce(s: Session, card: Card, me: Principal) -> None:
    # Other desks showing the card (the owner's profile, the cards view) refresh as for a ledger entry.
    events.record(s, kind="card.changed", location_id=None, me=me, card_id=card.id, customer_id=card.customer_id,
                  version=card.last_seq, summary="members")


class Shared(Protocol):
    """A card as :func:`members_of` reads it: an ORM card, or a row of the wallet's."""

    @property
    def id(self) -> str: ...
    @property
    def member_count(self) -> int: ...


def members_of(s: Session, cards: Iterable[Shared]) -> dict[str, list[wire.CardMember]]:
    """Each card's family members by name (in the order they were added): one query for a page,
    none when no card has any."""
    ids = sorted({c.id for c in cards if c.member_count})
    found: dict[str, list[wire.CardMember]] = {card_id: [] for card_id in ids}
    if not ids:
        return found
    rows = s.execute(select(CardMember.card_id, CardMember.customer_id, Customer.name, CardMember.added_at)
                     .join(Customer, Customer.id == CardMember.customer_id)
                     .where(CardMember.card_id.in_(ids))
                     .order_by(CardMember.card_id, CardMember.added_at, CardMember.customer_id))
    for card_id, customer_id, name, added_at in rows:
        found[card_id].append(wire.CardMember(customer_id=customer_id, name=name, added_at=added_at))
    return found


def shared_with(customer_id: str | BindParameter[str]) -> Select[str]:
    """The ids of the cards that list ``customer_id`` as a family member, as a subquery (of the
    table's columns, so the wallet's statement can run on the driver's cursor)."""
    member = CardMember.__table__.c
    return select(member.card_id).where(member.customer_id == customer_id)


def own_and_shared(customer_id: str | BindParameter[str]) -> ColumnElement[bool]:
    """The customer's own cards and those shared with them. One ``IN`` of a UNION, each half read by
    its own index: ``customer_id = x OR id IN (shared)`` made PostgreSQL read every card, a
    sequential scan of 110–280 ms per wallet at 150,000 cards (tests/api/test_hot_path_plans.py)."""
    card = Card.__table__.c
    return card.id.in_(select(card.id).where(card.customer_id == customer_id).union_all(shared_with(customer_id)))
