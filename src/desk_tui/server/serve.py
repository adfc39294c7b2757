"""`desk-tui serve`: migrate, optionally seed the demo salon, and run the API under uvicorn."""

from __future__ import annotations

import logging
import os
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from desk_tui.server import heap, migrate
from desk_tui.server.app import create_app
from desk_tui.server.database import PRIVATE_FILE_MODE, Database, sqlite_path
from desk_tui.server.demo import ACCOUNTS, seed_demo
from desk_tui.server.logs import log_config
from desk_tui.server.loopback import tcp_socket
from desk_tui.server.route_build import build_routes
from desk_tui.server.settings import (
    GivenSettings,
    ServerSettings,
    default_db_url,
    describe,
    load_server_settings,
    safe_url,
)

__all__ = ["app_from_env", "default_db_url", "prepare", "print_settings", "run"]

log = logging.getLogger("desk_tui.server")

#: How the supervisor hands its effective settings to the worker processes it starts: the
#: workers must not read DESK_SERVER_* again, or a flag given to `serve` would be lost.
WORKER_SETTINGS_ENV = "DESK_SERVER_WORKER_SETTINGS"


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


def print_settings(settings: ServerSettings) -> None:
    rows = describe(settings)
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"{name:<{width}}{value}")


def uvicorn_options(settings: ServerSettings) -> dict[str, Any]:
    """What uvicorn itself is told: logging, the trusted proxies and the certificate."""
    return {
        "log_config": log_config(settings),
        "log_level": None,  # the levels are in log_config (uvicorn's would silence the access log)
        "access_log": settings.access_log,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "ssl_certfile": str(settings.ssl_certfile) if settings.ssl_certfile else None,
        "ssl_keyfile": str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
    }


def run(settings: ServerSettings, *, quiet: bool = False) -> None:
    db = prepare(settings.db_url, demo=settings.demo)
    if not quiet:
        print(f"desk-tui API on {settings.scheme}://{settings.host}:{settings.port}/v1  "
              f"(database: {safe_url(settings.db_url)})", flush=True)
        if settings.demo:
            accounts = ", ".join(f"{u} / PIN {p} ({r})" for u, p, r, _ in ACCOUNTS)
            print(f"Demo accounts: {accounts}", flush=True)
    options = uvicorn_options(settings)
    if settings.workers > 1:
        db.dispose()
        os.environ[WORKER_SETTINGS_ENV] = settings.handed_down()
        config = uvicorn.Config("desk_tui.server.serve:app_from_env", factory=True, host=settings.host,
                                port=settings.port, workers=settings.workers, **options)
        # Our socket, not uvicorn's: its workers' connections then get TCP_NODELAY (see loopback.py).
        Multiprocess(config, sockets=[tcp_socket(settings.host, settings.port, reuse=True)]).run()
        return
    app = create_app(settings, database=db)
    build_routes(app)
    heap.settle()
    uvicorn.run(app, host=settings.host, port=settings.port, **options)


def app_from_env() -> FastAPI:
    """uvicorn --factory entry for several API workers over one (PostgreSQL) database: the
    settings `serve` handed down, or (uvicorn run by hand) DESK_SERVER_* themselves."""
    handed_down = os.environ.get(WORKER_SETTINGS_ENV)
    settings = GivenSettings.model_validate_json(handed_down) if handed_down else load_server_settings()
    app = create_app(settings)
    build_routes(app)
    heap.settle()
    return app
