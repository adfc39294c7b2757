"""`desk-tui serve`: migrate, optionally seed the demo salon, and run the API under uvicorn."""

from __future__ import annotations

import logging
import os

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from desk_tui.server import heap, migrate
from desk_tui.server.app import ServerSettings, create_app
from desk_tui.server.database import PRIVATE_FILE_MODE, Database, sqlite_path
from desk_tui.server.demo import ACCOUNTS, seed_demo
from desk_tui.server.loopback import tcp_socket

log = logging.getLogger("desk_tui.server")


def default_db_url(demo: bool) -> str:
    from platformdirs import user_data_path

    folder = user_data_path("desk-tui", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / ('demo.db' if demo else 'desk.db')}"


def prepare(db_url: str, *, demo: bool) -> Database:
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A file made by an older version is world-readable: its owner's alone from now on.
        for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if existing.exists():
                existing.chmod(PRIVATE_FILE_MODE)
    db = Database(db_url)
    migrate.upgrade(db.engine)
    if demo:
        with db.transaction() as s:
            if seed_demo(s):
                log.info("seeded the demo salon")
    return db


def run(*, db_url: str | None, host: str, port: int, demo: bool, workers: int = 1, quiet: bool = False) -> None:
    db_url = db_url or default_db_url(demo)
    db = prepare(db_url, demo=demo)
    if not quiet:
        print(f"desk-tui API on http://{host}:{port}/v1  (database: {_safe(db_url)})", flush=True)
        if demo:
            accounts = ", ".join(f"{u} / PIN {p} ({r})" for u, p, r, _ in ACCOUNTS)
            print(f"Demo accounts: {accounts}", flush=True)
    if workers > 1:
        db.dispose()
        os.environ["DESK_SERVER_DB"] = db_url
        os.environ["DESK_SERVER_DEMO"] = "1" if demo else ""
        os.environ["DESK_SERVER_WORKERS"] = str(workers)
        config = uvicorn.Config("desk_tui.server.serve:app_from_env", factory=True, host=host, port=port,
                                workers=workers, log_level="warning", access_log=False)
        # Our socket, not uvicorn's: its workers' connections then get TCP_NODELAY (see loopback.py).
        Multiprocess(config, sockets=[tcp_socket(host, port, reuse=True)]).run()
        return
    app = create_app(ServerSettings(db_url=db_url, demo=demo), database=db)
    heap.settle()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def app_from_env() -> FastAPI:
    """uvicorn --factory entry for several API workers over one (PostgreSQL) database."""
    app = create_app(ServerSettings(db_url=os.environ["DESK_SERVER_DB"], demo=bool(os.environ.get("DESK_SERVER_DEMO")),
                                    workers=int(os.environ.get("DESK_SERVER_WORKERS") or 1)))
    heap.settle()
    return app


def _safe(url: str) -> str:
    """The URL without its password, for logs and banners."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url
