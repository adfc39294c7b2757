"""The front desk's busiest routes take their threads from a few of their own in each worker.

Under the desk mix without pause (50 desks, `make bench-api`'s phase B), a worker with a route
thread per pooled connection had ~25 requests in threads at once, and each spent about 60 % of its
time waiting for the interpreter lock: every wake-up of a thread is a hand-over of the lock, paid
in CPU, so the worker did less per second with more threads. With four desk threads per worker
the same mix was answered at 129–147 requests a second instead of 97–110 (docs/performance.md,
session 15): two or three did as well there but let more of a burst queue for a thread at 50
desks with pauses, one was too few, eight or more too many. Three, measured again once more of
the desk's statements ran on the driver's cursor (sessions 16 and 17), answered 10–23 % more of
the mix in turns than four, spent 9–15 % less server CPU per answer, and held phase A's p99s, so
three it is. The routes made by
``deps.one_thread`` (the desk's reads and writes: one trip through a thread each) take a thread
from this limiter; every other route keeps the shared pool, so a report, an import or a backup
that holds a thread for seconds never waits behind the desk, nor the desk behind it, and a
write's refusal settled after its route (which may hold row locks) never waits for a desk thread
another desk is holding while it waits for those locks.
"""

from __future__ import annotations

import anyio
from anyio.lowlevel import RunVar

#: threads per worker for the desk's routes (`ServerSettings.desk_threads`)
DESK_THREADS = 3

_limiter: RunVar[anyio.CapacityLimiter] = RunVar("desk_threads")


def desk_threads(size: int | None = None) -> anyio.CapacityLimiter:
    """This event loop's limiter for the desk's routes, made on first use (``size`` threads, or
    ``DESK_THREADS``); ``size`` resizes it (the app's start-up gives the configured figure)."""
    try:
        limiter = _limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(size or DESK_THREADS)
        _limiter.set(limiter)
    if size is not None:
        limiter.total_tokens = size
    return limiter
