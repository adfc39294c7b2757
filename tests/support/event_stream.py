"""A real client of `GET /v1/events` for tests: httpx-sse over loopback, one event at a time."""

from __future__ import annotations

import asyncio
import json

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse

from tests.support.api_client import PINS, TLS


async def token(base_url: str, username: str = "reception", location_id: str | None = None) -> str:
    body = {"username": username, "pin": PINS[username]} | ({"location_id": location_id} if location_id else {})
    async with httpx.AsyncClient(verify=TLS) as http:
        r = await http.post(f"{base_url}/v1/auth/login", json=body, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


class EventStream:
    """``async with EventStream(url, token) as events: await events.next()`` — the next event
    (pings are comments and never show up), as (kind, data dict, id)."""

    def __init__(self, base_url: str, token: str, *, last_event_id: str | None = None) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            self.headers["Last-Event-ID"] = last_event_id
        self.status: int | None = None

    async def __aenter__(self) -> EventStream:
        self._http = httpx.AsyncClient(base_url=self.base_url + "/v1", timeout=httpx.Timeout(30, read=60), verify=TLS)
        self._connect = aconnect_sse(self._http, "GET", "/events", headers=self.headers)
        source = await self._connect.__aenter__()
        self.status = source.response.status_code
        self._events = source.aiter_sse() if self.status == 200 else None
        return self

    async def __aexit__(self, *exc) -> None:
        await self._connect.__aexit__(*exc)
        await self._http.aclose()

    async def next(self, timeout: float = 15) -> tuple[str, dict, str]:
        while True:
            sse: ServerSentEvent = await asyncio.wait_for(anext(self._events), timeout)
            if sse.data:  # a keep-alive comment ends in a blank line: no event to speak of
                return sse.event, json.loads(sse.data), sse.id

    async def until(self, kind: str, timeout: float = 15) -> list[tuple[str, dict, str]]:
        """Every event up to and including the first ``kind``."""
        seen = []
        while True:
            seen.append(await self.next(timeout))
            if seen[-1][0] == kind:
                return seen
