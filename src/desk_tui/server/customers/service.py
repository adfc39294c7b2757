from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, delete, insert, or_, select
from sqlalchemy.orm import Session, aliased

from desk_tui.contract import customers as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers import walk
from desk_tui.server.customers.coverage import TERM_END, cover
from desk_tui.server.customers.models import ActivityEntry, Customer, CustomerSearchTerm
from desk_tui.server.customers.phones import stored_digits
from desk_tui.server.customers.search import customer_terms, normalise, number_terms, query_words
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import cursor_values, encode_cursor, keyset_page
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.models import DEFAULT_PHONE_REGION, Staff


def customer_wire(c: Customer) -> wire.Customer:
    return wire.Customer(id=c.id, name=c.name, phone=c.phone, email=c.email, store_credit=c.store_credit,
                         created_at=c.created_at)


#: built once, the id a parameter: a statement object keeps its SQLAlchemy cache key, where one
#: built per call is built and keyed again each time (nearly every request reads a customer)
_CUSTOMER = select(Customer).where(Customer.id == bindparam("customer_id"))
_CUSTOMER_FOR_UPDATE = _CUSTOMER.with_for_update(key_share=True)


def get_customer(s: Session, customer_id: str, *, for_update: bool = False) -> Customer:
    c = s.scalar(_CUSTOMER_FOR_UPDATE if for_update else _CUSTOMER, {"customer_id": customer_id})
    if c is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such customer.")
    return c


_C = Customer.__table__.c
#: a customer's name and store credit as a plain row on the driver's cursor, not an ORM load: all
#: that the wallet, an opened cart and every sale answer read of them (the wallet: −6…−8 % of its
#: server CPU, session 18)
_BRIEF = DriverStatement(select(_C.name, _C.store_credit).where(_C.id == bindparam("customer_id")))


class CustomerBrief(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def store_credit(self) -> int: ...


def customer_brief(s: Session, customer_id: str) -> CustomerBrief | None:
    """The customer's name and store credit, or None when there is no such customer."""
    brief: CustomerBrief | None = _BRIEF.first(s, {"customer_id": customer_id})
    return brief


def phone_region(s: Session) -> str:
    """The country whose national form phone numbers are typed in (org_settings.phone_region)."""
    return reference.settings(s).phone_region or DEFAULT_PHONE_REGION


def same_phone(s: Session, phone_digits: str | None, *, besides: str | None = None) -> list[wire.CustomerBrief]:
    """Customers already on file with this number (as international digits), by name."""
    if not phone_digits:
        return []
    stmt = select(Customer.id, Customer.name).where(Customer.phone_digits == phone_digits)
    if besides is not None:
        stmt = stmt.where(Customer.id != besides)
    return [wire.CustomerBrief(id=i, name=n) for i, n in s.execute(stmt.order_by(Customer.sort_name, Customer.id).limit(10))]


def create_customer(s: Session, *, data: wire.CustomerCreate, me: Principal | None = None) -> wire.CustomerCreated:
    region = phone_region(s)
    c = Customer(id=new_id("cus"), name=data.name, sort_name=normalise(data.name)[:200], phone=data.phone,
                 phone_digits=stored_digits(data.phone, region=region), email=data.email, store_credit=0,
                 created_at=utcnow())
    s.add(c)
    s.flush()
    index_customer(s, c, region=region)
    if me is not None:
        record_activity(s, customer_id=c.id, kind="customer_created", summary=f"Customer record created by {me.staff_name}",
                        me=me)
    # Saved all the same (a couple may share a landline), but reception is told who else has it.
    return wire.CustomerCreated(**customer_wire(c).model_dump(), same_phone=same_phone(s, c.phone_digits, besides=c.id))


def index_customer(s: Session, c: Customer, extra_terms: AbstractSet[str] = frozenset(), *,
                   region: str | None = None) -> None:
    """(Re)write a customer's search terms; ``extra_terms`` are the numbers of the cards they hold."""
    s.execute(delete(CustomerSearchTerm).where(CustomerSearchTerm.customer_id == c.id))
    terms = customer_terms(c.name, c.phone, c.email, region=region or phone_region(s))
    for number in extra_terms:
        terms |= number_terms(number)
    for term in terms:
        s.add(CustomerSearchTerm(customer_id=c.id, term=term, sort_name=c.sort_name))


def add_search_term(s: Session, *, customer_id: str, term: str) -> None:
    """Let other domains make a customer findable by e.g. a card number (and its last digits)."""
    sort_name = get_customer(s, customer_id).sort_name
    for t in number_terms(term):
        if s.get(CustomerSearchTerm, (customer_id, t)) is None:
            s.add(CustomerSearchTerm(customer_id=customer_id, term=t, sort_name=sort_name))


def search_customers(s: Session, *, q: str | None, limit: int, cursor: str | None, phone: str | None = None
                     ) -> tuple[list[wire.Customer], str | None]:
    stmt = select(Customer)
    region = phone_region(s)
    words = query_words(q or "", region=region)
    order = [Customer.sort_name, Customer.id]
    after = cursor_values(cursor, order) if cursor else None
    key = (after[0], after[1]) if after else None
    # how common each word is, the distinct terms it covers and where the walk starts, in one statement
    covered = cover(s, words, counted_to=RARE, distinct_to=walk.WALKED_TERMS, after=key)
    rarest = _rarest(s, words, covered.counts)
    if rarest is not None:
        # The rarest typed word names a few hundred customers at most: start from them, and only
        # look the other words up for those ("anna ko" walked every Anna first).
        index, ids = rarest
        stmt = stmt.where(Customer.id.in_(ids))
        for forms in words[:index] + words[index + 1:]:
            # looked up for the rare word's few customers only, by their (customer_id, term) key
            stmt = stmt.where(select(CustomerSearchTerm.customer_id).where(
                CustomerSearchTerm.customer_id == Customer.id, _starts(forms)).exists())
    elif words:
        if phone is None:
            # every word is common: walked in result order, stopping at the page (customers/walk.py)
            found = walk.walk(s, words, covered.terms, limit=limit, after=key, start=covered.start)
            if found is not None:
                return _page(found, limit)
        stmt = stmt.where(Customer.id.in_(_all_common(words)))
    if phone is not None:
        # the same number, however either was typed ("06 20 …" and "+36 20 …" are one number)
        stmt = stmt.where(Customer.phone_digits == (stored_digits(phone, region=region) or ""))
    rows, next_cursor = keyset_page(s, stmt, order_by=[Customer.sort_name, Customer.id],
                                    key=lambda c: (c.sort_name, c.id), limit=limit, cursor=cursor)
    return [customer_wire(c) for c in rows], next_cursor


def _page(found: list[Any], limit: int) -> tuple[list[wire.Customer], str | None]:
    """The walk's customers (its rows: -1, sort name, id, 1, name, phone, e-mail, store credit,
    created at) as a page of ``limit`` (one more: there is a next)."""
    page = [wire.Customer(id=who, name=name, phone=phone, email=email, store_credit=credit, created_at=at)
            for _, _, who, _, name, phone, email, credit, at in found[:limit]]
    return page, encode_cursor((found[limit - 1][1], found[limit - 1][2])) if len(found) > limit else None


#: a typed word matching fewer customers than this is "rare": the search starts from its customers
RARE = 1000


def _starts(forms: AbstractSet[str], terms: type[CustomerSearchTerm] = CustomerSearchTerm) -> ColumnElement[bool]:
    """A term that starts with one of the ways the word may be written (an indexed range each)."""
    return or_(*(and_(terms.term >= form, terms.term < form + TERM_END) for form in sorted(forms)))


def _all_common(words: list[set[str]]) -> Select[str]:
    """The customers of words that each match a thousand or more: the words' term ranges joined on
    the customer, read from the term index alone, so only the customers in every range are then
    fetched (by key) and sorted for the page.

    Walking the customers in name order until a page was full read most of the chain when the
    matches sort late ("zsofia ho": 650 ms at 100,000), and one ``IN`` per word let PostgreSQL read
    every customer to hash them against the ranges; this is 17–20 ms at 100,000 whatever the names
    (tests/api/test_hot_path_plans.py keeps the customers read by key). It grows with the words'
    customers (354 ms at 1,000,000), so it is left for searches the walk (customers/walk.py) does
    not suit: a phone filter beside the words, or words covering too many distinct terms."""
    first, *others = [aliased(CustomerSearchTerm) for _ in words]
    stmt = select(first.customer_id).where(_starts(words[0], first))
    for term, forms in zip(others, words[1:], strict=True):
        stmt = stmt.join(term, term.customer_id == first.customer_id).where(_starts(forms, term))
    return stmt


def _rarest(s: Session, words: list[set[str]], counts: list[int]) -> tuple[int, list[str]] | None:
    """The typed word with the fewest customers (its position and their ids) when it has fewer than
    :data:`RARE`; None when every word is common. ``counts`` stop at ``RARE`` terms per word
    (customers/coverage.py), so a common word costs one short index range."""
    if not words:
        return None
    T = CustomerSearchTerm
    fewest = min(range(len(words)), key=lambda i: counts[i])
    if counts[fewest] >= RARE:
        return None
    return fewest, sorted(set(s.scalars(select(T.customer_id).where(_starts(words[fewest])))))


def record_activity(s: Session, *, customer_id: str, kind: str, summary: str, me: Principal | None,
                    card_id: str | None = None, appointment_id: str | None = None, sale_id: str | None = None,
                    at: datetime | None = None) -> None:
    """One line of the customer's activity log, stamped ``at`` the moment of what it records: the
    caller's ``now`` (its ledger entries carry the same), so a back-dated entry — the demo's
    story, an import — reads on the day it happened, not the day it was written."""
    _ADD_ACTIVITY.execute(s, activity_values(customer_id=customer_id, kind=kind, summary=summary, me=me,
                                             card_id=card_id, appointment_id=appointment_id, sale_id=sale_id, at=at))


#: nearly every write records a line: inserted at once on the driver's cursor, not added to the
#: session for its unit of work to insert at the flush (the request never reads the object back)
_ACTIVITY = cast(Table, ActivityEntry.__table__)
_ADD_ACTIVITY = DriverStatement(insert(_ACTIVITY).values({c.name: bindparam(c.name) for c in _ACTIVITY.columns}))


def activity_values(*, customer_id: str, kind: str, summary: str, me: Principal | None, card_id: str | None = None,
                    appointment_id: str | None = None, sale_id: str | None = None, at: datetime | None = None
                    ) -> dict[str, Any]:
    """The columns of one activity line (:func:`record_activity`), for a caller that inserts it
    in a statement of its own."""
    return {"id": new_id("act"), "customer_id": customer_id, "at": at or utcnow(), "kind": kind,
            "summary": summary[:2000], "staff_id": me.staff_id if me else None,
            "location_id": me.location_id if me else None, "card_id": card_id, "appointment_id": appointment_id,
            "sale_id": sale_id}


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
