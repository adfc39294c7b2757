"""The support log: what went wrong, kept small, where `desk-tui doctor` can find it.

A TUI owns the terminal, so nothing may go to stderr while it runs; everything goes to a
rotating file instead. If that file cannot be opened (read-only home, full disk) the app still
starts — without a log, never without a front desk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 3


def setup_logging(log_file: Path, *, level: int = logging.INFO) -> Path | None:
    """Send this process's logs to ``log_file``; returns it, or None when it cannot be written."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_desk_tui", False)]:
        root.removeHandler(handler)
        handler.close()
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=False)
    except OSError:
        root.addHandler(logging.NullHandler())
        return None
    handler._desk_tui = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file


def last_error(log_file: Path) -> str | None:
    """The last ERROR/CRITICAL line of the log (rotated copies included), for support."""
    for path in [log_file] + [log_file.with_name(f"{log_file.name}.{i}") for i in range(1, BACKUPS + 1)]:
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in reversed(lines):
            if " ERROR " in line or " CRITICAL " in line:
                return line
    return None
