"""Statements on the driver's cursor (server/driver_statements.py) keep what SQLAlchemy's own path
gives the server: the session's transaction and pending changes, the types' processing, the
engine's listeners, SQLAlchemy's errors and a lost connection invalidated. On both engines, with
a table of the test's own.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    MetaData,
    String,
    bindparam,
    event,
    exc,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desk_tui.server.database import Database, UTCDateTime
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from tests.support.counted_statements import Statements


class Scratch(DeclarativeBase):
    metadata = MetaData()


class Note(Scratch):
    __tablename__ = "driver_notes"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    n: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)


class Stamped(Scratch):
    __tablename__ = "driver_stamped"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=7)


NOTES = Note.__table__
ADD = DriverStatement(insert(NOTES).values(id=bindparam("id"), at=bindparam("at"), n=bindparam("n"),
                                           done=bindparam("done"), blob=bindparam("blob")))
ONE = DriverStatement(select(NOTES.c.id, NOTES.c.at, NOTES.c.n, NOTES.c.done, NOTES.c.blob)
                      .where(NOTES.c.id == bindparam("id")))
COUNT = DriverStatement(select(NOTES.c.n).where(NOTES.c.n >= 0).order_by(NOTES.c.n))
BUMP = DriverStatement(update(NOTES).where(NOTES.c.n >= bindparam("least")).values(n=NOTES.c.n + 1))
AT = datetime(2026, 12, 2, 9, 30, 15, 250000, tzinfo=UTC)


@pytest.fixture
def db(engine, new_db_url):
    database = Database(new_db_url(engine))
    Scratch.metadata.create_all(database.engine)
    yield database
    database.dispose()


def test_rows_come_back_as_sqlalchemy_gives_them(db):
    with db.write_session() as s, s.begin():
        ADD.execute(s, {"id": "a", "at": AT, "n": 3, "done": True, "blob": b"\x00\x01"})
    with db.write_session() as s:
        row = ONE.first(s, {"id": "a"})
        assert tuple(row) == tuple(s.execute(ONE.statement, {"id": "a"}).one())
    # SQLite keeps timestamps as text and booleans as integers: processed back, as SQLAlchemy does
    assert (row.id, row.at, row.n, row.done, row.blob) == ("a", AT, 3, True, b"\x00\x01")
    assert row.at.tzinfo is not None and type(row.done) is bool
    assert ONE.first(s, {"id": "none such"}) is None


def test_it_is_part_of_the_sessions_transaction_and_sees_its_pending_objects(db):
    with db.write_session() as s, s.begin():
        s.add(Note(id="pending", at=AT, n=5, done=False))
        # not flushed by anyone but the statement itself
        assert ONE.first(s, {"id": "pending"}).n == 5
        assert BUMP.execute(s, {"least": 5}) == 1
        s.rollback()
    with db.write_session() as s:
        assert ONE.first(s, {"id": "pending"}) is None
        assert s.get(Note, "pending") is None


def test_text_names_its_columns_in_its_rows(db):
    with db.write_session() as s, s.begin():
        for n in (2, 1):
            ADD.execute(s, {"id": f"t{n}", "at": AT, "n": n, "done": False, "blob": None})
    plain = DriverStatement(text("SELECT id, n FROM driver_notes WHERE n >= :least ORDER BY n"))
    typed = DriverStatement(text("SELECT id, at FROM driver_notes WHERE id = :id").columns(at=UTCDateTime))
    with db.write_session() as s:
        for _ in range(2):  # learnt from the first rows, kept for the next
            assert [(r.id, r.n) for r in plain.all(s, {"least": 1})] == [("t1", 1), ("t2", 2)]
        assert typed.first(s, {"id": "t2"}).at == AT
        assert plain.all(s, {"least": 99}) == []
        assert COUNT.scalars(s) == [1, 2] and COUNT.scalar(s) == 1


def test_the_engines_listeners_see_it_and_refuse_nul(db):
    seen = Statements()
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.write_session() as s:
            ONE.first(s, {"id": "a"})
            with pytest.raises(DomainError, match="NUL"):
                ONE.first(s, {"id": "a\x00b"})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert any("FROM driver_notes" in x for x in seen.seen), seen.explain()


def test_a_driver_error_is_sqlalchemys_own(db):
    with db.write_session() as s, s.begin():
        ADD.execute(s, {"id": "twice", "at": AT, "n": 1, "done": False, "blob": None})
    with db.write_session() as s:
        with pytest.raises(exc.IntegrityError):
            ADD.execute(s, {"id": "twice", "at": AT, "n": 1, "done": False, "blob": None})
        s.rollback()
        assert ONE.first(s, {"id": "twice"}).n == 1  # the session goes on after its rollback
        with pytest.raises(exc.ArgumentError, match="'id'"):
            ONE.first(s, {})


def test_a_lost_connection_is_invalidated(new_db_url):
    """PostgreSQL only: its backend can be ended from outside (a SQLite file has no connection to lose)."""
    db = Database(new_db_url("postgresql"))
    Scratch.metadata.create_all(db.engine)
    with db.write_session() as s:
        ONE.first(s, {"id": "a"})
        pid = s.connection().connection.driver_connection.info.backend_pid
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(exc.DBAPIError) as lost:
            ONE.first(s, {"id": "a"})
        assert lost.value.connection_invalidated
        s.rollback()
    with db.write_session() as s:  # the pool hands out a new connection
        assert ONE.first(s, {"id": "a"}) is None
    db.dispose()


def test_a_list_parameter_gets_a_placeholder_per_item(db):
    with db.write_session() as s, s.begin():
        for n in range(4):
            ADD.execute(s, {"id": f"l{n}", "at": AT, "n": n, "done": n % 2 == 0, "blob": None})
    some = DriverStatement(select(NOTES.c.id).where(NOTES.c.id.in_(bindparam("ids", expanding=True)),
                                                    NOTES.c.n < bindparam("below")).order_by(NOTES.c.id))
    with db.write_session() as s:
        for ids, below, found in ((["l1"], 9, ["l1"]), (["l3", "l0", "nope", "l2"], 3, ["l0", "l2"]),
                                  (["l1"], 9, ["l1"]), ([], 9, [])):
            assert some.scalars(s, {"ids": ids, "below": below}) == found, ids
        assert some.scalars(s, {"ids": ("l2",), "below": 9}) == ["l2"]  # any iterable, as SQLAlchemy takes


def test_what_only_sqlalchemys_path_can_run_is_refused(db):
    with pytest.raises(ValueError, match="ORM-enabled"):
        DriverStatement(select(Note))
    with pytest.raises(ValueError, match="ORM-enabled"):
        DriverStatement(update(Note).values(n=1))
    stamped = Stamped.__table__
    with db.write_session() as s, s.begin():
        with pytest.raises(ValueError, match="default"):
            DriverStatement(insert(stamped).values(id=bindparam("id"))).execute(s, {"id": "x"})
        DriverStatement(insert(stamped).values(id=bindparam("id"), n=bindparam("n"))).execute(s, {"id": "y", "n": 1})
