"""The embedded demo server: a real child process, joined, released, and cleaned up after crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest

from desk_tui.client.embedded import STATE_FILE, ensure_embedded_server, read_state
from desk_tui.processes import pid_alive
from tests.client.polling import wait_for_exit


def test_a_second_app_joins_and_the_server_stops_after_the_last(home):
    first = ensure_embedded_server(home, idle_seconds=0.5)
    try:
        assert not first.joined and first.url.startswith("http://127.0.0.1:")
        assert httpx.get(first.url + "/v1/health").json()["demo"] is True
        second = ensure_embedded_server(home)
        assert second.joined and second.url == first.url and second.pid == first.pid
        first.release()
        # The second app still uses it: well past the idle time (0.5 s) the process has not exited.
        with pytest.raises(subprocess.TimeoutExpired):
            first.process.wait(timeout=2.0)
        assert httpx.get(second.url + "/v1/health").status_code == 200
        second.release()
        wait_for_exit(first.pid, what="the demo server to exit")
        assert not (home.state_dir / STATE_FILE).exists()
    finally:
        if pid_alive(first.pid):
            os.kill(first.pid, signal.SIGTERM)


def test_a_stale_state_file_does_not_block_a_new_start(home):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    home.state_dir.mkdir(parents=True)
    (home.state_dir / STATE_FILE).write_text(json.dumps(
        {"pid": dead.pid, "port": 9, "url": "http://127.0.0.1:9", "db": "sqlite:///gone.db"}))
    assert read_state(home) is None
    server = ensure_embedded_server(home, idle_seconds=0.5)
    try:
        assert not server.joined and server.pid != dead.pid
        assert httpx.get(server.url + "/v1/health").status_code == 200
    finally:
        server.release()
        wait_for_exit(server.pid, what="the demo server to exit")


def test_a_crashed_app_leaves_nothing_that_keeps_the_server_or_blocks_a_start(home):
    app = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom desk_tui.client.embedded import ensure_embedded_server\n"
         "from desk_tui.client.settings import Paths\n"
         "s = ensure_embedded_server(Paths.from_env(), idle_seconds=0.5)\n"
         "print(s.pid, flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        server_pid = int(app.stdout.readline())
        app.kill()  # no atexit, no release: its registration stays behind
        app.wait()
        wait_for_exit(server_pid, what="the orphaned demo server to exit")
        assert not (home.state_dir / STATE_FILE).exists()
        assert not list((home.state_dir / "embedded-clients").iterdir())
        again = ensure_embedded_server(home, idle_seconds=0.5)
        assert not again.joined and again.pid != server_pid
        again.release()
        wait_for_exit(again.pid, what="the new demo server to exit")
    finally:
        if app.poll() is None:
            app.kill()
