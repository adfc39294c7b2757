"""How many sign-ins one worker works on at once: a few in the database, fewer in argon2, and a
short queue in front of both.

argon2 is slow on purpose and CPU-bound, and every sign-in also writes its attempt down (see
throttle.py). Without a gate, a flood of sign-ins took every core, every thread and every pooled
connection the till needs (150 at once on four workers: 50 × 500 and failed till writes). Here
a sign-in waits for its turn in the event loop, holding neither a thread nor a connection; one
that finds the queue full, or gets no turn within a few seconds, is told the server is busy
(503 ``server_busy`` with Retry-After) instead of waiting past the client's 10-second timeout.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
from starlette.concurrency import run_in_threadpool

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.pins import verify_pin
from desk_tui.server.errors import BUSY_RETRY_AFTER, DomainError

T = TypeVar("T")


class SignInGate:
    def __init__(self, *, workers: int = 1, pin_checks: int | None = None, transactions: int = 4,
                 queue: int = 32, wait: float = 5.0) -> None:
        # The cores are shared by every worker: more checks at once than cores only slows each.
        self.pin_checks = pin_checks or max(1, (os.cpu_count() or 1) // max(1, workers))
        self.transactions = transactions
        self.queue = queue
        self.wait = wait
        # Made in the event loop that uses them (anyio needs one running to make a limiter).
        self._checking: anyio.CapacityLimiter | None = None
        self._writing: anyio.CapacityLimiter | None = None
        self._in_line = 0

    def refuse_if_full(self) -> None:
        """Before any database work: a sign-in that could not be served anyway costs nothing."""
        if self._in_line >= self.queue:
            raise busy()

    @asynccontextmanager
    async def entered(self) -> AsyncIterator[None]:
        """One sign-in, from its first step to its last, counted against the queue."""
        self.refuse_if_full()
        if self._checking is None:
            self._checking = anyio.CapacityLimiter(self.pin_checks)
            self._writing = anyio.CapacityLimiter(self.transactions)
        self._in_line += 1
        try:
            yield
        finally:
            self._in_line -= 1

    async def in_database(self, step: Callable[..., T], *args: Any, patient: bool = False, **kwargs: Any) -> T:
        """``step`` on a worker thread once a transaction turn is free. ``patient``: the PIN has been
        checked, so its outcome must be written down however long that takes (it is quick)."""
        async with self._turn(self._writing, patient=patient):
            return await run_in_threadpool(step, *args, **kwargs)

    async def verify(self, pin_hash: str | None, pin: str) -> bool:
        async with self._turn(self._checking):
            return await run_in_threadpool(verify_pin, pin_hash, pin)

    @asynccontextmanager
    async def _turn(self, limiter: anyio.CapacityLimiter | None, *, patient: bool = False) -> AsyncIterator[None]:
        assert limiter is not None, "use inside entered()"
        # Only the wait for a turn is bounded: a step that has started always finishes, so a
        # PIN check's answer (and its place in the sign-in limits) is never thrown away.
        turn = False
        with anyio.move_on_after(None if patient else self.wait):
            await limiter.acquire()
            turn = True
        if not turn:
            raise busy()
        try:
            yield
        finally:
            limiter.release()


def busy() -> DomainError:
    return DomainError(ProblemCode.SERVER_BUSY, "The server is busy signing people in. Try again in a moment.",
                       retry_after=BUSY_RETRY_AFTER)
