"""What PostgreSQL did during a phase of `make bench-api`, from the cluster's log, so a slow
answer can be put beside it: its own work (autovacuums, autoanalyzes, checkpoints, each with
when it ran), and, per backend, every statement that took ``SLOW_STATEMENT_MS`` or more by
PostgreSQL's own clock and every wait for a lock longer than ``LOCK_WAIT_MS``.

The bench's cluster (never the product's) is told to log all of them
(``log_autovacuum_min_duration = 0``, ``log_checkpoints``, ``log_min_duration_statement``,
``log_lock_waits`` with a short ``deadlock_timeout``, times in UTC, each line with its backend's
pid); each entry is written when the work ends and says how long it took (``elapsed: 0.05 s``,
``total=1.2 s``, ``duration: 7.1 ms``, ``acquired … after 12.0 ms``), which gives its interval.
A slow answer's Server-Timing names its backend (``pgpid``, tests/benchmarks/timed_server.py),
so what PostgreSQL logged for it is found by pid and time (tests/benchmarks/tails.py).
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
_PID = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[(\d+)\] LOG:\s+(.*)$")
_DURATION = re.compile(r"duration: ([\d.]+) ms")
_LOCK = re.compile(r"process \d+ (still waiting for|acquired) (\S+) .* after ([\d.]+) ms")

#: a statement PostgreSQL logs with its duration (its own time: parse, plan, run, send)
SLOW_STATEMENT_MS = 5
#: a lock wait PostgreSQL logs (``deadlock_timeout``, which is also when a deadlock check runs)
LOCK_WAIT_MS = 5


@dataclass(frozen=True)
class Work:
    """One piece of PostgreSQL's own work, on the ``time.monotonic`` clock."""

    what: str
    start: float
    end: float


@dataclass(frozen=True)
class Logged:
    """A statement or a lock wait of one backend that PostgreSQL logged, on the monotonic clock."""

    pid: int
    #: "statement", "lock waiting" (still waiting after LOCK_WAIT_MS) or "lock acquired"
    what: str
    ms: float
    end: float


def log_everything(admin_url: str) -> None:
    """Every autovacuum, autoanalyze and checkpoint in the log, stamped in UTC (a reload, no restart)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for setting in ("log_autovacuum_min_duration = 0", "log_checkpoints = on", "log_timezone = 'UTC'",
                        "log_line_prefix = '%m [%p] '", f"log_min_duration_statement = {SLOW_STATEMENT_MS}",
                        "log_lock_waits = on", f"deadlock_timeout = '{LOCK_WAIT_MS}ms'"):
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


def per_backend(log: Path, since: float, until: float) -> list[Logged]:
    """The statements and lock waits PostgreSQL logged between ``since`` and ``until`` (monotonic)."""
    offset = time.time() - time.monotonic()
    found = []
    for line in log.read_text(errors="replace").splitlines():
        entry = _PID.match(line)
        if not entry:
            continue
        message = entry.group(3)
        if (took := _DURATION.match(message)) is not None:
            what, ms = "statement", float(took.group(1))
        elif (lock := _LOCK.match(message)) is not None:
            what, ms = f"lock {'waiting' if lock.group(1) == 'still waiting for' else 'acquired'}", float(lock.group(3))
        else:
            continue
        end = datetime.strptime(entry.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp() - offset
        if since <= end <= until + 1:
            found.append(Logged(int(entry.group(2)), what, ms, end))
    return found


#: the bench's cluster starts with these (PostgresCluster(options=…)): per statement shape, PostgreSQL's own times
#: and the plan of every statement of 20 ms or more in the log (auto_explain: a parallel plan, a sort on disk)
OPTIONS = ("-c shared_preload_libraries=pg_stat_statements,auto_explain -c track_io_timing=on "
           "-c pg_stat_statements.track_planning=on -c auto_explain.log_min_duration=20ms")


def statements_reset(admin_url: str) -> None:
    """pg_stat_statements from zero (created on first use; its view covers every database)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("SELECT pg_stat_statements_reset()")


def top_statements(admin_url: str, limit: int = 8) -> list[str]:
    """Lines: the statement shapes that took most of PostgreSQL's time (planning and running) since
    the reset, with their mean and slowest execution by PostgreSQL's clock, how often and how long
    they were planned (apart: a statement not prepared yet is planned at every call), the blocks read
    from outside its cache, and the time spent compiling them with JIT (in their execution)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT calls, total_exec_time, mean_exec_time, max_exec_time, plans, total_plan_time, shared_blks_read, "
            "jit_functions, "
            "jit_generation_time + jit_inlining_time + jit_optimization_time + jit_emission_time, "
            "regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
            "WHERE query NOT ILIKE '%%pg_stat_statements%%' ORDER BY total_exec_time + total_plan_time DESC LIMIT %s", (limit,)).fetchall()
        total = conn.execute("SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(calls), 0) "
                             "FROM pg_stat_statements").fetchone() or (0, 0)
    lines = [f"\nPostgreSQL's own time per statement shape (pg_stat_statements): {total[0] / 1000:.1f} s "
             f"in {total[1]:,} statements; the top {limit}",
             f"{'calls':>7}{'total ms':>10}{'mean ms':>9}{'max ms':>9}{'plans':>7}{'plan ms':>9}{'blks read':>10}{'jit ms':>8}"
             "  statement"]
    for calls, total_ms, mean, most, plans, plan_ms, read, jitted, jit_ms, query in rows:
        jit = f"{jit_ms:>8.0f}" if jitted else f"{'-':>8}"
        lines.append(f"{calls:>7}{total_ms:>10.0f}{mean:>9.2f}{most:>9.1f}{plans:>7}{plan_ms:>9.0f}{read:>10}{jit}  {query[:90]}")
    return lines


def summary(works: list[Work]) -> str:
    vacuums = sorted({w.what.split()[1] for w in works if w.what.startswith("vacuum")})
    analyzes = sorted({w.what.split()[1] for w in works if w.what.startswith("analyze")})
    checkpoints = [w for w in works if w.what == "checkpoint"]
    return (f"PostgreSQL meanwhile: autovacuum of {', '.join(vacuums) or 'nothing'}; autoanalyze of "
            f"{', '.join(analyzes) or 'nothing'}; {len(checkpoints)} checkpoints "
            f"({sum(w.end - w.start for w in works):.1f} s of such work in all)")
