"""How long a thread or process waited for a core: Linux's ``/proc/…/schedstat`` (bench only).

Each read gives two running totals in nanoseconds: CPU time, and *run delay*, the time the task
was ready to run but waited on the scheduler's queue for a core. Taken before and after one SQL
statement, for the worker thread that sent it and for the PostgreSQL backend that ran it, they
split the statement's wall time (tests/benchmarks/timed_server.py):

* the backend's CPU: PostgreSQL working on it;
* the backend's run delay: PostgreSQL ready but without a core (the machine busy);
* the worker thread's run delay: the answer had arrived, the thread was woken, no core for it;
* the rest: the backend asleep (a lock wait, a read from disk) and the worker thread asleep while
  runnable in Python's sense (waiting for the interpreter lock, which is a sleep on a condition
  variable, not a run delay), plus loopback's own latency (microseconds).

The files stay open (``os.pread`` re-reads them): a reading costs a few microseconds. Where
``/proc`` has no schedstat (not Linux), every reading is ``None``.
"""

from __future__ import annotations

import os
import threading

_local = threading.local()
_pids: dict[int, int] = {}


def _read(fd: int) -> tuple[int, int] | None:
    try:
        cpu, delay, _ = os.pread(fd, 96, 0).split()
    except (OSError, ValueError):
        return None
    return int(cpu), int(delay)


def _open(path: str) -> int:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return -1


def this_thread() -> tuple[int, int] | None:
    """(CPU ns, run delay ns) of the calling thread."""
    fd = getattr(_local, "fd", None)
    if fd is None:
        # /proc/thread-self resolves when opened: the descriptor stays this thread's
        fd = _local.fd = _open("/proc/thread-self/schedstat")
    return _read(fd) if fd >= 0 else None


def process(pid: int) -> tuple[int, int] | None:
    """(CPU ns, run delay ns) of a single-threaded process such as a PostgreSQL backend."""
    fd = _pids.get(pid)
    if fd is None:
        fd = _pids[pid] = _open(f"/proc/{pid}/schedstat")
    return _read(fd) if fd >= 0 else None
