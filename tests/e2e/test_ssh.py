"""Remote support, end to end: the app runs on a desk reached through a real ssh session.

A throwaway sshd on loopback, a real API server, and the ssh client running inside tmux
(80×24), because ``ssh -t`` without a terminal of its own gives the app a 0×0 screen. The
test types like a person and reads the screen as a person sees it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer
from tests.support.sshd import Sshd
from tests.support.tmux import Tmux

pytestmark = pytest.mark.ssh

#: The desk-tui of the environment running the tests (its venv's bin/, symlinks not resolved).
DESK_TUI = Path(os.path.abspath(sys.executable)).parent / "desk-tui"


@pytest.fixture(scope="session")
def sshd():
    with Sshd() as server:
        yield server


@pytest.fixture(scope="session")
def ssh_api():
    tmp = tempfile.mkdtemp(prefix="desk-ssh-db.", dir="/tmp")
    try:
        with LiveServer(f"sqlite:///{tmp}/ssh.db", demo=True) as server:
            yield server
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def desk_home():
    # Under /tmp, readable by the ssh session's user (pytest's tmp_path root is root-only).
    home = tempfile.mkdtemp(prefix="desk-ssh-home.", dir="/tmp")
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def terminal():
    with Tmux(width=80, height=24, name="desk-ssh") as tmux:
        yield tmux


def test_support_signs_in_over_ssh_and_reaches_the_calendar(sshd, ssh_api, desk_home, terminal):
    assert DESK_TUI.exists(), f"{DESK_TUI} is missing: install the project into this venv (make setup)"
    # The app's own exit status, written on the remote side: it does not depend on tmux still
    # being able to report the status of the pane's ssh client once the session has ended.
    status_file = Path(desk_home) / "exit-status"
    remote = shlex.join(["env", f"DESK_HOME={desk_home}", f"DESK_SERVER={ssh_api.url}",
                         "PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring", "TERM=xterm-256color",
                         str(DESK_TUI)]) + f"; echo $? > {shlex.quote(str(status_file))}"
    terminal.start(sshd.ssh_command(remote))

    login = terminal.wait_for_screen(lambda s: "Sign in" in s and "Username" in s, timeout=30,
                                     what="the login screen")
    assert "PIN" in login
    # The location list arrives from the server; signing in before it would have nowhere to go.
    terminal.wait_for_screen("Downtown", what="the location picker filled from the server")

    terminal.type("reception")  # the Username field has the focus
    terminal.wait_for_screen("reception", what="the typed username")
    terminal.send("Enter")
    terminal.type("1111")
    terminal.send("Enter")

    # The business name arrives with the salon's settings, a moment after the staff name.
    shell = terminal.wait_for_screen(lambda s: "Réka Tóth (reception)" in s and "F3 Customers" in s
                                     and "Bella Salon & Spa" in s,
                                     what="the calendar shell with the signed-in staff")
    lines = shell.splitlines()
    assert "Bella Salon & Spa · Downtown" in lines[0]
    assert "Réka Tóth (reception)" in lines[0]
    assert "F2 Calendar" in lines[1] and "F3 Customers" in lines[1], lines[1]  # the F-key bar
    assert "Calendar" in shell
    # Headless over ssh: no keyring, and the app says so instead of failing or writing a secret.
    terminal.wait_for_screen(lambda s: "keyring" in s, what="the no-keyring notice")

    terminal.send("F3")
    customers = terminal.wait_for_screen("Search: name, phone, email or card number", what="the Customers screen")
    assert "▸F3 Customers" in customers

    screen = terminal.capture()
    terminal.send("C-q")
    terminal.wait_for_exit(timeout=20)
    status = status_file.read_text().strip() if status_file.exists() else "unknown (no status written)"
    assert status == "0", f"desk-tui ended with status {status}; the screen before ctrl+q was:\n{screen}"
