"""Counting the SQL statements a live server sends while a request is answered.

They are counted where every one passes: SQLAlchemy's ``before_cursor_execute`` on the real
server's engine (tests/api/test_statements_per_request.py holds the busiest routes to a limit;
the API benchmark prints the counts).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


class Statements:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        with self._lock:
            self.seen.append(statement)

    @property
    def count(self) -> int:
        return len(self.seen)

    def explain(self) -> str:
        return "\n".join(f"{n:2}. {' '.join(x.split())[:160]}" for n, x in enumerate(self.seen, 1))


@contextmanager
def counted(api) -> Iterator[Statements]:
    statements = Statements()
    event.listen(api.database.engine, "before_cursor_execute", statements)
    try:
        yield statements
    finally:
        event.remove(api.database.engine, "before_cursor_execute", statements)
