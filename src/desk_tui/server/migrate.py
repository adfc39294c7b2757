"""Schema changes go through Alembic, on SQLite and PostgreSQL alike; nothing calls create_all.

Several servers of a chain may start at once against one database (and `desk-tui admin migrate`
may run beside them): each takes the migration lock first (migrations/env.py), so one of them
migrates and the others, once it is done, find the schema at head and do nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")

#: The PostgreSQL advisory lock every migrator of a database takes ("desk" in ASCII); one number
#: for the whole server, so nothing else of ours may use it.
MIGRATION_LOCK_ID = 0x6465736B


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def scripts() -> ScriptDirectory:
    """The migrations this version ships, without a database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    head = scripts().get_current_head()
    assert head is not None  # the package ships its migrations
    return head


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    #: the database was migrated by a newer desk-tui: this one does not know its revision
    unknown: bool

    @property
    def behind(self) -> bool:
        return self.current != self.head and not self.unknown


def state(engine: Engine) -> SchemaState:
    current = current_revision(engine)
    known = {s.revision for s in scripts().walk_revisions()}
    return SchemaState(current=current, head=head_revision(), unknown=current is not None and current not in known)


@contextmanager
def locked_connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding the database's migration lock: the second of two servers starting
    together waits here, then finds the first one's work done.

    PostgreSQL: a session advisory lock (it outlives the transactions of the block, and ends with
    the connection if the migrator dies). SQLite: the database's write lock, taken by the first
    statement's BEGIN IMMEDIATE (database.py, a ``desk_write`` connection); the whole migration
    then runs in that one transaction, and other writers wait for it (busy_timeout).
    """
    if engine.dialect.name != "postgresql":
        with engine.execution_options(desk_write=True).connect() as connection:
            connection.exec_driver_sql("SELECT 1")  # begins the transaction: BEGIN IMMEDIATE
            yield connection
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})")
        connection.commit()
        try:
            yield connection
        finally:
            connection.rollback()  # a failed migration leaves its transaction open
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})")
            connection.commit()
