"""Core statements of the desk's busiest requests, run on the database driver's own cursor.

A statement sent through ``Session.execute`` costs a worker ≈ 0.35 ms of CPU before and after the
database does anything (the ORM's execution path, the compiled cache's key, the context, the
result's set-up); the same statement on the driver's cursor costs ≈ 0.1 ms (`make
bench-api-floor`). Under the front desk's mix that difference is a fifth of a worker's time.

A :class:`DriverStatement` is compiled once per dialect. Each run takes the session's own
connection, so it is part of the session's transaction (begun as the session would begin it,
SQLite's ``BEGIN IMMEDIATE`` included) and sees what the session has written: pending ORM
changes are flushed first, as ``Session.execute`` would. What SQLAlchemy does per statement and
the server relies on is kept: the types' bind and result processing (SQLite gives timestamps
back as text), the engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners
(text with NUL is refused there; tests count statements there), and its errors: a driver error
is raised as SQLAlchemy's own, and a lost connection is invalidated.

Only statements of table columns: an ORM-enabled statement (``select(Card)``, ``update(Card)``)
also loads objects or synchronises the session's, which only the session's own path does. Nor an
INSERT or UPDATE of a table with Python-side defaults, nor a list parameter (``IN`` expanded per
call): SQLAlchemy fills and renders those at each execution.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, exc
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import ValuesBase
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

Processor = Callable[[Any], Any] | None


class _Bind(NamedTuple):
    key: str  # the caller's name for it (an anonymous literal's never matches one)
    name: str  # its name in the SQL text
    value: Any  # the literal's value, for a bind the caller does not give
    required: bool
    processor: Processor


class _Compiled:
    """One dialect's SQL text with what turns the caller's values into the driver's and back."""

    __slots__ = ("binds", "dialect", "positional", "processors", "row", "sql", "textual", "types")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        binds: dict[str, _Bind] = {}
        for bind, name in compiled.bind_names.items():
            if bind.expanding or bind.literal_execute:
                raise ValueError(f"{name}: a list parameter is expanded per call; run it through the session")
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds[name] = _Bind(bind.key, name, bind.effective_value, bind.required, processor)
        self.binds = tuple(binds.values())
        self.positional = (tuple(compiled.positiontup or ())
                           if compiled.positional else None)
        columns = compiled._result_columns
        self.dialect = dialect
        self.processors: tuple[Processor, ...] | None = None
        self.row: Any = None
        #: SQL text names its columns only in the rows it returns (some typed by name beforehand)
        self.textual = isinstance(statement, (TextClause, TextualSelect))
        self.types = {c.keyname: c.type for c in columns}
        if columns and not self.textual:
            self.learn([c.keyname for c in columns])

    def learn(self, names: list[str]) -> None:
        """The rows' shape: named tuples of these columns, with their types' result processing."""
        processors = tuple(None if (t := self.types.get(name)) is None
                           else t.dialect_impl(self.dialect).result_processor(self.dialect, None) for name in names)
        if any(p is not None for p in processors):
            self.processors = processors
        self.row = namedtuple("Row", names, rename=True)  # type: ignore[misc]  # last: it says "learnt"

    def parameters(self, given: Mapping[str, Any]) -> dict[str, Any] | tuple[Any, ...]:
        values: dict[str, Any] = {}
        for bind in self.binds:
            if bind.key in given:
                value = given[bind.key]
            elif bind.required:
                raise exc.ArgumentError(f"A value is required for bind parameter {bind.key!r}")
            else:
                value = bind.value
            values[bind.name] = value if bind.processor is None else bind.processor(value)
        if self.positional is not None:
            return tuple(values[name] for name in self.positional)
        return values

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        processors = self.processors
        if processors is None:
            return list(map(self.row._make, raw))
        make = self.row._make
        return [make([v if p is None else p(v) for p, v in zip(processors, r, strict=True)]) for r in raw]


class DriverStatement:
    """A Core statement of table columns, compiled once per dialect and run on the driver's cursor
    inside a session's transaction. Rows come back as named tuples (``row.name``, ``row[0]``)."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        if statement._propagate_attrs.get("compile_state_plugin") == "orm":
            raise ValueError("an ORM-enabled statement loads or synchronises objects: build it on the tables' columns")
        if isinstance(statement, ValuesBase) and any(
                c.default is not None or c.onupdate is not None for c in statement.table.c):
            raise ValueError(f"{statement.table}: a column's Python-side default is applied by SQLAlchemy's own path")
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def all(self, s: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._run(s, params or {}, fetch=True)[0]

    def first(self, s: Session, params: Mapping[str, Any] | None = None) -> Any:
        rows = self.all(s, params)
        return rows[0] if rows else None

    def scalar(self, s: Session, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(s, params)
        return None if row is None else row[0]

    def scalars(self, s: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        return [row[0] for row in self.all(s, params)]

    def execute(self, s: Session, params: Mapping[str, Any] | None = None) -> int:
        """Runs a statement that returns no rows; an UPDATE's or DELETE's matched rows."""
        return self._run(s, params or {}, fetch=False)[1]

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def _run(self, s: Session, given: Mapping[str, Any], *, fetch: bool) -> tuple[list[Any], int]:
        if s.autoflush:
            s.flush()  # what Session.execute does first (nothing to do when nothing is pending)
        conn = s.connection()
        dialect = conn.dialect
        compiled = self._compiled(dialect)
        parameters = compiled.parameters(given)
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            dispatch = conn.dispatch
            for listener in dispatch.before_cursor_execute:
                listener(conn, cursor, compiled.sql, parameters, None, False)
            try:
                cursor.execute(compiled.sql, parameters)
                if compiled.row is None and compiled.textual and cursor.description is not None:
                    compiled.learn([column[0] for column in cursor.description])
                # (not ``cursor.description`` each time: psycopg builds it afresh, column by column)
                raw = cursor.fetchall() if fetch and compiled.row is not None else []
            except dialect.loaded_dbapi.Error as error:
                raise _translated(conn, cursor, compiled.sql, parameters, error) from error
            for listener in dispatch.after_cursor_execute:
                listener(conn, cursor, compiled.sql, parameters, None, False)
            count = cursor.rowcount
        finally:
            cursor.close()
        return (compiled.rows(raw) if raw else []), count


def _translated(conn: Connection, cursor: Any, sql: str, parameters: Any, error: Any) -> exc.StatementError:
    """The driver's error as SQLAlchemy's (what errors.py and the idempotency middleware know), the
    connection invalidated when it is lost, as SQLAlchemy does for its own statements."""
    dialect = conn.dialect
    lost = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if lost:
        conn.invalidate(error)
    translated: exc.StatementError = exc.DBAPIError.instance(
        sql, parameters, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect)
    return translated
