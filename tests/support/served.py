"""`desk-tui serve` in a child process: the server as an operator runs it, several workers included.

The in-thread :class:`~tests.support.live_server.LiveServer` is quicker to start and lets a test
reach the server's objects; this one is for what only a real process shows: several uvicorn
workers over one PostgreSQL database, and a server killed with SIGKILL in the middle of a request.
"""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from tests.support.api_client import TLS
from tests.support.demo_copy import fill_with_demo
from tests.support.ports import free_port


def checkout_env(src: Path | None) -> dict[str, str]:
    """The environment of a server run from another checkout's ``src`` (None: this checkout's), put
    first on its PYTHONPATH: the benches' A/Bs serve two trees side by side."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(src) if src else "", os.environ.get("PYTHONPATH")]))}


class ServedAPI:
    def __init__(self, db_url: str, *, workers: int = 1, demo: bool = True, env: dict[str, str] | None = None,
                 port: int | None = None, args: Sequence[str] = (), scheme: str = "http",
                 verify: str | bool = True, product_pins: bool = False, module: str = "desk_tui") -> None:
        """``args``: more `serve` options; ``scheme`` and ``verify`` (a CA bundle): for one served over HTTPS.
        ``product_pins``: as LiveServer's. ``module``: what ``python -m`` runs `serve` from (make
        bench-api's own, tests/benchmarks/timed_server.py, adds a stopwatch to each worker)."""
        self.db_url = db_url
        self.product_pins = product_pins
        self.module = module
        self.workers = workers
        self.demo = demo
        self.port = port or free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.args = list(args)
        self.verify = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(f"/tmp/desk-served-{self.port}.log")

    def start(self, timeout: float = 180) -> ServedAPI:
        cmd = [sys.executable, "-m", self.module, "serve", "--db", self.db_url, "--port", str(self.port),
               "--workers", str(self.workers), *self.args]
        if self.demo:
            cmd.append("--demo")
            fill_with_demo(self.db_url, product_pins=self.product_pins)
        with self.log.open("ab") as out:
            # Its own process group, so kill() takes the uvicorn supervisor and every worker at once.
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()  # `with` never reaches __exit__ when __enter__ raises: the supervisor would live on
            raise
        return self

    def wait_ready(self, timeout: float = 180) -> None:
        """Until every worker can answer: a worker that is still importing makes the health check
        fail with a refused or reset connection, which is what we wait through."""
        deadline = time.monotonic() + timeout
        answered = 0
        # One client for every try, and a new connection each (no keep-alive), so each worker in
        # turn can answer: a client per try made a TLS context each time, 30–80 ms of CPU taken
        # from the server starting beside it, ten times a second (api_client.TLS).
        with httpx.Client(timeout=2, verify=TLS if self.verify is True else self.verify,
                          limits=httpx.Limits(max_keepalive_connections=0)) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"desk-tui serve exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
                try:
                    if http.get(f"{self.url}/v1/health").status_code == 200:
                        answered += 1
                        if answered >= self.workers * 2:
                            return
                        continue
                except httpx.TransportError:
                    pass
                # Not a sleep to synchronise on: the child has not bound its port yet, and
                # wait() returns at once if it exits instead.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(0.1)
        raise RuntimeError(f"desk-tui serve did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL to every process of the server: a power cut, as far as the database can tell."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> ServedAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
