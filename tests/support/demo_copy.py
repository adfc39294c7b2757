"""The demo salon, seeded once per engine and test process, copied into each fresh database a
test serves with the demo.

Seeding the demo takes seconds (300 customers, their cards and memberships, a month of
appointments, four argon2 PIN hashes); copying it takes milliseconds: a SQLite file through
SQLite's backup API, a PostgreSQL database as ``CREATE DATABASE … TEMPLATE``. The copy is the
very database the seeding made, so a server started on it sees the demo already there — as a
server restarted on its own data does — and seeds nothing. Only a database that is still empty
is filled: a test that hands in data of its own keeps it.

The copy's demo accounts keep their PINs hashed at argon2's lightest cost (quick_pins.py), unless
``product_pins`` asks for the hashes the seeding made at the product's cost.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from desk_tui.server import database
from desk_tui.server.serve import prepare
from tests.support.quick_pins import quick_hashes

_REAL_UTCNOW = database.utcnow

_templates: dict[str, str] = {}
"""Template database per engine ("sqlite": a file path; "postgresql <server>": a database name)."""


def fill_with_demo(db_url: str, *, product_pins: bool = False) -> None:
    """Make the empty database at ``db_url`` a copy of the demo salon; leave any other alone.

    Under a pinned server clock (snapshot tests) nothing is copied: the demo the server seeds
    then is dated from the pinned instant, as the shots expect."""
    if seeds_its_own_demo():
        return
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        _sqlite(Path(url.database or ""), product_pins)
    elif url.get_backend_name() == "postgresql":
        _postgresql(db_url, product_pins)


def seeds_its_own_demo() -> bool:
    """Under a pinned server clock a server seeds the demo itself (fill_with_demo copies nothing)."""
    return database.utcnow is not _REAL_UTCNOW


def _sqlite(path: Path, product_pins: bool) -> None:
    if not path.name or (path.exists() and path.stat().st_size > 0):
        return
    template = _templates.get("sqlite")
    if template is None:
        template = str(Path(tempfile.mkdtemp(prefix="desk-demo.")) / "demo.db")
        prepare(f"sqlite:///{template}", demo=True).dispose()
        _templates["sqlite"] = template
    path.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(template), sqlite3.connect(path)
    try:
        source.backup(target)
        if not product_pins:
            with target:
                target.executemany("UPDATE staff SET pin_hash = ? WHERE username = ?", _quick_pins())
    finally:
        source.close()
        target.close()


def _conninfo(db_url: str, database: str) -> str:
    url = make_url(db_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def _postgresql(db_url: str, product_pins: bool) -> None:
    name = make_url(db_url).database
    with psycopg.connect(_conninfo(db_url, name or ""), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('alembic_version')").fetchone() != (None,):
            return  # migrated already: its test has plans of its own for it
    server = f"postgresql {make_url(db_url).host}:{make_url(db_url).port}"
    template = _templates.get(server)
    with psycopg.connect(_conninfo(db_url, "postgres"), autocommit=True) as admin:
        if template is None:
            template = f"desk_demo_{uuid.uuid4().hex[:12]}"
            admin.execute(f'CREATE DATABASE "{template}"')
            # Seeded, then every connection to it closed: a template must have none while copied.
            prepare(str(make_url(db_url).set(database=template).render_as_string(hide_password=False)),
                    demo=True).dispose()
            _templates[server] = template
        admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    if not product_pins:
        with psycopg.connect(_conninfo(db_url, name or ""), autocommit=True) as conn:
            conn.cursor().executemany("UPDATE staff SET pin_hash = %s WHERE username = %s", _quick_pins())


def _quick_pins() -> list[tuple[str, str]]:
    return [(pin_hash, username) for username, pin_hash in quick_hashes()]
