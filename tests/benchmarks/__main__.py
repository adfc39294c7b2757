"""`make bench`: start-up time, memory and terminal traffic of desk-tui next to minimal Textual apps.

Everything runs in a real terminal against an API server the benchmark starts first
(``desk-tui serve --demo`` on a free loopback port), so the client is measured in remote-server
mode, as a desk that talks to a shared API:

* launch → painted: each app runs in a private tmux (80×24); the clock starts just before tmux
  is asked to start the process and stops when ``capture-pane`` (polled every 10 ms) first shows
  the expected text. The baseline, a Label and a Footer, is timed the same way in the same
  rounds (interleaved), so the ratio holds even when the machine is slower or busier.
* peak RSS: ``VmHWM`` of the app's own process (the pane runs it with ``exec``) once its screen
  has settled, just before ctrl+q.
* bytes per cursor move: the app runs on a pseudo-terminal we own (80×24); after each Down key
  everything the app writes until it has been quiet for a moment is counted. The baseline is a
  bare DataTable shaped like the Customers table.

Medians of ``--runs`` runs (after one warm-up run of each, not counted).
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import os
import platform
import pty
import select
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import baseline_app, baseline_table
from tests.support.tmux import Tmux

HERE = Path(__file__).resolve().parent
BIN = Path(os.path.abspath(sys.executable)).parent  # the venv's bin/, symlinks not resolved
DESK_TUI = BIN / "desk-tui"
PYTHON = os.path.abspath(sys.executable)
COLS, ROWS = 80, 24
STAFF = "Réka Tóth"

KEY_DOWN, KEY_F3, KEY_ENTER, KEY_CTRL_Q = b"\x1b[B", b"\x1bOR", b"\r", b"\x11"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the API server ----------------------------------------------------------------------------
class ApiServer:
    """``desk-tui serve --demo`` in a child process, on a SQLite file in our temp dir."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> ApiServer:
        for _attempt in range(3):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            log = open(self.work / "serve.log", "ab")
            self.proc = subprocess.Popen([str(DESK_TUI), "serve", "--demo", "--db", f"sqlite:///{self.work}/bench.db",
                                          "--port", str(port)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            log.close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"{self.url}/v1/health", timeout=2) as response:
                        if response.status == 200:
                            return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise RuntimeError("the API server did not start:\n" + (self.work / "serve.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# -- runs in tmux ------------------------------------------------------------------------------
def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


@dataclass
class Run:
    seconds: float
    rss_mib: float


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

    def measure(self, argv: list[str], env: dict[str, str], painted, settled=None, *, what: str) -> Run:
        """Seconds from launch until ``painted(screen)``; peak RSS once ``settled(screen)``; then quit."""
        start = self.launch(argv, env)
        self.tmux.wait_for_screen(painted, timeout=60, what=what)
        seconds = time.perf_counter() - start
        if settled is not None:
            self.tmux.wait_for_screen(settled, timeout=60, what=f"{what}, settled")
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


# -- runs on a pseudo-terminal -----------------------------------------------------------------
class PtyApp:
    """A process on a pty we own: count what it writes to the terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty is our controlling terminal; size it before the app asks
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.out = bytearray()
        self.eof = False

    def _read(self, timeout: float) -> int:
        if self.eof:
            return 0
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the app has gone
            data = b""
        if not data:
            self.eof = True
            return 0
        self.out += data
        return len(data)

    def wait_for(self, needle: bytes, timeout: float = 60) -> None:
        start = len(self.out)
        deadline = time.monotonic() + timeout
        while needle not in self.out[max(0, start - len(needle)):]:
            if self.eof or time.monotonic() > deadline:
                raise RuntimeError(f"{needle!r} never appeared; the app wrote {bytes(self.out[-400:])!r}")
            self._read(0.05)

    def quiet(self, quiet: float = 0.15, cap: float = 5.0) -> int:
        """Bytes written until nothing more came for ``quiet`` seconds."""
        total = 0
        deadline = time.monotonic() + cap
        while time.monotonic() < deadline:
            n = self._read(quiet)
            if n == 0:
                break
            total += n
        return total

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> float:
        """Quit with ctrl+q; the peak RSS read just before."""
        rss = vm_hwm_mib(self.pid)
        self.send(KEY_CTRL_Q)
        deadline = time.monotonic() + 30
        while not self.eof and time.monotonic() < deadline:
            self._read(0.1)
        if not self.eof:
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return rss


def bytes_per_move(argv: list[str], env: dict[str, str], *, ready: bytes, setup: list[tuple[bytes, bytes | None]],
                   moves: int) -> tuple[list[int], float]:
    """Launch, wait for ``ready``, press each setup key (waiting for its text, if any), then count
    the bytes each Down writes. The counts and the peak RSS."""
    app = PtyApp(argv, env)
    try:
        app.wait_for(ready)
        app.quiet()
        for key, needle in setup:
            app.send(key)
            if needle is not None:
                app.wait_for(needle)
            app.quiet()
        counts = []
        for _ in range(moves):
            app.send(KEY_DOWN)
            counts.append(app.quiet())
        return counts, app.close()
    except BaseException:
        if not app.eof:
            os.kill(app.pid, signal.SIGKILL)
            os.waitpid(app.pid, 0)
        raise


# -- the report --------------------------------------------------------------------------------
@dataclass
class Row:
    metric: str
    value: float
    baseline: float
    unit: str
    target: float | None = None

    def cells(self) -> list[str]:
        fmt = {"s": "{:.2f} s", "MiB": "{:.1f} MiB", "B": "{:.0f} B"}[self.unit]
        ratio = self.value / self.baseline if self.baseline else float("nan")
        target = f"≤ {self.target:g}×" if self.target else "—"
        verdict = "" if self.target is None else ("ok" if ratio <= self.target else "MISSED")
        return [self.metric, fmt.format(self.value), fmt.format(self.baseline), f"{ratio:.2f}×", target, verdict]


def table(rows: list[Row]) -> str:
    header = ["metric", "median", "baseline", "ratio", "target", ""]
    widths = [46, 11, 11, 8, 8, 0]
    lines = ["".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines += ["".join(c.ljust(w) for c, w in zip(row.cells(), widths)).rstrip() for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each app (default 7, at least 5)")
    parser.add_argument("--moves", type=int, default=20, help="cursor moves per run (default 20)")
    parser.add_argument("--pty-runs", type=int, default=5, help="runs of the cursor-move benchmark (default 5)")
    args = parser.parse_args(argv)
    if not DESK_TUI.exists():
        parser.error(f"{DESK_TUI} is missing: run make setup")
    for tool in ("tmux",):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (bash scripts/system-deps installs it)")

    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="desk-bench.", dir="/tmp"))
    server = ApiServer(work)
    terminal = Terminal()
    try:
        print(f"API server: starting desk-tui serve --demo ({work}) …", flush=True)
        server.start()
        base_env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "COLORTERM": "truecolor",
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "DESK_SERVER": server.url}
        login_env = {**base_env, "DESK_HOME": str(work / "home-login")}
        token_env = {**base_env, "DESK_HOME": str(work / "home-token"), "DESK_TOKEN_FILE": "true"}
        minimal = [PYTHON, str(HERE / "baseline_app.py")]
        desk = [str(DESK_TUI)]

        # Sign in once with the opt-in token file, so later launches go straight to the calendar.
        terminal.launch(desk, token_env)
        terminal.tmux.wait_for_screen(lambda s: "Sign in" in s and "Downtown" in s, timeout=60, what="login")
        terminal.tmux.type("reception")
        terminal.tmux.wait_for_screen("reception", what="the username")
        terminal.tmux.send("Enter")
        terminal.tmux.type("1111")
        terminal.tmux.send("Enter")
        terminal.tmux.wait_for_screen(STAFF, timeout=60, what="the calendar after signing in")
        terminal.quit()
        if not (work / "home-token" / "state" / "tokens.json").exists():
            raise RuntimeError("signing in did not store a token file (DESK_TOKEN_FILE=true)")

        def minimal_run() -> Run:
            return terminal.measure(minimal, base_env, baseline_app.READY, what="the minimal app")

        def login_run() -> Run:
            return terminal.measure(desk, login_env, "Sign in", lambda s: "Downtown" in s, what="the login screen")

        def calendar_run() -> Run:
            return terminal.measure(desk, token_env, lambda s: STAFF in s and "Calendar" in s,
                                    lambda s: "Bella Salon" in s, what="the calendar shell")

        runs: dict[str, list[Run]] = {"minimal": [], "login": [], "calendar": []}
        print(f"start-up: 1 warm-up + {args.runs} runs of each app, interleaved …", flush=True)
        for n in range(args.runs + 1):
            for name, fn in (("minimal", minimal_run), ("login", login_run), ("calendar", calendar_run)):
                run = fn()
                if n > 0:  # the first round warms the page cache and the .pyc files
                    runs[name].append(run)
        terminal.close()

        print(f"cursor moves: {args.pty_runs} runs of {args.moves} moves on each app …", flush=True)
        desk_moves: list[int] = []
        table_moves: list[int] = []
        desk_rss: list[float] = []
        table_rss: list[float] = []
        for _ in range(args.pty_runs):
            counts, rss = bytes_per_move(desk, {**os.environ, **token_env}, ready=STAFF.encode(),
                                         setup=[(KEY_F3, b"found"), (KEY_ENTER, None)], moves=args.moves)
            desk_moves += counts
            desk_rss.append(rss)
            counts, rss = bytes_per_move([PYTHON, str(HERE / "baseline_table.py")], {**os.environ, **base_env},
                                         ready=baseline_table.READY.encode(), setup=[], moves=args.moves)
            table_moves += counts
            table_rss.append(rss)
    finally:
        terminal.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    def med(name: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs[name])

    rows = [
        Row("launch → login painted", med("login", "seconds"), med("minimal", "seconds"), "s", 1.3),
        Row("launch, stored token → calendar painted", med("calendar", "seconds"), med("minimal", "seconds"), "s"),
        Row("peak RSS, login screen", med("login", "rss_mib"), med("minimal", "rss_mib"), "MiB", 1.5),
        Row("peak RSS, calendar shell", med("calendar", "rss_mib"), med("minimal", "rss_mib"), "MiB", 1.5),
        Row("peak RSS, customer list (vs DataTable app)", statistics.median(desk_rss), statistics.median(table_rss),
            "MiB"),
        Row("bytes written per cursor move (vs DataTable)", statistics.median(desk_moves),
            statistics.median(table_moves), "B"),
    ]
    import textual

    print()
    print(table(rows))
    print()
    print(f"{datetime.date.today().isoformat()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"Textual {textual.__version__} · {COLS}×{ROWS} · medians of {args.runs} runs "
          f"({args.pty_runs}×{args.moves} cursor moves) · {time.monotonic() - began:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
