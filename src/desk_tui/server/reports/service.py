"""Expiring cards and the card-transaction CSV, read straight from the ledger (liability: liability.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from desk_tui.contract import reports as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card, CardTransaction
from desk_tui.server.customers.models import Customer
from desk_tui.server.database import Database, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.calendar import business_date, local_midnight, org_zone
from desk_tui.server.reference.models import Service, Staff

CSV_COLUMNS = ["transaction_id", "at", "card_id", "card_number", "package_id", "package_name", "customer_id",
               "customer_name", "kind", "entitlement_id", "service_id", "service_name", "units", "amount",
               "staff_id", "staff_name", "location_id", "appointment_id", "sale_id", "ref_id", "old_value",
               "new_value", "note", "used_by_customer_id", "used_by_name"]
_BATCH = 500


def expiring(s: Session, *, within_days: int, limit: int, cursor: str | None, now: datetime | None = None
             ) -> tuple[list[wire.ExpiringCard], str | None]:
    """Live cards with units left that expire within ``within_days`` (0 = today), soonest first."""
    today = business_date(s, now or utcnow())
    stmt = select(Card).where(Card.status == ledger.LIVE, Card.expires_on >= today,
                              Card.expires_on <= today + timedelta(days=within_days))
    rows, next_cursor = keyset_page(s, stmt, order_by=[Card.expires_on, Card.id], key=lambda c: (c.expires_on, c.id),
                                    limit=limit, cursor=cursor)
    balances = ledger.pools(s, [c.id for c in rows])
    customers = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_({r.customer_id for r in rows})))}
    items = []
    for card in rows:
        assert card.expires_on is not None  # the query keeps cards expiring within the window
        left = sum(max(p.remaining, 0) for p in balances[card.id].values())
        if left <= 0:  # only booked units left: the reminder would be about an appointment, not the card
            continue
        who = customers[card.customer_id]
        items.append(wire.ExpiringCard(
            card_id=card.id, number=card.number, customer_id=who.id, customer_name=who.name, phone=who.phone,
            email=who.email, package_id=card.package_id, package_name=card.package_name, unit_type=card.unit_type,
            expires_on=card.expires_on, days_left=(card.expires_on - today).days, remaining=left))
    return items, next_cursor


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "from: must not be after to.")


#: what makes a spreadsheet read a cell as a formula (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a formula start right after a separator any reader might pick: the file is written with
#: commas, but Excel in a Hungarian (or German…) locale splits on semicolons, and a paste
#: splits on tabs; spaces between are skipped by some readers
_AFTER_A_SEPARATOR = re.compile(r"([,;\t] *)(?=[=+\-@\t\r])")


def _cell(value: object) -> str | int:
    """A cell no spreadsheet runs as a formula, whichever separator it splits the row on.

    Wherever a cell starts for some reader (at its first character, or after a ``,``, ``;`` or
    tab inside it) and starts with a formula character, an apostrophe makes it text. The writer
    quotes every text cell (QUOTE_NONNUMERIC), so a reader splitting on commas keeps the cell
    whole, and one splitting on another separator still meets the apostrophe first."""
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = _AFTER_A_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _day_start(s: Session, day: date | None, *, days_later: int = 0) -> datetime | None:
    """When the business day ``day`` (+ ``days_later``) starts, in UTC; None when no timestamp can
    be that early or late (0001-01-01 east of UTC, the day after 9999-12-31): every ledger entry
    is then on the inner side of the bound, so no bound is the exact answer."""
    if day is None:
        return None
    try:
        return local_midnight(s, day + timedelta(days=days_later))
    except OverflowError:
        return None


def transactions_csv(db: Database, *, me: Principal, start: date | None, end: date | None) -> Iterator[str]:
    """One CSV row per ledger entry in [start, end] (whole business days), oldest first, streamed in batches.

    The time window is worked out before the first byte is sent: once the 200 is out, a failure
    can only cut the download short, so nothing that depends on the input may fail later."""
    with db.read_session() as s:
        low, high = _day_start(s, start), _day_start(s, end, days_later=1)
    return _transaction_rows(db, me=me, low=low, high=high)


def _transaction_rows(db: Database, *, me: Principal, low: datetime | None, high: datetime | None) -> Iterator[str]:
    with db.read_session() as s:
        zone = org_zone(s)
        staff = dict(s.execute(select(Staff.id, Staff.name)).all())
        services = dict(s.execute(select(Service.id, Service.name)).all())
        buffer = io.StringIO()
        csv.writer(buffer).writerow(CSV_COLUMNS)  # our own names: nothing to quote
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
        last: tuple[datetime, str] | None = None
        while True:
            T = CardTransaction
            user = aliased(Customer)  # the family member the owner's card was used for
            stmt = (select(T, Card.number, Card.package_id, Card.package_name, Customer.name, user.name)
                    .join(Card, Card.id == T.card_id).join(Customer, Customer.id == T.customer_id)
                    .outerjoin(user, user.id == T.used_by_customer_id))
            if low is not None:
                stmt = stmt.where(T.at >= low)
            if high is not None:
                stmt = stmt.where(T.at < high)
            if last is not None:
                stmt = stmt.where(or_(T.at > last[0], and_(T.at == last[0], T.id > last[1])))
            rows = s.execute(stmt.order_by(T.at, T.id).limit(_BATCH)).all()
            for t, number, package_id, package_name, customer_name, used_by_name in rows:
                writer.writerow([_cell(x) for x in (
                    t.id, t.at.astimezone(zone).isoformat(), t.card_id, number, package_id, package_name,
                    t.customer_id, customer_name, t.kind, t.entitlement_id, t.service_id,
                    services.get(t.service_id) if t.service_id else None, t.units, t.amount, t.staff_id,
                    # Staff names only for entries made at the viewer's location
                    staff.get(t.staff_id) if t.staff_id is not None and t.location_id == me.location_id else None,
                    t.location_id, t.appointment_id, t.sale_id, t.ref_id, t.old_value, t.new_value, t.note,
                    t.used_by_customer_id, used_by_name)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(rows) < _BATCH:
                return
            last = (rows[-1][0].at, rows[-1][0].id)
