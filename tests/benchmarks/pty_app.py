"""Apps on a pseudo-terminal we own: what they write, and how soon after a key.

Shared by the cursor-move benchmarks: bytes per move (``__main__``) and keystroke → repaint
latency (``keystroke``).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from dataclasses import dataclass
from pathlib import Path

COLS, ROWS = 80, 24
KEY_DOWN, KEY_RIGHT, KEY_ENTER, KEY_CTRL_Q = b"\x1b[B", b"\x1b[C", b"\r", b"\x11"


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


@dataclass(frozen=True)
class Response:
    """What one key caused: seconds until the first byte and until the output went quiet, and bytes."""

    first: float
    settled: float
    bytes: int


class PtyApp:
    """A process on a pty we own: count what it writes to the terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], *, cols: int = COLS, rows: int = ROWS) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty is our controlling terminal; size it before the app asks
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
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

    def wait_for(self, needle: bytes, timeout: float = 60, *, since: int | None = None) -> None:
        """Read until ``needle`` has been written (since offset ``since`` of the output, or from now)."""
        start = len(self.out) if since is None else since
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

    def respond(self, keys: bytes, *, gap: float = 0.03, cap: float = 5.0) -> Response:
        """Send ``keys``; when the first byte of the answer came and when the output went quiet.

        Quiet means nothing for ``gap`` seconds: ``settled`` is when the last byte before that
        silence arrived, so the silence itself is not counted."""
        sent = time.perf_counter()
        self.send(keys)
        first = last = None
        total = 0
        while True:
            wait = gap if first is not None else max(0.0, sent + cap - time.perf_counter())
            n = self._read(wait)
            if n == 0:
                break
            last = time.perf_counter()
            first = first or last
            total += n
        if first is None:
            raise RuntimeError(f"no answer to {keys!r} within {cap} s")
        return Response(first - sent, last - sent, total)

    def kill(self) -> None:
        """For the error path: end the app without ceremony."""
        if not self.eof:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)

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
