"""The front desk's busiest routes take their threads from a few of their own in each worker.

Under the desk mix without pause (50 desks, `make bench-api`'s phase B), a worker with a route
thread per pooled connection had ~25 requests in threads at once, and each spent about 60 % of its
time waiting for the interpreter lock: every wake-up of a thread is a hand-over of the lock, paid
in CPU, so the worker did less per second with more threads. With four desk threads per worker
the same mix was answered at 129–147 requests a second instead of 97–110 (docs/performance.md,
session 15). As more of the desk's statements ran on the driver's cursor, fewer threads kept
doing better: three answered 10–23 % more of the mix in turns than four (sessions 16 and 17), and
two spent less CPU per answer than three in each of three turns runs of session 18 (server
−1…−16 %, PostgreSQL −2…−25 %: fewer transactions at once), answered 1.23×, 0.98× and 1.04× as
many (two copies of one tree differ by 6 % there) and kept phase A's p99s (27.6 against 29.5 ms,
all endpoints pooled). One thread did no better without pause, let more of a burst queue (31.5
ms) and leaves a worker idle while its one request waits on a row lock; so two it is.
The routes made by
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
DESK_THREADS = 2

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
