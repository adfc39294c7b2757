"""Recording events inside the transaction of the change, and reading them back for a stream.

Services call :func:`record` where the change happens (appointments, the card ledger, sales,
memberships, the catalogue), never routes. It only notes the event on the session; the rows are
written in ``before_commit``, at the very end of that same transaction, so:

* a change that rolls back announces nothing (the notes are dropped with it);
* several notes about one thing in one transaction become one event with the final version;
* a stream that has read up to id N never later sees an id below N committed. On PostgreSQL
  writers do not wait for each other for this (a lock held to the commit made every write of the
  chain commit one at a time, issue 17): an event's id is its transaction's id
  (``pg_current_xact_id()``) shifted left by :data:`ORDINAL_BITS`, plus its place in that
  transaction, and a reader returns only ids below its snapshot's ``xmin`` shifted alike
  (:func:`_final_below`): every transaction older than that has committed or rolled back, and every
  one still to commit has a larger id. Committed events held back behind an older transaction
  still open are reported (``held``) so a stream looks again even if that one announces nothing.
  ``NOTIFY`` goes in the same transaction and is delivered only if it commits. On SQLite
  ``BEGIN IMMEDIATE`` already serialises writers and ids are the rowid; the outer transaction's
  ``after_commit`` wakes the streams of this process (see broker.py); a savepoint's release
  (``after_commit`` too, inside a request's one transaction) wakes nobody yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Text,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from desk_tui.contract.events import Event
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import rowcount, utcnow
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.events import broker
from desk_tui.server.events.models import EventRow
from desk_tui.server.reference.models import Location, Staff
from desk_tui.server.reference.names import names

#: how long a reconnecting client can be away and still be told exactly what it missed
REPLAY_WINDOW = timedelta(minutes=15)
#: the PostgreSQL channel every worker LISTENs on
CHANNEL = "desk_events"
#: PostgreSQL: an event id is (transaction id << ORDINAL_BITS) + its place in the transaction, so
#: one transaction may write 2**20 events, and transaction ids up to 2**43 fit in a BIGINT
ORDINAL_BITS = 20
_PER_TRANSACTION = 1 << ORDINAL_BITS
_PENDING, _WRITTEN, _OFF = "events.pending", "events.written", "events.off"
_IDS = ("appointment_id", "customer_id", "card_id", "sale_id", "enrollment_id", "package_id", "plan_id")


def record(s: Session, *, kind: str, location_id: str | None, me: Principal | None,
           appointment_id: str | None = None, customer_id: str | None = None, card_id: str | None = None,
           sale_id: str | None = None, enrollment_id: str | None = None, package_id: str | None = None,
           plan_id: str | None = None, version: int | None = None, day: date | None = None,
           summary: str | None = None) -> None:
    """Note that ``kind`` happened to these ids, to be announced if (and when) this transaction
    commits. ``location_id`` None announces it to every location."""
    if s.info.get(_OFF):
        return
    ids = {"appointment_id": appointment_id, "customer_id": customer_id, "card_id": card_id, "sale_id": sale_id,
               "enrollment_id": enrollment_id, "package_id": package_id, "plan_id": plan_id}
    pending: dict[tuple[str | None, ...], dict[str, Any]] = s.info.setdefault(_PENDING, {})
    key = (kind, location_id, *ids.values())
    pending.pop(key, None)  # the last note wins, and goes where the last one would
    pending[key] = dict(kind=kind, location_id=location_id, staff_id=me.staff_id if me else None,
                        actor_location_id=me.location_id if me else None, version=version,
                        day=day.isoformat() if day else None, summary=summary[:300] if summary else None,
                        **{k: v for k, v in ids.items() if v is not None})


def quiet(s: Session) -> None:
    """No events from this session (seeding the demo salon: nobody is watching yet)."""
    s.info[_OFF] = True


@event.listens_for(Session, "before_commit")
def _write(s: Session) -> None:
    pending = s.info.pop(_PENDING, None)
    if not pending:
        return
    notes = list(pending.values())
    bind = s.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # one statement at most; none for the signed-in staff member and their location (known)
    found = names(s, {Staff: {n["staff_id"] for n in notes}, Location: {n["actor_location_id"] for n in notes}})
    staff, places = found[Staff], found[Location]
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for n in notes:
        body = {k: v for k, v in n.items() if k not in ("kind", "location_id", "staff_id", "actor_location_id")
                and v is not None}
        if n["staff_id"] in staff:
            body["staff_name"] = staff[n["staff_id"]]
        if n["actor_location_id"] in places:
            body["location_name"] = places[n["actor_location_id"]]
        rows.append({"n": len(rows), "at": now, "kind": n["kind"], "location_id": n["location_id"],
                         "actor_location_id": n["actor_location_id"], "body": json.dumps(body)})
    if postgres:
        _INSERT.execute(s, {"channel": CHANNEL,
                            "rows": json.dumps(rows, default=lambda at: at.isoformat())})
    else:
        s.execute(insert(EventRow), [{k: v for k, v in r.items() if k != "n"} for r in rows])
    s.info[_WRITTEN] = bind.engine.url  # Engine.engine is the engine itself; a Connection has no url


#: PostgreSQL: the rows and the NOTIFY in one statement (every write sends it). The ids continue
#: after those this transaction already wrote (a request's savepoints each write theirs), which
#: only this transaction can see: nobody else writes ids of its transaction id.
_INSERT = DriverStatement(text(f"""
    WITH told AS (SELECT pg_notify(:channel, '')),
         mine AS (SELECT pg_current_xact_id()::text::bigint * {_PER_TRANSACTION} AS first),
         taken AS (SELECT coalesce((SELECT max(e.id) + 1 FROM events e
                                    WHERE e.id >= mine.first AND e.id < mine.first + {_PER_TRANSACTION}),
                                   mine.first) AS next FROM mine)
    INSERT INTO events (id, at, kind, location_id, actor_location_id, body)
    SELECT taken.next + r.n, r.at, r.kind, r.location_id, r.actor_location_id, r.body
    FROM told, taken, json_to_recordset(CAST(:rows AS json))
         AS r(n bigint, at timestamptz, kind text, location_id text, actor_location_id text, body text)
"""))


@event.listens_for(Session, "after_commit")
def _committed(s: Session) -> None:
    if s.in_nested_transaction():
        # A savepoint was released (a route block inside the request's one transaction): its rows
        # are written but nobody can see them before the outer transaction commits; wake then.
        return
    url = s.info.pop(_WRITTEN, None)
    if url is not None:
        broker.committed(url)


@event.listens_for(Session, "after_rollback")
def _rolled_back(s: Session) -> None:
    # Notes not yet written belong to the block that failed: a savepoint's (the request goes on
    # and may commit the rest) or the whole transaction's.
    s.info.pop(_PENDING, None)
    if not s.in_nested_transaction():
        s.info.pop(_WRITTEN, None)


# -- reading -------------------------------------------------------------------------------------
def _final_below(s: Session) -> ColumnElement[int] | None:
    """PostgreSQL: the first id that may still change, as of this statement's snapshot: every
    transaction older than its ``xmin`` has committed or rolled back, every later one has a larger
    id. Each use in one statement reads the same snapshot. SQLite: None (every id is final)."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    xmin = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    return xmin * _PER_TRANSACTION


@dataclass(frozen=True)
class Bounds:
    oldest: int | None
    """The oldest id still kept (None: no event yet)."""
    newest: int
    """The newest final id (0: none yet): a stream starting now stands here."""
    held: bool = False
    """Committed events wait behind an older transaction still open (PostgreSQL): look again."""


def bounds(s: Session) -> Bounds:
    below = _final_below(s)
    if below is None:
        oldest, newest = s.execute(select(func.min(EventRow.id), func.max(EventRow.id))).one()
        return Bounds(oldest, newest or 0)
    # one statement: one snapshot; each bound an index look-up
    row = s.execute(select(select(func.min(EventRow.id)).scalar_subquery(),
                           select(func.max(EventRow.id)).where(EventRow.id < below).scalar_subquery(),
                           exists().where(EventRow.id >= below))).one()
    return Bounds(row[0], row[1] or 0, bool(row[2]))


def can_replay(b: Bounds, last_id: int) -> bool:
    """Whether everything after ``last_id`` is still in the table (or nothing has happened since)."""
    if last_id > b.newest:
        return False  # an id this database never gave out: another database, or one restored
    return b.oldest is None or last_id >= b.oldest - 1 or last_id == b.newest


@dataclass(frozen=True)
class Page:
    events: list[Event]
    held: bool
    """As :attr:`Bounds.held`: more is committed than may be read yet."""


def since(s: Session, *, after: int, location_id: str, limit: int = 500) -> Page:
    """Final events after id ``after`` for a stream at ``location_id``, oldest first."""
    below = _final_below(s)
    page = (select(EventRow.id, EventRow.at, EventRow.kind, EventRow.location_id, EventRow.actor_location_id,
                   EventRow.body)
            .where(EventRow.id > after, or_(EventRow.location_id.is_(None), EventRow.location_id == location_id))
            .order_by(EventRow.id).limit(limit))
    if below is None:
        return Page([to_wire(r, location_id) for r in s.execute(page)], held=False)
    # One statement, so the page and ``held`` see one snapshot: a row held back now is either
    # read by the next look or announced by a NOTIFY still to come.
    final = page.where(EventRow.id < below).lateral("final")
    one = select(literal(1).label("one")).subquery("one")  # a row even when the page is empty
    rows = s.execute(select(exists().where(EventRow.id >= below).label("held"), *final.c)
                     .select_from(one).outerjoin(final, true()).order_by(final.c.id)).all()
    return Page([to_wire(r, location_id) for r in rows if r.id is not None], held=bool(rows[0].held))


def to_wire(row: Any, location_id: str) -> Event:
    body = json.loads(row.body)
    if row.actor_location_id != location_id:
        body.pop("staff_name", None)  # who made it shows only at the location where it was done
    return Event(id=row.id, kind=row.kind, at=row.at, location_id=row.location_id, **body)


def prune(s: Session, *, keep: timedelta = REPLAY_WINDOW, now: datetime | None = None) -> int:
    """Forget events older than the replay window, except the newest (it says which id is next).

    Only final ids go, and only below the first one still in the window: whatever is kept is every
    id from the oldest kept on, so :func:`can_replay` can trust the oldest."""
    cutoff = (now or utcnow()) - keep
    newest = bounds(s).newest
    if not newest:
        return 0
    first_kept = s.scalar(select(func.min(EventRow.id)).where(EventRow.at >= cutoff, EventRow.id <= newest))
    result = s.execute(delete(EventRow).where(EventRow.id < (first_kept or newest)))
    return rowcount(result) or 0


def forget_all(s: Session) -> None:
    """A restored database's events belong to the moment of its backup (and on PostgreSQL to
    another server's transaction ids): every desk reloads on reconnecting instead."""
    s.execute(delete(EventRow))
