"""Keyset pagination: ``{items, next_cursor}`` where the cursor is the last row's sort key.

Keyset rather than OFFSET so page 2,000 of the customer list costs what page 1 costs, and a
row inserted meanwhile never shifts a page. Each cursor value is turned back into its
column's Python type before it is compared, so a timestamp is compared with a timestamp (not
with ISO text, which SQLite would order wrongly and PostgreSQL would refuse).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query
from sqlalchemy import ColumnElement, Date, DateTime, Integer, Select, and_, or_
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.database import UTCDateTime
from desk_tui.server.errors import DomainError

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page.")]

_NOT_OURS = "cursor: not a cursor this server handed out."


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != width or not all(isinstance(v, (str, int)) for v in values):
        raise DomainError(ProblemCode.VALIDATION_ERROR, _NOT_OURS)
    return values


def _typed(value: str | int, column: ColumnElement[Any]) -> Any:
    """The cursor value as its column's Python type."""
    kind = column.type
    try:
        if isinstance(kind, UTCDateTime | DateTime):
            parsed = datetime.fromisoformat(str(value))
            if parsed.tzinfo is None:
                raise ValueError("naive")
            # In UTC here, as the column stores it: 0001-01-01T00:00+05:00 has no UTC instant
            # (OverflowError), and a cursor we handed out always has one.
            return parsed.astimezone(UTC)
        if isinstance(kind, Date):
            return date.fromisoformat(str(value))
        if isinstance(kind, Integer):
            return int(value)
    except (TypeError, ValueError, OverflowError):
        raise DomainError(ProblemCode.VALIDATION_ERROR, _NOT_OURS) from None
    if not isinstance(value, str):
        raise DomainError(ProblemCode.VALIDATION_ERROR, _NOT_OURS)
    return value


def _after(order_by: Sequence[Any], values: Sequence[Any], *, descending: bool) -> ColumnElement[bool]:
    """(a, b, c) > (x, y, z) spelled out, so each value is bound with its own column's type."""
    clauses = []
    for i, column in enumerate(order_by):
        beyond = column < values[i] if descending else column > values[i]
        clauses.append(and_(*(order_by[j] == values[j] for j in range(i)), beyond))
    return or_(*clauses)


def cursor_values(cursor: str, order_by: Sequence[Any]) -> list[Any]:
    """A cursor :func:`keyset_page` handed out, as its columns' Python values (for a query that
    pages by the same key in its own way)."""
    raw = decode_cursor(cursor, len(order_by))
    return [_typed(v, c) for v, c in zip(raw, order_by, strict=True)]


def keyset_page(
    s: Session,
    stmt: Select[T],
    *,
    order_by: Sequence[Any],
    key: Callable[[T], Sequence[Any]],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    if cursor:
        stmt = stmt.where(_after(order_by, cursor_values(cursor, order_by), descending=descending))
    ordering = [c.desc() for c in order_by] if descending else list(order_by)
    rows = list(s.scalars(stmt.order_by(*ordering).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key(rows[-1]))
    return rows, None
