"""Start-up: launch → painted, and peak RSS, of desk-tui next to a minimal Textual app, in tmux.

Each app runs in a private tmux (80×24) as the pane's own process (``exec``, no shell in
between); the clock starts just before tmux is asked to start it and stops when
``capture-pane`` (polled every 10 ms) first shows the expected picture:

* the minimal app: its Label (``baseline_app``);
* the login screen, nobody signed in on this desk (a fresh home): the form, not only its title —
  "Sign in", the "Username" label and the user field's own placeholder (``login_painted``);
* the calendar, signed in once before on this desk (token file, as a desk without a keyring
  keeps it): the day's hour rows in the grid — "08:00" at the start of a row and the first
  staff column's name above them — not just the shell around them.

Peak RSS is ``VmHWM`` of the app's process once it has settled, just before ctrl+q: the login
screen's location list filled; for the calendar, the header naming the business *and* the
session confirmed by the server — the calendar is drawn from the cache before that, so the
moment it is painted would leave out the HTTP client; the app holding two connections to the
server (the live stream, opened only once the stored sign-in is confirmed, and the requests')
marks it. The three apps are run interleaved, round after round, so a busier moment of the
machine hits all three.
"""

from __future__ import annotations

import os
import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks import baseline_app
from tests.benchmarks.pty_app import COLS, ROWS, vm_hwm_mib
from tests.support.tmux import Tmux

#: the staff member who signs in, and the first column of the demo salon's calendar
RECEPTION, FIRST_COLUMN = "Réka Tóth", "Réka"
#: an hour row of the day grid: the time column, then a cell border
_HOUR_ROW = re.compile(r"^\W*(0[89]|1\d):00\s", re.MULTILINE)


def login_painted(screen: str) -> bool:
    """The sign-in form is on the screen: its title, and the user field with its label (since
    session 13; "Sign in" alone would also be met by a title drawn before the form)."""
    return "Sign in" in screen and "Username" in screen and "e.g. reception" in screen


def calendar_painted(screen: str) -> bool:
    """The grid's hour rows are on the screen (two of them, under the staff columns' header)."""
    return len(_HOUR_ROW.findall(screen)) >= 2 and FIRST_COLUMN in screen


def connections(pid: int, port: int) -> int:
    """Established TCP connections of process ``pid`` to ``port`` on this machine."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            if state == "01" and inode in inodes and int(remote.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


@dataclass
class Run:
    seconds: float
    rss_mib: float


@dataclass
class StartupRuns:
    minimal: list[Run] = field(default_factory=list)
    login: list[Run] = field(default_factory=list)
    calendar: list[Run] = field(default_factory=list)


class Terminal:
    """One tmux server for the whole benchmark; each run replaces the pane's process."""

    def __init__(self) -> None:
        self.tmux = Tmux(width=COLS, height=ROWS, name="desk-bench")

    def launch(self, argv: list[str], env: dict[str, str]) -> float:
        """Start ``argv`` as the pane's own process (exec: no shell in between); the start time."""
        command = "exec " + shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *argv])
        start = time.perf_counter()
        if not self.tmux.started:
            self.tmux.start(command)
        else:
            self.tmux.tmux("respawn-pane", "-k", "-t", self.tmux.session, command)
        return start

    def measure(self, argv: list[str], env: dict[str, str], painted, settled=None, *, what: str,
                until_connections: tuple[int, int] | None = None) -> Run:
        """Seconds from launch until ``painted(screen)``; peak RSS once ``settled(screen)`` (and
        ``until_connections`` = (port, n): n connections open to that port); then quit."""
        start = self.launch(argv, env)
        self.tmux.wait_for_screen(painted, timeout=60, what=what)
        seconds = time.perf_counter() - start
        if settled is not None:
            self.tmux.wait_for_screen(settled, timeout=60, what=f"{what}, settled")
        if until_connections is not None:
            pid, (port, n) = self.tmux.pane_pid, until_connections
            self.tmux.wait_for_screen(lambda _: connections(pid, port) >= n, timeout=60,
                                      what=f"{what}: {n} connections to the server")
        rss = vm_hwm_mib(self.tmux.pane_pid)
        self.quit()
        return Run(seconds, rss)

    def quit(self) -> None:
        self.tmux.send("C-q")
        status = self.tmux.wait_for_exit(timeout=30)
        if status not in (0, None):
            raise RuntimeError(f"the app exited with status {status}:\n{self.tmux.capture()}")

    def close(self) -> None:
        self.tmux.kill()


def measure(*, python: str, desk: list[str], base_env: dict[str, str], work: Path, runs: int) -> StartupRuns:
    """One warm-up round and ``runs`` measured rounds of the three apps, interleaved."""
    login_env = {**base_env, "DESK_HOME": str(work / "home-login")}
    token_env = {**base_env, "DESK_HOME": str(work / "home-token"), "DESK_TOKEN_FILE": "true"}
    minimal = [python, str(Path(baseline_app.__file__))]
    port = int(base_env["DESK_SERVER"].rsplit(":", 1)[1])
    terminal = Terminal()
    try:
        # Sign in once with the opt-in token file, so later launches go straight to the calendar.
        terminal.launch(desk, token_env)
        terminal.tmux.wait_for_screen(lambda s: "Sign in" in s and "Downtown" in s, timeout=60, what="login")
        terminal.tmux.type("reception")
        terminal.tmux.wait_for_screen("reception", what="the username")
        terminal.tmux.send("Enter")
        terminal.tmux.type("1111")
        terminal.tmux.send("Enter")
        terminal.tmux.wait_for_screen(calendar_painted, timeout=60, what="the calendar after signing in")
        terminal.tmux.wait_for_screen("Bella Salon", timeout=60, what="the business name")
        terminal.quit()
        if not (work / "home-token" / "state" / "tokens.json").exists():
            raise RuntimeError("signing in did not store a token file (DESK_TOKEN_FILE=true)")

        result = StartupRuns()
        apps = (
            (result.minimal, lambda: terminal.measure(minimal, base_env, baseline_app.READY, what="the minimal app")),
            (result.login, lambda: terminal.measure(desk, login_env, login_painted, lambda s: "Downtown" in s,
                                                    what="the login screen")),
            (result.calendar, lambda: terminal.measure(desk, token_env, calendar_painted,
                                                       lambda s: calendar_painted(s) and "Bella Salon" in s,
                                                       what="the calendar's hour rows",
                                                       until_connections=(port, 2))),
        )
        for n in range(runs + 1):
            for runs_of, run in apps:
                measured = run()
                if n > 0:  # the first round warms the page cache and the .pyc files
                    runs_of.append(measured)
        return result
    finally:
        terminal.close()
