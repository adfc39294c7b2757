"""Recording events inside the transaction of the change, and reading them back for a stream.

Services call :func:`record` where the change happens (appointments, the card ledger, sales,
memberships, the catalogue), never routes. It only notes the event on the session; the rows are
written in ``before_commit``, at the very end of that same transaction, so:

* a change that rolls back announces nothing (the notes are dropped with it);
* several notes about one thing in one transaction become one event with the final version;
* on PostgreSQL the rows are written under a transaction-scoped advisory lock, held until the
  commit, so ids become visible in id order and a stream that has read up to id N can never see
  N+1 committed after N+2; ``NOTIFY`` goes in the same transaction and is delivered only if it
  commits. On SQLite ``BEGIN IMMEDIATE`` already serialises writers, and the outer
  transaction's ``after_commit`` wakes the streams of this process (see broker.py); a savepoint's
  release (``after_commit`` too, inside a request's one transaction) wakes nobody yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, insert, or_, select, text
from sqlalchemy.orm import Session

from desk_tui.contract.events import Event
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import rowcount, utcnow
from desk_tui.server.events import broker
from desk_tui.server.events.models import EventRow
from desk_tui.server.reference.models import Location, Staff
from desk_tui.server.reference.names import names

#: how long a reconnecting client can be away and still be told exactly what it missed
REPLAY_WINDOW = timedelta(minutes=15)
#: the PostgreSQL channel every worker LISTENs on
CHANNEL = "desk_events"
#: pg_advisory_xact_lock key that orders event ids by commit (any constant no other code uses)
_ORDER_LOCK = 0x6465736B  # "desk"
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
    rows = []
    for n in notes:
        body = {k: v for k, v in n.items() if k not in ("kind", "location_id", "staff_id", "actor_location_id")
                and v is not None}
        if n["staff_id"] in staff:
            body["staff_name"] = staff[n["staff_id"]]
        if n["actor_location_id"] in places:
            body["location_name"] = places[n["actor_location_id"]]
        rows.append({"at": now, "kind": n["kind"], "location_id": n["location_id"],
                         "actor_location_id": n["actor_location_id"], "body": json.dumps(body)})
    if postgres:
        s.execute(_LOCKED_INSERT, {"key": _ORDER_LOCK, "channel": CHANNEL,
                                   "rows": json.dumps(rows, default=lambda at: at.isoformat())})
    else:
        s.execute(insert(EventRow), rows)
    s.info[_WRITTEN] = bind.engine.url  # Engine.engine is the engine itself; a Connection has no url


#: PostgreSQL: the order lock, the rows and the NOTIFY in one statement (every write sends it). The
#: lock's CTE is joined in, so it is taken before the first row draws its id from the sequence.
_LOCKED_INSERT = text("""
    WITH ordered AS (SELECT pg_advisory_xact_lock(:key)), told AS (SELECT pg_notify(:channel, ''))
    INSERT INTO events (at, kind, location_id, actor_location_id, body)
    SELECT r.at, r.kind, r.location_id, r.actor_location_id, r.body
    FROM ordered, told, json_to_recordset(CAST(:rows AS json))
         AS r(at timestamptz, kind text, location_id text, actor_location_id text, body text)
""")


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
@dataclass(frozen=True)
class Bounds:
    oldest: int | None
    """The oldest id still kept (None: no event yet)."""
    newest: int
    """The newest id given out (0: none yet)."""


def bounds(s: Session) -> Bounds:
    oldest, newest = s.execute(select(func.min(EventRow.id), func.max(EventRow.id))).one()
    return Bounds(oldest, newest or 0)


def can_replay(b: Bounds, last_id: int) -> bool:
    """Whether everything after ``last_id`` is still in the table (or nothing has happened since)."""
    if last_id > b.newest:
        return False  # an id this database never gave out: another database, or one restored
    return b.oldest is None or last_id >= b.oldest - 1 or last_id == b.newest


def since(s: Session, *, after: int, location_id: str, limit: int = 500) -> list[Event]:
    """Events after id ``after`` for a stream at ``location_id``, oldest first."""
    rows = s.scalars(select(EventRow).where(EventRow.id > after,
                                            or_(EventRow.location_id.is_(None), EventRow.location_id == location_id))
                     .order_by(EventRow.id).limit(limit))
    return [to_wire(r, location_id) for r in rows]


def to_wire(row: EventRow, location_id: str) -> Event:
    body = json.loads(row.body)
    if row.actor_location_id != location_id:
        body.pop("staff_name", None)  # who made it shows only at the location where it was done
    return Event(id=row.id, kind=row.kind, at=row.at, location_id=row.location_id, **body)


def prune(s: Session, *, keep: timedelta = REPLAY_WINDOW, now: datetime | None = None) -> int:
    """Forget events older than the replay window, except the newest (it says which id is next)."""
    cutoff = (now or utcnow()) - keep
    newest = s.scalar(select(func.max(EventRow.id)))
    if newest is None:
        return 0
    result = s.execute(delete(EventRow).where(EventRow.at < cutoff, EventRow.id < newest))
    return rowcount(result) or 0
