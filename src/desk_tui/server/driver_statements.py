"""Core statements of the desk's busiest requests, run on the database driver's own cursor.

Every request's sign-in check cost a worker 175–195 µs of CPU through ``Session.execute`` (the
ORM's execution path, the compiled cache's key, the context, the result's set-up, which reads
``cursor.description``: psycopg builds it afresh, column by column, at each look) and costs 83 µs
here, 65 of them psycopg's own. Moving the desk's hot statements here took 10–13 % off the mix's
server CPU per request (docs/performance.md, session 16).

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
INSERT or UPDATE that leaves a column with a Python-side default to SQLAlchemy (it computes
those at each execution). A list parameter (``IN``) gets one placeholder per item, as
SQLAlchemy's own path writes it; an empty list goes through that path.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, CursorResult, Dialect, Executable, exc
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import TextualSelect

Processor = Callable[[Any], Any] | None


class _Bind(NamedTuple):
    key: str  # the caller's name for it (an anonymous literal's never matches one)
    name: str  # its name in the SQL text
    value: Any  # the literal's value, for a bind the caller does not give
    required: bool
    processor: Processor
    expanding: bool  # a list, one placeholder per item (``IN``)


class _Compiled:
    """One dialect's SQL text with what turns the caller's values into the driver's and back."""

    __slots__ = ("binds", "dialect", "expanded", "positional", "processors", "row", "sql", "textual",
                 "types")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("a column's Python-side default is computed by SQLAlchemy's own path: give its value")
        self.sql = compiled.string
        binds: dict[str, _Bind] = {}
        for bind, name in compiled.bind_names.items():
            if bind.literal_execute or (bind.expanding and dialect.paramstyle not in _LIST_PLACEHOLDERS):
                raise ValueError(f"{name}: rendered into the SQL per call; run it through the session")
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds[name] = _Bind(bind.key, name, bind.effective_value, bind.required, processor, bind.expanding)
        self.binds = tuple(binds.values())
        #: the SQL text per number of items in each list parameter
        self.expanded: dict[tuple[int, ...], str] = {}
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

    def parameters(self, given: Mapping[str, Any]) -> tuple[str, dict[str, Any] | tuple[Any, ...]] | None:
        """The SQL text (a list parameter's placeholders one per item) and the driver's values; None
        for an empty list, which SQLAlchemy writes as a condition that holds for nothing, per dialect."""
        values: dict[str, Any] = {}
        lists: dict[str, list[Any]] = {}
        for bind in self.binds:
            if bind.key in given:
                value = given[bind.key]
            elif bind.required:
                raise exc.ArgumentError(f"A value is required for bind parameter {bind.key!r}")
            else:
                value = bind.value
            processor = bind.processor
            if bind.expanding:
                items = lists[bind.name] = list(value) if processor is None else [processor(v) for v in value]
                if not items:
                    return None
            else:
                values[bind.name] = value if processor is None else processor(value)
        sql = self.sql
        if lists:
            sql = self._expand(lists)
        if self.positional is not None:
            return sql, tuple(v for name in self.positional
                              for v in (lists[name] if name in lists else (values[name],)))
        for name, items in lists.items():
            values.update({f"{name}_{n}": v for n, v in enumerate(items, 1)})
        return sql, values

    def _expand(self, lists: dict[str, list[Any]]) -> str:
        shape = tuple(len(items) for items in lists.values())
        sql = self.expanded.get(shape)
        if sql is None:
            sql = self.sql
            placeholder = _LIST_PLACEHOLDERS[self.dialect.paramstyle]
            for name, items in lists.items():
                sql = sql.replace(f"__[POSTCOMPILE_{name}]",
                                  ", ".join(placeholder.format(f"{name}_{n}") for n in range(1, len(items) + 1)))
            if len(self.expanded) < _SHAPES_KEPT:
                self.expanded[shape] = sql
        return sql

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        processors = self.processors
        if processors is None:
            return list(map(self.row._make, raw))
        make = self.row._make
        return [make([v if p is None else p(v) for p, v in zip(processors, r, strict=True)]) for r in raw]


#: how each driver's SQL writes a list parameter's items (psycopg's, sqlite3's)
_LIST_PLACEHOLDERS = {"pyformat": "%({})s", "qmark": "?"}
#: SQL texts kept per statement for lists of different lengths (a day's cards, a wallet's)
_SHAPES_KEPT = 64


class DriverStatement:
    """A Core statement of table columns, compiled once per dialect and run on the driver's cursor
    inside a session's transaction. Rows come back as named tuples (``row.name``, ``row[0]``)."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: Executable) -> None:
        assert isinstance(statement, ClauseElement)
        if statement._propagate_attrs.get("compile_state_plugin") == "orm":
            raise ValueError("an ORM-enabled statement loads or synchronises objects: build it on the tables' columns")
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
        prepared = compiled.parameters(given)
        if prepared is None:
            return self._by_session(s, given)
        sql, parameters = prepared
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            dispatch = conn.dispatch
            for listener in dispatch.before_cursor_execute:
                listener(conn, cursor, sql, parameters, None, False)
            try:
                cursor.execute(sql, parameters)
                if compiled.row is None and compiled.textual and cursor.description is not None:
                    compiled.learn([column[0] for column in cursor.description])
                # (not ``cursor.description`` each time: psycopg builds it afresh, column by column)
                raw = cursor.fetchall() if fetch and compiled.row is not None else []
            except dialect.loaded_dbapi.Error as error:
                raise _translated(conn, cursor, sql, parameters, error) from error
            for listener in dispatch.after_cursor_execute:
                listener(conn, cursor, sql, parameters, None, False)
            count = cursor.rowcount
        finally:
            cursor.close()
        return (compiled.rows(raw) if raw else []), count

    def _by_session(self, s: Session, given: Mapping[str, Any]) -> tuple[list[Any], int]:
        result = s.execute(self.statement, dict(given))
        assert isinstance(result, CursorResult)  # a Core statement's
        return (list(result) if result.returns_rows else []), result.rowcount


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
