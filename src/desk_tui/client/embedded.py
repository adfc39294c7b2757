"""Find or start the embedded demo server, without ever importing the server into this process.

Apps on one machine share one demo server over one SQLite file: under a lock, an app joins
the server named in ``embedded.json`` if that process is alive and answers, and otherwise
starts ``python -m desk_tui.server.embedded`` in its own session (so a Ctrl+C here cannot kill
a server another app still uses). Either way it registers itself in the clients dir; the
server stops by itself when no registered app is alive any more (see
:mod:`desk_tui.server.embedded` for that half of the protocol).

Blocking on purpose: the UI calls it from a worker thread while it draws the login screen.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from filelock import FileLock

from desk_tui.client.paths import Paths
from desk_tui.contract.common import JSONObject
from desk_tui.processes import pid_alive

log = logging.getLogger(__name__)

STATE_FILE = "embedded.json"
LOCK_FILE = "embedded.lock"
CLIENTS_DIR = "embedded-clients"
SERVER_LOG = "embedded-server.log"


class EmbeddedServerError(OSError):
    """The demo server could not be started; the message says where its log is. An OSError,
    like the other ways starting it can fail (no space, unwritable data dir)."""


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url}/v1/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def read_state(paths: Paths) -> JSONObject | None:
    """The running embedded server's ``{pid, port, url, db}``, if its process is alive."""
    try:
        state = json.loads((paths.state_dir / STATE_FILE).read_text())
        pid, url = int(state["pid"]), str(state["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if pid_alive(pid) and url.startswith("http://127.0.0.1:") else None


@dataclass
class EmbeddedServer:
    url: str
    pid: int
    port: int
    db: str
    joined: bool
    client_file: Path
    log_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def release(self) -> None:
        """This app no longer needs the server; it stops once no other app does."""
        self.client_file.unlink(missing_ok=True)


#: what `python -m desk_tui.server.embedded` needs that a desk's own install does not have
SERVER_EXTRA = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "argon2", "pydantic_settings")
#: said on the sign-in screen after "The demo server could not start (…)."
MISSING_EXTRA = ("the server part of desk-tui is not installed here: add it with pip install 'desk-tui[server]', "
                 "or point desk-tui at a booking server with --server URL")


def _refuse_without_the_server_extra() -> None:
    """Said before a demo server is started that could only fail with an ImportError in its log.
    find_spec looks the packages up without importing them (that would cost the desk ≈0.5 s)."""
    missing = [name for name in SERVER_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        log.warning("no demo server: %s not installed", ", ".join(missing))
        raise EmbeddedServerError(MISSING_EXTRA)


def _register(clients_dir: Path) -> Path:
    clients_dir.mkdir(parents=True, exist_ok=True)
    # pid first (the server checks it is alive); a suffix because one process may hold several.
    path = clients_dir / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    path.touch()
    return path


def _spawn(paths: Paths, *, idle_seconds: float, log_file: Path) -> subprocess.Popen[bytes]:
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "desk_tui.server.embedded",
           "--db", f"sqlite:///{paths.data_dir / 'demo.db'}",
           "--state-file", str(paths.state_dir / STATE_FILE),
           "--clients-dir", str(paths.state_dir / CLIENTS_DIR),
           "--lock-file", str(paths.state_dir / LOCK_FILE),
           "--idle-seconds", str(idle_seconds)]
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)
    # Collect its exit status when it stops, so it never lingers as a zombie of this app.
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return proc


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(proc: subprocess.Popen[bytes], paths: Paths, deadline: float, log_file: Path) -> JSONObject:
    while True:
        state = read_state(paths)
        if state is not None and state.get("pid") == proc.pid and healthy(state["url"], timeout=1.0):
            return state
        if proc.poll() is not None:
            raise EmbeddedServerError(f"The demo server stopped while starting (exit {proc.returncode}); "
                                      f"see {log_file}:\n{_log_tail(log_file)}")
        if time.monotonic() > deadline:
            proc.terminate()
            raise EmbeddedServerError(f"The demo server did not start in time; see {log_file}.")
        time.sleep(0.05)


def ensure_embedded_server(paths: Paths, *, timeout: float = 60.0, idle_seconds: float = 3.0) -> EmbeddedServer:
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    log_file = paths.log_dir / SERVER_LOG
    # An OS lock on the file (flock, or LockFileEx on Windows): released when this process ends,
    # even if it crashes; the demo server takes the same one (server/embedded.py).
    with FileLock(paths.state_dir / LOCK_FILE):
        client_file = _register(paths.state_dir / CLIENTS_DIR)
        try:
            state = read_state(paths)
            if state is not None and healthy(state["url"]):
                server = EmbeddedServer(url=state["url"], pid=int(state["pid"]), port=int(state["port"]),
                                        db=str(state.get("db", "")), joined=True, client_file=client_file,
                                        log_file=log_file)
                log.info("joined the demo server at %s (pid %s)", server.url, server.pid)
            else:
                _refuse_without_the_server_extra()
                (paths.state_dir / STATE_FILE).unlink(missing_ok=True)  # stale: its process is gone or mute
                proc = _spawn(paths, idle_seconds=idle_seconds, log_file=log_file)
                state = _wait_ready(proc, paths, time.monotonic() + timeout, log_file)
                server = EmbeddedServer(url=state["url"], pid=proc.pid, port=int(state["port"]),
                                        db=str(state.get("db", "")), joined=False, client_file=client_file,
                                        log_file=log_file, process=proc)
                log.info("started the demo server at %s (pid %s)", server.url, server.pid)
        except BaseException:
            client_file.unlink(missing_ok=True)
            raise
    atexit.register(server.release)
    return server
