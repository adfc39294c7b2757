"""A real terminal for end-to-end tests and benchmarks: one tmux server on a private socket.

Every instance has its own socket (``tmux -L``), so killing it never touches anyone else's
tmux sessions, and its own empty config (no user ``~/.tmux.conf`` changes what we see). The
pane stays after its command exits (``remain-on-exit``) so a test can read the exit status.

Waiting is polling to a deadline (``wait_for_screen``), never sleeping as synchronisation.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

#: Between two captures of the screen; short enough that a benchmark can use it too.
POLL_SECONDS = 0.01


class Tmux:
    def __init__(self, *, width: int = 80, height: int = 24, name: str = "desk") -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (bash scripts/system-deps installs it)")
        self.width = width
        self.height = height
        self.socket = f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.session = name
        self._dir = Path(tempfile.mkdtemp(prefix="desk-tmux.", dir="/tmp"))
        self._conf = self._dir / "tmux.conf"
        self._conf.write_text("set -g remain-on-exit on\nset -g history-limit 0\nset -g status off\n")
        self.started = False
        self._pause = threading.Event()  # never set: .wait(t) is a pause between polls

    # -- low level ---------------------------------------------------------------------------
    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        # -u: the pane's text is UTF-8 even where the caller's locale does not say so (CI).
        env = {**os.environ, "LANG": "C.UTF-8"}
        env.pop("TMUX", None)  # started from inside another tmux: still use our own server
        return subprocess.run(["tmux", "-u", "-L", self.socket, "-f", str(self._conf), *args], check=check,
                              capture_output=True, text=True, env=env)

    def start(self, command: str | list[str], *, env: dict[str, str] | None = None) -> None:
        """Run ``command`` (a shell string or an argv list) in a new WIDTHxHEIGHT session."""
        if not isinstance(command, str):
            command = shlex.join(command)
        if env:
            command = shlex.join(["env", *(f"{k}={v}" for k, v in env.items())]) + " " + command
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(self.width), "-y", str(self.height), command)
        self.started = True

    def capture(self) -> str:
        """The visible screen as text, one line per row (trailing spaces trimmed by tmux)."""
        result = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout if result.returncode == 0 else ""

    def send(self, *keys: str) -> None:
        """tmux key names: ``"Enter"``, ``"F3"``, ``"C-q"``, ``"Down"``."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Literal text, as typed."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def pane(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.session, fmt).stdout.strip()

    @property
    def pane_pid(self) -> int:
        return int(self.pane("#{pane_pid}"))

    @property
    def exited(self) -> bool:
        """The pane's command has ended (or the server is gone)."""
        result = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        return result.returncode != 0 or result.stdout.strip() == "1"

    @property
    def exit_status(self) -> int | None:
        result = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead_status}", check=False)
        text = result.stdout.strip()
        return int(text) if result.returncode == 0 and text.lstrip("-").isdigit() else None

    # -- waiting -----------------------------------------------------------------------------
    def wait_for_screen(self, predicate: Callable[[str], bool] | str, timeout: float = 20.0,
                        what: str | None = None) -> str:
        """Re-capture the screen until ``predicate(screen)`` holds (a str means "appears on it");
        returns that screen, or fails after ``timeout`` seconds showing the last one seen."""
        if isinstance(predicate, str):
            needle = predicate
            what = what or repr(needle)
            predicate = lambda screen: needle in screen  # noqa: E731
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what or 'the screen'}; "
                                     f"the screen was:\n{screen}")
            self._pause.wait(POLL_SECONDS)

    def wait_for_exit(self, timeout: float = 20.0) -> int | None:
        """Wait until the pane's command ends; its exit status (None if unknown)."""
        deadline = time.monotonic() + timeout
        while not self.exited:
            if time.monotonic() > deadline:
                raise AssertionError(f"the command in tmux did not end within {timeout} s; "
                                     f"the screen was:\n{self.capture()}")
            self._pause.wait(POLL_SECONDS)
        return self.exit_status

    # -- teardown ----------------------------------------------------------------------------
    def kill(self) -> None:
        """Stop our own tmux server (only ours: it has a private socket) and its files."""
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
