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

Then the calendar on a busy salon (``busy_day``: 20 staff × 40 appointments a day at Downtown,
on six days), served by a second ``desk-tui serve`` on its own copy of the database:

* keystroke → repaint (``keystroke``): arrow keys through the busy day on a pty, p50 and p95
  of the time until the output goes quiet, next to a bare DataTable of the same shape;
* day switch (``calendar_flow``, a Pilot in this process): ``]`` to days never shown (cold)
  and ``[`` back to them (warm), until the grid holds the day;
* requests per checkout and F10 → receipt (``checkout_flow``): a member's credit covering an
  appointment at the till, counted at a LiveServer in this process.
* requests per booking (``calendar_flow``): a LiveServer in this process, wrapped in a request
  log, while the Pilot books from a package.
* live updates (``live_flow``): another desk's booking, from its 201 to this calendar's repaint
  (p50, p95), and the bytes and wake-ups per minute of a stream with nothing happening.

Medians of ``--runs`` runs (after one warm-up run of each, not counted).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import (
    baseline_app,
    baseline_table,
    busy_day,
    calendar_flow,
    checkout_flow,
    crash_rounds,
    keystroke,
    live_flow,
)
from tests.benchmarks.pty_app import COLS, KEY_DOWN, KEY_ENTER, ROWS, PtyApp, Response, vm_hwm_mib
from tests.support.tmux import Tmux

HERE = Path(__file__).resolve().parent
BIN = Path(os.path.abspath(sys.executable)).parent  # the venv's bin/, symlinks not resolved
DESK_TUI = BIN / "desk-tui"
PYTHON = os.path.abspath(sys.executable)
STAFF = "Réka Tóth"

KEY_F3 = b"\x1bOR"
#: busy days for the calendar benchmarks: the first, then one cold and one warm switch per further day
BUSY_DAYS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the API server ----------------------------------------------------------------------------
class ApiServer:
    """``desk-tui serve --demo`` in a child process, on a SQLite file in our temp dir (made if missing)."""

    def __init__(self, work: Path, db: str = "bench.db") -> None:
        self.work = work
        self.db = work / db
        self.log = work / f"{self.db.stem}.serve.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> ApiServer:
        for _attempt in range(3):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            log = open(self.log, "ab")  # noqa: SIM115 - the child writes to it for its whole life
            self.proc = subprocess.Popen([str(DESK_TUI), "serve", "--demo", "--db", f"sqlite:///{self.db}",
                                          "--port", str(port)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            log.close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"{self.url}/v1/health", timeout=2) as response:
                        if response.status == 200:
                            return self
                except OSError:
                    try:  # not listening yet: wait on the child itself, which ends the loop if it dies
                        self.proc.wait(0.05)
                    except subprocess.TimeoutExpired:
                        pass
            self.stop()
        raise RuntimeError("the API server did not start:\n" + self.log.read_text(errors="replace"))

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
        app.kill()
        raise


# -- the report --------------------------------------------------------------------------------
@dataclass
class Row:
    metric: str
    value: float
    baseline: float | None
    unit: str
    target: float | None = None
    absolute: bool = False
    """The target is a value (≤ target), not a ratio to the baseline."""

    def cells(self) -> list[str]:
        fmt = {"s": "{:.2f} s", "ms": "{:.0f} ms", "MiB": "{:.1f} MiB", "B": "{:.0f} B", "req": "{:.0f}"}[self.unit]
        ratio = self.value / self.baseline if self.baseline else None
        if self.target is None:
            target, verdict = "—", ""
        elif self.absolute:
            target, verdict = f"≤ {self.target:g}", "ok" if self.value <= self.target else "MISSED"
        else:
            target, verdict = f"≤ {self.target:g}×", "ok" if ratio is not None and ratio <= self.target else "MISSED"
        return [self.metric, fmt.format(self.value), "—" if self.baseline is None else fmt.format(self.baseline),
                "—" if ratio is None else f"{ratio:.2f}×", target, verdict]


def table(rows: list[Row]) -> str:
    header = ["metric", "median", "baseline", "ratio", "target", ""]
    widths = [46, 11, 11, 8, 8, 0]
    lines = ["".join(h.ljust(w) for h, w in zip(header, widths, strict=False)).rstrip()]
    lines += ["".join(c.ljust(w) for c, w in zip(row.cells(), widths, strict=False)).rstrip() for row in rows]
    return "\n".join(lines)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile, nearest rank: a value that was measured, never interpolated."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs of each app (default 7, at least 5)")
    parser.add_argument("--moves", type=int, default=20, help="cursor moves per run (default 20)")
    parser.add_argument("--pty-runs", type=int, default=5, help="runs of the cursor-move benchmark (default 5)")
    parser.add_argument("--walks", type=int, default=3,
                        help=f"walks of {len(keystroke.WALK)} keys through the busy day, per app (default 3)")
    parser.add_argument("--live-samples", type=int, default=20,
                        help="bookings by another desk timed to this calendar's repaint (default 20)")
    parser.add_argument("--switch-runs", type=int, default=2,
                        help=f"runs of {BUSY_DAYS - 1} cold and {BUSY_DAYS - 1} warm day switches (default 2)")
    parser.add_argument("--crash-rounds", type=int, default=5,
                        help="SIGKILL rounds of the exactly-once run on each engine (default 5; 0 skips it)")
    parser.add_argument("--crash-only", action="store_true", help="run only the exactly-once run")
    args = parser.parse_args(argv)
    if args.crash_only:
        return _crash(args.crash_rounds)
    if not DESK_TUI.exists():
        parser.error(f"{DESK_TUI} is missing: run make setup")
    for tool in ("tmux",):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (bash scripts/system-deps installs it)")

    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="desk-bench.", dir="/tmp"))
    server = ApiServer(work)
    busy = ApiServer(work, "busy.db")
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
        server.stop()

        days = [busy_day.FIRST_DAY + datetime.timedelta(days=n) for n in range(BUSY_DAYS)]
        print(f"busy salon: {busy_day.STAFF_COUNT} staff × {busy_day.PER_STAFF} appointments on each of "
              f"{BUSY_DAYS} days, through the service layer …", flush=True)
        salon = busy_day.build(str(work / "busy.db"), days)
        for suffix in ("", "-wal", "-shm"):  # the request-counting server gets its own copy
            if (work / f"busy.db{suffix}").exists():
                shutil.copy(work / f"busy.db{suffix}", work / f"count.db{suffix}")
        busy.start()
        print(f"keystroke → repaint: {args.walks} walks of {len(keystroke.WALK)} keys through the busy day, "
              "on each app …", flush=True)
        desk_keys: list[Response] = []
        table_keys: list[Response] = []
        for _ in range(args.walks):
            desk_keys += keystroke.desk_walk([str(DESK_TUI), "--server", busy.url], {**os.environ, **base_env},
                                             staff=STAFF, day=days[0], first_customer=salon.first_customer)
            table_keys += keystroke.baseline_walk(PYTHON, {**os.environ, **base_env})
        print(f"day switch: {args.switch_runs} runs of {BUSY_DAYS - 1} cold and {BUSY_DAYS - 1} warm switches …",
              flush=True)
        switches = calendar_flow.day_switches(busy.url, days[0], BUSY_DAYS - 1, args.switch_runs)
        busy.stop()
        print("requests per booking: booking from a package, counted at the server …", flush=True)
        booking = calendar_flow.booking_requests(work / "count.db", days[0])
        print(f"live updates: {args.live_samples} bookings by another desk, and an idle stream …", flush=True)
        live = live_flow.measure(work / "count.db", days[0] - datetime.timedelta(days=3), args.live_samples)
        print(f"checkout: {args.runs} member checkouts from the appointment, counted at the server …", flush=True)
        checkout = checkout_flow.checkout_requests(work / "checkout.db", args.runs)
    finally:
        terminal.close()
        server.stop()
        busy.stop()
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
    desk_ms = [r.settled * 1000 for r in desk_keys]
    table_ms = [r.settled * 1000 for r in table_keys]
    save = [r for r in booking.save if not booking.is_day_reload(r)]
    rows += [
        Row("keystroke → repaint p50, busy day (vs table)", percentile(desk_ms, 50), percentile(table_ms, 50),
            "ms"),
        Row("keystroke → repaint p95, busy day (vs table)", percentile(desk_ms, 95), percentile(table_ms, 95),
            "ms"),
        Row("day switch, cold: never shown", statistics.median(switches.cold) * 1000, None, "ms"),
        Row("day switch, warm: shown before (vs cold)", statistics.median(switches.warm) * 1000,
            statistics.median(switches.cold) * 1000, "ms"),
        Row("  … warm, until revalidated (vs cold)", statistics.median(switches.warm_revalidated) * 1000,
            statistics.median(switches.cold) * 1000, "ms"),
        Row("requests: customer chosen → packages shown", len(booking.packages), None, "req", 1, absolute=True),
        Row("requests: Save", len(save), None, "req", 1, absolute=True),
        Row("  … then the calendar's reload of the day", len(booking.save) - len(save), None, "req", 1,
            absolute=True),
        Row("requests: F4 on appointment → cart + banner", len(checkout.open), None, "req"),
        Row("requests: redeem a credit on a line", len(checkout.redeem), None, "req"),
        Row("requests: complete (fully covered)", len(checkout.complete), None, "req"),
        Row("checkout: F10 → receipt on screen", statistics.median(checkout.seconds_to_receipt) * 1000, None, "ms"),
        Row("live: other desk's 2xx → repaint here, p50", percentile(live.latency, 50) * 1000, None, "ms"),
        Row("live: other desk's 2xx → repaint here, p95", percentile(live.latency, 95) * 1000, None, "ms", 500,
            absolute=True),
        Row("live: idle stream, bytes per minute", live.ping_bytes * live.pings_per_minute, None, "B"),
        Row("live: idle stream, wake-ups per minute", live.pings_per_minute, None, "req"),
    ]
    import textual

    print()
    print(table(rows))
    print()
    print(f"{datetime.date.today().isoformat()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"Textual {textual.__version__} · {COLS}×{ROWS} · medians of {args.runs} runs "
          f"({args.pty_runs}×{args.moves} cursor moves) · {time.monotonic() - began:.0f} s in all")
    print(f"keystroke → repaint: {len(desk_ms)} keys on each app (first byte p50 "
          f"{percentile([r.first * 1000 for r in desk_keys], 50):.0f} ms, DataTable "
          f"{percentile([r.first * 1000 for r in table_keys], 50):.0f} ms) · day switch: "
          f"{len(switches.cold)} cold, {len(switches.warm)} warm, {salon.appointments} appointments in all")
    print("requests per booking, as the server saw them:")
    for step in ("search", "packages", "use", "save"):
        print(f"  {step:9} {', '.join(getattr(booking, step)) or '(none)'}")
    print("requests per checkout, as the server saw them:")
    for step in ("open", "redeem", "complete"):
        print(f"  {step:9} {', '.join(getattr(checkout, step)) or '(none)'}")
    return _crash(args.crash_rounds) if args.crash_rounds else 0


def _crash(rounds: int) -> int:
    print(f"\nexactly once: {rounds} SIGKILL rounds on each engine, 5 terminals redeeming …", flush=True)
    print(crash_rounds.table(crash_rounds.run(rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
