"""The embedded demo server: the child process `desk-tui` starts when no server is configured.

It lives exactly as long as some app uses it. Every app registers a file named after its pid
in ``--clients-dir``; once a second this process removes the files of processes that no longer
exist, and when none is left for ``--idle-seconds`` it exits and removes its state file. So a
crashed app leaves nothing behind that keeps the server up or blocks the next start, and a
second app (support over SSH) simply adds its own file and joins.

The decision to exit is taken under the same lock apps hold while they decide to join, so an
app can never join a server that is already on its way out. The lock is only tried, never
waited for: an app holds it while it starts a server, and this process must not hang on it.

Run as ``python -m desk_tui.server.embedded --db URL --state-file F --clients-dir D --lock-file L``;
it binds 127.0.0.1 on a free port and writes ``{pid, port, url, db}`` to the state file (atomically)
once it answers requests.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from filelock import FileLock, Timeout

from desk_tui.files import write_atomically
from desk_tui.processes import pid_alive
from desk_tui.server.app import create_app
from desk_tui.server.loopback import loopback_socket
from desk_tui.server.serve import prepare
from desk_tui.server.settings import GivenSettings

log = logging.getLogger("desk_tui.server.embedded")


def live_clients(clients_dir: Path) -> int:
    """Count registered apps that still run, removing the files of those that do not."""
    alive = 0
    for entry in clients_dir.glob("*"):
        try:
            pid = int(entry.name.split("-", 1)[0])
        except ValueError:
            continue
        if pid_alive(pid):
            alive += 1
        else:
            log.info("app %s is gone; removing its registration", pid)
            entry.unlink(missing_ok=True)
    return alive


def _write_state(path: Path, state: dict[str, object]) -> None:
    write_atomically(path, json.dumps(state))


def _remove_state_if_ours(path: Path) -> None:
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            self._on_ready()


def _watch(server: _Server, *, clients_dir: Path, lock_file: Path, state_file: Path, idle: float,
           interval: float) -> None:
    last_seen = time.monotonic()
    while not server.should_exit:
        time.sleep(interval)
        if live_clients(clients_dir):
            last_seen = time.monotonic()
            continue
        if time.monotonic() - last_seen < idle:
            continue
        lock = FileLock(lock_file)  # the apps' lock (client/embedded.py)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # an app is deciding to join right now; look again next tick
        try:
            if live_clients(clients_dir):
                last_seen = time.monotonic()
                continue
            log.info("no app has used the demo server for %.0f s; stopping", idle)
            _remove_state_if_ours(state_file)
            server.should_exit = True
        finally:
            lock.release()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="desk_tui.server.embedded")
    p.add_argument("--db", required=True)
    p.add_argument("--state-file", type=Path, required=True)
    p.add_argument("--clients-dir", type=Path, required=True)
    p.add_argument("--lock-file", type=Path, required=True)
    p.add_argument("--idle-seconds", type=float, default=3.0)
    p.add_argument("--interval", type=float, default=1.0)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args.clients_dir.mkdir(parents=True, exist_ok=True)

    database = prepare(args.db, demo=True)
    # Not from DESK_SERVER_*: those are for the operator's `serve`; a desk's own demo must not
    # inherit, say, allowed hosts meant for the back-office server.
    app = create_app(GivenSettings(db_url=args.db, demo=True), database=database)
    sock = loopback_socket()
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    def ready() -> None:
        _write_state(args.state_file, {"pid": os.getpid(), "port": port, "url": url, "db": args.db})
        log.info("demo server ready on %s (database %s)", url, args.db)

    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"), ready)
    watcher = threading.Thread(target=_watch, kwargs={"server": server, "clients_dir": args.clients_dir,
                               "lock_file": args.lock_file, "state_file": args.state_file, "idle": args.idle_seconds,
                               "interval": args.interval}, name="clients-watch", daemon=True)
    watcher.start()
    try:
        server.run(sockets=[sock])
    finally:
        _remove_state_if_ours(args.state_file)
        sock.close()
        database.dispose()
        log.info("demo server stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
