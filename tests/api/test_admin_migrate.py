"""Migrations an operator runs: `desk-tui admin migrate [--check]`, several servers starting at
once against one new database, and every migration's way back."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from desk_tui.cli import main
from desk_tui.server import migrate
from desk_tui.server.database import Database
from desk_tui.server.schema import metadata
from tests.conftest import ENGINES


def _at_head_and_matching_the_models(db: Database) -> None:
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set(metadata.tables)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []


#: What `desk-tui serve` does first, in a process of its own (Alembic's context is one per process:
#: two migrations in threads of one process would trip over each other, not over the lock). It
#: connects, says so, and migrates when told to go: both children then start at the same moment.
SERVER_START = """
import sys
from desk_tui.server import migrate
from desk_tui.server.database import Database
db = Database(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
migrate.upgrade(db.engine)
"""


@pytest.mark.parametrize("engine_name", ENGINES)
def test_two_servers_migrating_a_new_database_at_once_both_succeed_with_one_schema(engine_name, new_db_url):
    url = new_db_url(engine_name)
    servers = [subprocess.Popen([sys.executable, "-c", SERVER_START, url], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for p in servers:
            assert p.stdout is not None and p.stdout.readline() == "ready\n"
        for p in servers:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outcomes = [p.communicate(timeout=180) for p in servers]
    finally:
        for p in servers:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in servers] == [0, 0], [err[-2000:] for _, err in outcomes]
    db = Database(url)
    try:
        _at_head_and_matching_the_models(db)
    finally:
        db.dispose()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_every_migration_goes_down_and_up_again(engine_name, new_db_url):
    db = Database(new_db_url(engine_name))
    try:
        migrate.upgrade(db.engine)
        migrate.downgrade(db.engine, "base")
        assert migrate.current_revision(db.engine) is None
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(db.engine)
        _at_head_and_matching_the_models(db)
    finally:
        db.dispose()


def test_migrate_check_fails_with_a_sentence_while_the_database_is_behind(new_db_url, capsys):
    url = new_db_url("sqlite")
    head = migrate.head_revision()
    previous = migrate.scripts().get_revision(head).down_revision
    assert isinstance(previous, str)
    db = Database(url)
    try:
        migrate.upgrade(db.engine, previous)
    finally:
        db.dispose()

    assert main(["admin", "--db", url, "migrate", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"at revision {previous}, behind this version's {head}" in err and "admin --db URL migrate" in err
    assert migrate.current_revision(Database(url).engine) == previous  # a check changes nothing

    assert main(["admin", "--db", url, "migrate"]) == 0
    assert f"migrated from {previous} to {head}" in capsys.readouterr().out
    assert main(["admin", "--db", url, "migrate", "--check"]) == 0
    assert main(["admin", "--db", url, "migrate"]) == 0
    assert "already at" in capsys.readouterr().out


def test_migrate_refuses_a_database_a_newer_version_migrated(new_db_url, capsys):
    url = new_db_url("sqlite")
    db = Database(url)
    try:
        migrate.upgrade(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        db.dispose()
    assert main(["admin", "--db", url, "migrate", "--check"]) == 1
    assert "a newer version migrated it" in capsys.readouterr().err
