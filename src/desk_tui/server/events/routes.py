"""`GET /v1/events`: the signed-in location's live updates, as server-sent events.

On connecting, a client that sends ``Last-Event-ID`` first receives what it missed (or one
``reset`` when that is older than the replay window), then ``ready``, whose id is where the stream
stands; a client without one starts from now. After that each committed change arrives as it
happens; a comment line every 20 s keeps proxies from closing a quiet connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from desk_tui.contract.events import Event
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database, utcnow
from desk_tui.server.deps import database, signed_in
from desk_tui.server.events import service
from desk_tui.server.events.broker import Broker

router = APIRouter(tags=["events"])

PING_SECONDS = 20
REPLAY_MAX = 5_000
#: how soon a stream looks again while committed events wait behind an older open transaction
#: (PostgreSQL): that one's end is announced only if it wrote events, so the stream polls, less
#: and less often while it stays open
HELD_FIRST_LOOK, HELD_SLOWEST_LOOK = 0.05, 2.0


def broker_of(request: Request) -> Broker:
    broker: Broker = request.app.state.events
    return broker


@router.get("/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "Server-sent events; each data line is an Event."}})
async def stream(request: Request, me: Principal = Depends(signed_in), db: Database = Depends(database),
                 last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None
                 ) -> EventSourceResponse:
    broker = broker_of(request)
    broker.start()
    waiter = broker.subscribe()  # before the first read, so no commit in between goes unnoticed
    try:
        last = int(last_event_id) if last_event_id and last_event_id.strip().isdigit() else None
        first, position, held = await asyncio.to_thread(_catch_up, db, last, me.location_id)
    except BaseException:
        broker.unsubscribe(waiter)
        raise
    return EventSourceResponse(_events(broker, waiter, db, first, position, held, me.location_id), ping=PING_SECONDS,
                               ping_message_factory=lambda: ServerSentEvent(comment=""))


def _catch_up(db: Database, last: int | None, location_id: str) -> tuple[list[Event], int, bool]:
    """What to send before ``ready``, the id the stream then stands at, and whether committed
    events are held back behind an older open transaction (look again soon)."""
    with db.read_session() as s:
        b = service.bounds(s)
        if last is None:
            return [], b.newest, b.held
        if not service.can_replay(b, last):
            return [Event(id=b.newest, kind="reset", at=utcnow())], b.newest, b.held
        missed = service.since(s, after=last, location_id=location_id, limit=REPLAY_MAX)
        if len(missed.events) == REPLAY_MAX:  # more than a client should replay one by one: reload instead
            return [Event(id=b.newest, kind="reset", at=utcnow())], b.newest, b.held
        # The page's own snapshot may reach further than the bounds' (a later statement)
        return missed.events, max(last, b.newest, *(e.id for e in missed.events)), missed.held


def _sse(event: Event) -> ServerSentEvent:
    return ServerSentEvent(data=event.model_dump_json(exclude_none=True), event=event.kind, id=str(event.id))


async def _events(broker: Broker, waiter: asyncio.Event, db: Database, first: list[Event], position: int,
                  held: bool, location_id: str) -> AsyncIterator[ServerSentEvent]:
    look = HELD_FIRST_LOOK
    try:
        for event in first:
            yield _sse(event)
        yield _sse(Event(id=position, kind="ready", at=utcnow()))
        while not broker.closed:
            # Woken by a commit (NOTIFY, or SQLite's after_commit); with nothing happening, nothing
            # runs (the ping comes from sse-starlette's own timer).
            if held:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), look)
                look = min(look * 2, HELD_SLOWEST_LOOK)
            else:
                await waiter.wait()
                look = HELD_FIRST_LOOK
            waiter.clear()
            if broker.closed:
                break
            while True:  # a burst larger than one page is read page by page
                news = await asyncio.to_thread(_since, db, position, location_id)
                for event in news.events:
                    yield _sse(event)
                    position = event.id
                held = news.held
                if len(news.events) < 500:
                    break
    finally:
        broker.unsubscribe(waiter)


def _since(db: Database, after: int, location_id: str) -> service.Page:
    with db.read_session() as s:
        return service.since(s, after=after, location_id=location_id)
