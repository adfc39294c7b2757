"""A few PIN checks at a time per worker, and a short queue: argon2 is slow on purpose and
CPU-bound, so a flood of sign-ins with nothing in front of it would take every core and every
thread the till needs.

Waiting for a turn happens in the event loop, not on a worker thread, so queued sign-ins never
hold the threads that till requests run on. A sign-in that finds the queue full, or cannot get a
turn within a few seconds, is told the server is busy (503 ``server_busy`` with Retry-After)
rather than waiting past the client's timeout.
"""

from __future__ import annotations

import os

import anyio

from desk_tui.server.auth.pins import verify_pin
from desk_tui.server.errors import BUSY_RETRY_AFTER, DomainError


class PinChecks:
    def __init__(self, *, workers: int = 1, at_once: int | None = None, queue: int = 32, wait: float = 3.0) -> None:
        # The cores are shared by every worker: more checks at once than cores only slows each.
        self.at_once = at_once or max(1, (os.cpu_count() or 1) // max(1, workers))
        self.queue = queue
        self.wait = wait
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop that uses it
        self._in_line = 0

    def refuse_if_full(self) -> None:
        """Before any database work: a sign-in that could not be checked anyway costs nothing."""
        if self._in_line >= self.queue:
            raise busy()

    async def verify(self, pin_hash: str | None, pin: str) -> bool:
        self.refuse_if_full()
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.at_once)
        self._in_line += 1
        try:
            with anyio.move_on_after(self.wait):
                return await anyio.to_thread.run_sync(verify_pin, pin_hash, pin, limiter=self._limiter)
        finally:
            self._in_line -= 1
        raise busy()


def busy() -> DomainError:
    return DomainError("server_busy", "The server is busy signing people in. Try again in a moment.",
                       retry_after=BUSY_RETRY_AFTER)
