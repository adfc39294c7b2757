"""Waking the streams of this process when events were committed, by whichever process.

The events table is the source of truth on both engines; the broker only says "look again".

* SQLite (one process): ``after_commit`` of a session that wrote events calls :func:`committed`,
  from whatever thread ran the request; the broker hands the wake-up to its event loop.
* PostgreSQL (any number of worker processes): each process holds one connection that
  ``LISTEN``s on the channel every event transaction ``NOTIFY``s; a notification from any
  worker wakes the streams here. When that connection is lost it is made again, and the streams
  look again then, so nothing committed meanwhile is left unread.

A stream waits on its own :class:`asyncio.Event`: with nothing happening, nothing runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

_brokers: weakref.WeakSet[Broker] = weakref.WeakSet()


def committed(url: URL) -> None:
    """Events were committed to the database at ``url`` (called from any thread)."""
    for b in list(_brokers):
        if b.url == url and not b.postgres:  # PostgreSQL brokers hear it through NOTIFY
            b.wake_threadsafe()


class Broker:
    def __init__(self, url: URL, *, channel: str) -> None:
        self.url = url
        self.postgres = url.get_backend_name() == "postgresql"
        self.channel = channel
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[asyncio.Event] = set()
        self._listener: asyncio.Task[None] | None = None
        _brokers.add(self)

    def start(self) -> None:
        """Called by each stream, on the server's event loop: the first one starts listening."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        if self.postgres and (self._listener is None or self._listener.done()):
            self._listener = self._loop.create_task(self._listen(), name="events-listen")

    def subscribe(self) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        return waiter

    def unsubscribe(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)

    def wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    def wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # no stream has started here yet: nobody to wake
        try:
            loop.call_soon_threadsafe(self.wake)
        except RuntimeError:  # the loop closed in between
            pass

    def close(self) -> None:
        """End every stream (the server is stopping): they return, so their connections close."""
        self.closed = True
        self.wake_threadsafe()

    async def stop(self) -> None:
        self.closed = True
        self.wake()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def _listen(self) -> None:
        import psycopg

        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        delay = 0.5
        while not self.closed:
            try:
                conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
                try:
                    await conn.execute(f"LISTEN {self.channel}")
                    delay = 0.5
                    self.wake()  # whatever was committed before we listened is read now
                    async for _ in conn.notifies():
                        self.wake()
                finally:
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("event listener lost its connection; again in %.1f s", delay, exc_info=True)
                self.wake()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
