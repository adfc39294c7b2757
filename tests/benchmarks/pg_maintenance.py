"""What PostgreSQL did on its own during a phase of `make bench-api`: autovacuums, autoanalyzes
and checkpoints, each with when it ran, from the cluster's log, so a slow answer can be put
beside them.

The bench's cluster is told to log every one of them (``log_autovacuum_min_duration = 0``,
``log_checkpoints``, times in UTC); each log entry is written when the work ends and says how
long it took (``elapsed: 0.05 s``, ``total=1.2 s``), which gives its interval.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

_ENTRY = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[\d+\] LOG:\s+(.*)$")
_WHAT = re.compile(r'automatic (?:aggressive )?(vacuum|analyze) of table "[^"]*?\.?([^".]+)"|(checkpoint) complete')
_TOOK = re.compile(r"elapsed: ([\d.]+) s|total=([\d.]+) s")


@dataclass(frozen=True)
class Work:
    """One piece of PostgreSQL's own work, on the ``time.monotonic`` clock."""

    what: str
    start: float
    end: float


def log_everything(admin_url: str) -> None:
    """Every autovacuum, autoanalyze and checkpoint in the log, stamped in UTC (a reload, no restart)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for setting in ("log_autovacuum_min_duration = 0", "log_checkpoints = on", "log_timezone = 'UTC'"):
            conn.execute(f"ALTER SYSTEM SET {setting}")
        conn.execute("SELECT pg_reload_conf()")


def read(log: Path, since: float, until: float) -> list[Work]:
    """The work that overlapped [``since``, ``until``] (monotonic seconds), from the log at ``log``."""
    offset = time.time() - time.monotonic()
    found: list[Work] = []
    pending: tuple[str, float] | None = None
    for line in log.read_text(errors="replace").splitlines():
        entry = _ENTRY.match(line)
        if entry:
            pending = None
            what = _WHAT.search(entry.group(2))
            if what:
                ended = datetime.strptime(entry.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()
                name = "checkpoint" if what.group(3) else f"{what.group(1)} {what.group(2)}"
                pending = (name, ended - offset)
                line = entry.group(2)  # a checkpoint's figures are on its own line
        if pending is not None and (took := _TOOK.search(line)):
            name, end = pending
            seconds = float(took.group(1) or took.group(2))
            if end >= since and end - seconds <= until:
                found.append(Work(name, end - seconds, end))
            pending = None
    return found


def summary(works: list[Work]) -> str:
    vacuums = sorted({w.what.split()[1] for w in works if w.what.startswith("vacuum")})
    analyzes = sorted({w.what.split()[1] for w in works if w.what.startswith("analyze")})
    checkpoints = [w for w in works if w.what == "checkpoint"]
    return (f"PostgreSQL meanwhile: autovacuum of {', '.join(vacuums) or 'nothing'}; autoanalyze of "
            f"{', '.join(analyzes) or 'nothing'}; {len(checkpoints)} checkpoints "
            f"({sum(w.end - w.start for w in works):.1f} s of such work in all)")
