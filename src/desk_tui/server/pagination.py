"""Keyset pagination: ``{items, next_cursor}`` where the cursor is the last row's sort key.

Keyset rather than OFFSET so page 2,000 of the customer list costs what page 1 costs, and a
row inserted meanwhile never shifts a page.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session

from desk_tui.server.errors import DomainError

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page.")]


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != width or not all(isinstance(v, (str, int)) for v in values):
        raise DomainError("validation_error", "cursor: not a cursor this server handed out.")
    return values


def keyset_page(
    s: Session,
    stmt: Select,
    *,
    order_by: Sequence[Any],
    key: Callable[[T], Sequence[Any]],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    if cursor:
        values = decode_cursor(cursor, len(order_by))
        cond = tuple_(*order_by) < tuple_(*values) if descending else tuple_(*order_by) > tuple_(*values)
        stmt = stmt.where(cond)
    ordering = [c.desc() for c in order_by] if descending else list(order_by)
    rows = list(s.scalars(stmt.order_by(*ordering).limit(limit + 1)))
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key(rows[-1]))
    return rows, None
