"""Keyset pages ordered by a date or timestamp column, with the cursor value bound as that type.

The shared :func:`desk_tui.server.pagination.keyset_page` compares ``tuple_(columns) <
tuple_(cursor values)`` with the values bound as plain strings, which is right for text keys
but compares a timestamp with ISO text (SQLite: wrong rows; PostgreSQL: a type error). Here
the comparison is spelled out per column so each value is bound with its column's type. The
cursor format is the shared one (``encode_cursor`` / ``decode_cursor``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, and_, or_
from sqlalchemy.orm import Session

from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import decode_cursor, encode_cursor


def page_by_time(s: Session, stmt: Select, *, time_column, id_column, limit: int, cursor: str | None,
                 descending: bool, key: Callable[[Any], tuple[date | datetime, str]]) -> tuple[list, str | None]:
    is_datetime = not isinstance(time_column.type, Date)
    if cursor:
        raw, last_id = decode_cursor(cursor, 2)
        try:
            last = datetime.fromisoformat(raw) if is_datetime else date.fromisoformat(raw)
        except (TypeError, ValueError):
            raise DomainError("validation_error", "cursor: not a cursor this server handed out.") from None
        if is_datetime and last.tzinfo is None:
            raise DomainError("validation_error", "cursor: not a cursor this server handed out.")
        before = (time_column < last, id_column < last_id) if descending else (time_column > last, id_column > last_id)
        stmt = stmt.where(or_(before[0], and_(time_column == last, before[1])))
    ordering = [time_column.desc(), id_column.desc()] if descending else [time_column, id_column]
    rows = list(s.scalars(stmt.order_by(*ordering).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        when, last_id = key(rows[-1])
        return rows, encode_cursor([when.isoformat(), last_id])
    return rows, None
