"""`desk-tui admin backup FILE` and `restore FILE`: a copy of the whole database, taken while the
server keeps serving, and put back.

SQLite: the sqlite3 backup API copies the live file in one step under a read transaction; in WAL
mode a reader does not stop writers, so the server keeps taking bookings and the copy is one
consistent moment. Restoring goes through the same API into the target, under SQLite's own locks.

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, beside the running server) and
``pg_restore``. They must be at least the server's major version: the PostgreSQL client tools.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, make_url, select, table

from desk_tui.contract.problems import ProblemCode
from desk_tui.server import migrate
from desk_tui.server.database import PRIVATE_FILE_MODE, Database, create_private_file, sqlite_path
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: where the PostgreSQL 15 client tools live on Debian and Ubuntu when they are not on PATH
PG_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin")]


def backup(db_url: str, file: Path) -> str:
    """Write a backup of the database to ``file``; returns a sentence saying what was written."""
    path = sqlite_path(db_url)
    if path is not None:
        if not path.exists():
            raise DomainError(ProblemCode.NOT_FOUND, f"There is no database at {path}.")
        return _backup_sqlite(path, file)
    if db_url.startswith("postgresql"):
        return _backup_postgres(db_url, file)
    raise DomainError(ProblemCode.VALIDATION_ERROR, "Backups are for a SQLite file or a PostgreSQL database.")


def _backup_sqlite(path: Path, file: Path) -> str:
    # Written beside the target and renamed: an interrupted backup never leaves a half file
    # under the name of a good one.
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)  # the copy holds PIN hashes and customers: its owner's alone
    source = sqlite3.connect(path, timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: the whole file in one step, one consistent moment
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
            # A self-contained file: no -wal beside it to lose when it is copied elsewhere.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise DomainError(ProblemCode.INTERNAL_ERROR, f"The copy failed its integrity check ({ok}); nothing was written.")
    partial.replace(file)
    return f"Backed up {path} to {file} ({file.stat().st_size // 1024} KiB)."


def pg_tool(name: str) -> str:
    """The PostgreSQL client tool's path: PGBIN, PATH, then the PostgreSQL 15 folder."""
    folders = [Path(os.environ["PGBIN"])] if os.environ.get("PGBIN") else []
    for folder in folders:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise DomainError(ProblemCode.NOT_FOUND,
                      f"{name} was not found on PATH nor in {', '.join(map(str, PG_BIN_DIRS))}: install the "
                      f"PostgreSQL client tools of the server's version (e.g. apt-get install postgresql-client-15), "
                      f"or set PGBIN to the folder that holds {name}.")


def _libpq(db_url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as libpq takes it, and the environment carrying its password (a
    command line is visible to every user of the machine in ps)."""
    url = make_url(db_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise DomainError(ProblemCode.INTERNAL_ERROR, f"{what} failed: {done.stderr.strip() or done.returncode}")


def _backup_postgres(db_url: str, file: Path) -> str:
    conninfo, env = _libpq(db_url)
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)
    try:
        _run([pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={conninfo}"], env, "pg_dump")
    except DomainError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(file)
    return f"Backed up {make_url(db_url).database} to {file} ({file.stat().st_size // 1024} KiB, pg_dump custom format)."


def _has_data(db_url: str) -> bool:
    """Whether any table of the database holds a row: a database the server only migrated (or
    nothing at all) may be restored into; one with a salon in it only with --force."""
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name != "alembic_version" and conn.scalar(select(func.count()).select_from(table(name))):
                    return True
        return False
    finally:
        db.dispose()


def _kind(file: Path) -> str:
    with file.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise DomainError(ProblemCode.VALIDATION_ERROR, f"{file} is not a desk-tui backup (neither a SQLite file nor "
                                                    "a pg_dump custom-format file).")


def restore(db_url: str, file: Path, *, force: bool = False) -> str:
    if not file.is_file():
        raise DomainError(ProblemCode.NOT_FOUND, f"There is no backup file {file}.")
    kind, engine = _kind(file), "sqlite" if sqlite_path(db_url) is not None else "postgresql"
    if not (db_url.startswith("sqlite") or db_url.startswith("postgresql")) or kind != engine:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"{file} is a {kind} backup; it restores into a {kind} "
                                                        f"database, not this {engine} one.")
    if not force and _has_data(db_url):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The database already holds data, which the restore would replace; "
                                                "stop the servers that use it and add --force if that is meant.")
    if kind == "sqlite":
        _restore_sqlite(db_url, file)
    else:
        conninfo, env = _libpq(db_url)
        cmd = [pg_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={conninfo}"]
        if force:
            cmd[1:1] = ["--clean", "--if-exists"]
        _run([*cmd, str(file)], env, "pg_restore")
    # A backup taken by an older desk-tui comes up to this version's schema at once.
    db = Database(db_url)
    try:
        migrate.upgrade(db.engine)
        if kind == "postgresql":
            # Event ids are the old server's transaction ids, which a new server may be far
            # behind: a stream would wait for them forever. Desks reload on reconnecting instead.
            with db.transaction() as s:
                events.forget_all(s)
    finally:
        db.dispose()
    return f"Restored {file} into {make_url(db_url).render_as_string(hide_password=True)}."


def _restore_sqlite(db_url: str, file: Path) -> None:
    path = sqlite_path(db_url)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private_file(path)
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(path, timeout=30)
        try:
            # Through SQLite's locks, page by page into the target: a connection another process
            # holds open sees the restored database, never a file swapped under it.
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        source.close()
    path.chmod(PRIVATE_FILE_MODE)
