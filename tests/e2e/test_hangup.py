"""The terminal goes away under a running desk (SSH dropped, tmux window closed): the app quits.

Each case runs the real `desk-tui` on the embedded demo server, on a pseudo-terminal the test
owns, waits for the login screen, then closes the terminal's master side:

* as the controlling terminal (what sshd and tmux give a program), the kernel sends SIGHUP;
* as a plain inherited terminal, no signal comes and only the input side sees the hang-up:
  before the fix Textual's input thread read end-of-file in a loop and spun a core for ever.

Either way the app must end with status 129 (128 + SIGHUP) and let go of the demo server,
which then stops too: nothing is left running.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pytest

from desk_tui.client.embedded import STATE_FILE
from desk_tui.processes import pid_alive
from tests.client.polling import wait_for_exit

DESK_TUI = Path(os.path.abspath(sys.executable)).parent / "desk-tui"


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = bytearray()
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} never appeared; the app wrote {bytes(seen[-300:])!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            seen += os.read(fd, 65536)
    return bytes(seen)


@pytest.fixture
def desk_home():
    home = tempfile.mkdtemp(prefix="desk-hangup.", dir="/tmp")
    yield Path(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize("controlling", [True, False], ids=["sighup", "no-signal"])
def test_the_app_quits_and_frees_the_demo_server_when_its_terminal_hangs_up(desk_home, controlling):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # setsid -c: a new session whose controlling terminal is this pty, as under sshd or tmux.
    argv = ["setsid", "-c", str(DESK_TUI)] if controlling else [str(DESK_TUI)]
    env = {**os.environ, "DESK_HOME": str(desk_home), "TERM": "xterm-256color",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    env.pop("DESK_SERVER", None)
    app = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                           start_new_session=not controlling)
    os.close(slave)
    server_pid = None
    try:
        _read_until(master, b"Downtown", timeout=60)  # the location list came from the demo server
        state = next(desk_home.rglob(STATE_FILE))
        server_pid = json.loads(state.read_text())["pid"]
        assert pid_alive(server_pid)

        os.close(master)
        master = None
        status = app.wait(timeout=15)
        assert status == 129, f"desk-tui ended with {status}, not the hang-up status 129"
        # The app released the demo server on the way out; with nobody left it stops as well.
        wait_for_exit(server_pid, timeout=20, what="the demo server to stop after the last app")
    finally:
        if master is not None:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()
        if server_pid is not None and pid_alive(server_pid):
            os.kill(server_pid, 9)
