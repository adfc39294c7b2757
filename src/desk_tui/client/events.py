"""The live stream: one `GET /v1/events` per app, kept open, reconnected with back-off.

Every event is handed to ``on_event`` as a contract :class:`Event`; ``on_state`` hears True once
the server said ``ready`` and False when the stream is lost (the app then says so in its header,
and the screens' quiet polling takes over until it is back). A reconnect sends ``Last-Event-ID``,
so the server replays what was missed, or says ``reset`` when that is too old to replay.

The read timeout is three of the server's keep-alive pings: a stream that went silent without
closing (a cable pulled somewhere between) is noticed within a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable

import httpx
from httpx_sse import SSEError, aconnect_sse

from desk_tui.client.api import DeskClient
from desk_tui.contract.events import Event

log = logging.getLogger(__name__)

READ_TIMEOUT = 60.0
#: back-off between attempts: doubles from FIRST to LAST, ± JITTER, so desks don't retry in step
FIRST, LAST, JITTER = 0.5, 10.0, 0.25


class StreamRefused(Exception):
    """The server answered, but not with a stream (the token is no longer valid)."""


class LiveStream:
    def __init__(self, client: DeskClient, *, on_event: Callable[[Event], None],
                 on_state: Callable[[bool], None]) -> None:
        self.client = client
        self.on_event = on_event
        self.on_state = on_state
        self.last_event_id: str | None = None
        self.up = False
        self._again = asyncio.Event()

    def nudge(self) -> None:
        """Try again now instead of at the end of the back-off (the server answers again)."""
        self._again.set()

    async def run(self) -> None:
        """Until cancelled, or until the server refuses this sign-in (then sign in again)."""
        delay = FIRST
        while True:
            try:
                await self._once()
            except StreamRefused as exc:
                log.info("the event stream was refused (%s); not retrying until the next sign-in", exc)
                self._set_up(False)
                return
            except (httpx.HTTPError, SSEError, ValueError) as exc:
                log.info("the event stream is down: %r", exc)
            if self.up:
                delay = FIRST  # it was working: the first retry comes quickly
            self._set_up(False)
            self._again.clear()
            wait = delay * (1 + random.uniform(-JITTER, JITTER))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._again.wait(), wait)
            delay = min(delay * 2, LAST)

    async def _once(self) -> None:
        signed_in = self.client.signed_in
        if signed_in is None:
            raise StreamRefused("not signed in")
        headers = {"Authorization": f"Bearer {signed_in.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = self.last_event_id
        timeout = httpx.Timeout(READ_TIMEOUT, connect=5.0)
        async with aconnect_sse(self.client._http, "GET", "/events", headers=headers, timeout=timeout) as source:
            status = source.response.status_code
            if status in (401, 403):
                raise StreamRefused(f"HTTP {status}")
            source.response.raise_for_status()
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue
                event = Event.model_validate_json(sse.data)
                if sse.id:
                    self.last_event_id = sse.id
                if event.kind == "ready":
                    self._set_up(True)
                else:
                    self.on_event(event)
        raise httpx.RemoteProtocolError("the server ended the stream")  # it is stopping: reconnect

    def _set_up(self, up: bool) -> None:
        if up != self.up:
            self.up = up
            self.on_state(up)
