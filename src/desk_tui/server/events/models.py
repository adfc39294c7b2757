"""The ``events`` table: the replay window of the live stream, and its source of truth.

Written in the same transaction as the change it announces (so a rolled-back change announces
nothing) and read by every stream by id. Rows are pruned by housekeeping once they are older than
the replay window; the newest row is always kept, so the last id ever given out stays known.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk_tui.server.database import Base, UTCDateTime

#: BIGINT on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the auto-numbered rowid
EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class EventRow(Base):
    __tablename__ = "events"
    #: SQLite: the rowid. PostgreSQL: given by the insert from the writing transaction's id, so
    #: writers need not commit in turn (events/service.py); the column's sequence is left unused
    id: Mapped[int] = mapped_column(EVENT_ID, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: null: every location (cards, memberships and the catalogue are shared by the chain)
    location_id: Mapped[str | None] = mapped_column(String(40))
    #: where the change was made, so a stream elsewhere leaves out who made it (staff names show only where the entry was made)
    actor_location_id: Mapped[str | None] = mapped_column(String(40))
    #: the ids, version, names and summary of the wire Event, as JSON
    body: Mapped[str] = mapped_column(Text)
