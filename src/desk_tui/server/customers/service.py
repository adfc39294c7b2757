from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk_tui.contract import customers as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.models import ActivityEntry, Customer, CustomerSearchTerm
from desk_tui.server.customers.search import customer_terms, normalise, query_words
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.models import Staff

_TERM_END = "\uffff"


def customer_wire(c: Customer) -> wire.Customer:
    return wire.Customer(id=c.id, name=c.name, phone=c.phone, email=c.email, store_credit=c.store_credit,
                         created_at=c.created_at)


def get_customer(s: Session, customer_id: str, *, for_update: bool = False) -> Customer:
    stmt = select(Customer).where(Customer.id == customer_id)
    if for_update:
        stmt = stmt.with_for_update()
    c = s.scalar(stmt)
    if c is None:
        raise DomainError("not_found", "No such customer.")
    return c


def create_customer(s: Session, *, data: wire.CustomerCreate, me: Principal | None = None) -> wire.Customer:
    c = Customer(id=new_id("cus"), name=data.name, sort_name=normalise(data.name)[:200], phone=data.phone,
                 email=data.email, store_credit=0, created_at=utcnow())
    s.add(c)
    s.flush()
    index_customer(s, c)
    if me is not None:
        record_activity(s, customer_id=c.id, kind="customer_created", summary=f"Customer record created by {me.staff_name}",
                        me=me)
    return customer_wire(c)


def index_customer(s: Session, c: Customer, extra_terms: AbstractSet[str] = frozenset()) -> None:
    s.execute(delete(CustomerSearchTerm).where(CustomerSearchTerm.customer_id == c.id))
    for term in customer_terms(c.name, c.phone, c.email) | {normalise(t) for t in extra_terms}:
        s.add(CustomerSearchTerm(customer_id=c.id, term=term))


def add_search_term(s: Session, *, customer_id: str, term: str) -> None:
    """Let other domains make a customer findable by e.g. a card number."""
    term = normalise(term)[:254]
    if term and s.get(CustomerSearchTerm, (customer_id, term)) is None:
        s.add(CustomerSearchTerm(customer_id=customer_id, term=term))


def search_customers(s: Session, *, q: str | None, limit: int, cursor: str | None) -> tuple[list[wire.Customer], str | None]:
    stmt = select(Customer)
    for word in query_words(q or ""):
        matching = select(CustomerSearchTerm.customer_id).where(
            CustomerSearchTerm.term >= word, CustomerSearchTerm.term < word + _TERM_END
        )
        stmt = stmt.where(Customer.id.in_(matching))
    rows, next_cursor = keyset_page(s, stmt, order_by=[Customer.sort_name, Customer.id],
                                    key=lambda c: (c.sort_name, c.id), limit=limit, cursor=cursor)
    return [customer_wire(c) for c in rows], next_cursor


def record_activity(s: Session, *, customer_id: str, kind: str, summary: str, me: Principal | None,
                    card_id: str | None = None, appointment_id: str | None = None, sale_id: str | None = None,
                    at: datetime | None = None) -> None:
    """One line of the customer's activity log, stamped ``at`` the moment of what it records: the
    caller's ``now`` (its ledger entries carry the same), so a back-dated entry — the demo's
    story, an import — reads on the day it happened, not the day it was written."""
    s.add(ActivityEntry(id=new_id("act"), customer_id=customer_id, at=at or utcnow(), kind=kind, summary=summary[:2000],
                        staff_id=me.staff_id if me else None, location_id=me.location_id if me else None,
                        card_id=card_id, appointment_id=appointment_id, sale_id=sale_id))


def activity(s: Session, *, customer_id: str, me: Principal, limit: int, cursor: str | None
             ) -> tuple[list[wire.ActivityEntry], str | None]:
    get_customer(s, customer_id)
    stmt = select(ActivityEntry).where(ActivityEntry.customer_id == customer_id)
    rows, next_cursor = keyset_page(s, stmt, order_by=[ActivityEntry.at, ActivityEntry.id],
                                    key=lambda a: (a.at, a.id), limit=limit, cursor=cursor,
                                    descending=True)
    names = dict(s.execute(select(Staff.id, Staff.name).where(Staff.id.in_({r.staff_id for r in rows if r.staff_id}))).all())
    return [
        wire.ActivityEntry(
            id=r.id, at=r.at, kind=r.kind, summary=r.summary, location_id=r.location_id, card_id=r.card_id,
            appointment_id=r.appointment_id, sale_id=r.sale_id,
            # A staff name from another location is not shown.
            staff_name=names.get(r.staff_id) if r.staff_id is not None and r.location_id == me.location_id else None,
        )
        for r in rows
    ], next_cursor
