"""``Idempotency-Key`` for every state-changing request, stored in the database.

Pure ASGI middleware, so it wraps every POST/PATCH route at once and no route can forget it.
A key is claimed (a pending row, unique on the key) *before* the request runs, so two
concurrent retries of the same request can never both apply: the second is told the first
is still in progress (409 ``request_in_progress``) and its next retry gets the replay.

Responses that say the request never ran (401, 429, 5xx) release the key so a retry runs for
real. A process that dies between its write and the response leaves the key pending: retries
keep getting 409 rather than a second application, which is the safe side.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import anyio
from sqlalchemy import Integer, LargeBinary, String, Text, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desk_tui.server.database import Base, Database, UTCDateTime, utcnow
from desk_tui.server.errors import problem

KEY_MAX = 200
KEEP_FOR = timedelta(hours=48)
_NOT_STORED = {401, 429}
_REPLAYED_HEADERS = ("content-type", "location", "etag")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(UTCDateTime, index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.db = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PATCH"):
            await self.app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > KEY_MAX:
            await problem("validation_error", f"Idempotency-Key must be 1 to {KEY_MAX} characters.")(scope, receive, send)
            return

        body = await _read_body(receive)
        digest = hashlib.sha256()
        for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
            digest.update(part.encode() + b"\0")
        digest.update(body)
        fingerprint = digest.hexdigest()

        outcome, record = await anyio.to_thread.run_sync(self._claim, key, fingerprint)
        if outcome == "mismatch":
            await problem("idempotency_key_reused", "This Idempotency-Key was already used for a different request.")(
                scope, receive, send
            )
            return
        if outcome == "pending":
            await problem("request_in_progress", "The same request is still being processed; try again in a moment.")(
                scope, receive, send
            )
            return
        if outcome == "replay":
            await self._replay(record, send)
            return

        captured: dict = {"start": None, "body": bytearray()}

        async def replay_receive() -> Message:
            nonlocal body
            if body is not None:
                chunk, body = body, None
                return {"type": "http.request", "body": chunk, "more_body": False}
            return await receive()

        async def capture_send(message: Message) -> None:
            # Held back until stored: a client that retries the instant it hears back must
            # find the replay, not a key that still looks in progress.
            if message["type"] == "http.response.start":
                captured["start"] = message
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")

        try:
            await self.app(scope, replay_receive, capture_send)
        except BaseException:
            await anyio.to_thread.run_sync(self._release, key)
            raise
        start = captured["start"]
        status = start["status"] if start else 500
        if status >= 500 or status in _NOT_STORED:
            await anyio.to_thread.run_sync(self._release, key)
        else:
            await anyio.to_thread.run_sync(self._store, key, status, start["headers"], bytes(captured["body"]))
        if start is not None:
            await send(start)
            await send({"type": "http.response.body", "body": bytes(captured["body"])})

    def _claim(self, key: str, fingerprint: str) -> tuple[str, IdempotencyRecord | None]:
        with self.db.write_session() as s:
            row = s.get(IdempotencyRecord, key)
            if row is None:
                s.add(IdempotencyRecord(key=key, fingerprint=fingerprint, created_at=utcnow()))
                try:
                    s.commit()
                except IntegrityError:
                    s.rollback()
                    row = s.get(IdempotencyRecord, key)
                    if row is None:  # pragma: no cover - released between the two statements
                        return "pending", None
                else:
                    return "claimed", None
            if row.fingerprint != fingerprint:
                return "mismatch", row
            if row.status_code is None:
                return "pending", row
            s.expunge(row)
            return "replay", row

    def _store(self, key: str, status: int, headers: list, body: bytes) -> None:
        kept = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers if k.decode("latin-1").lower() in _REPLAYED_HEADERS}
        with self.db.write_session() as s:
            row = s.get(IdempotencyRecord, key)
            if row is not None:
                row.status_code, row.headers, row.body = status, json.dumps(kept), body
            # Expired keys are swept by whoever writes; no background job to babysit.
            s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR))
            s.commit()

    def _release(self, key: str) -> None:
        with self.db.write_session() as s:
            s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.key == key))
            s.commit()

    async def _replay(self, record: IdempotencyRecord, send: Send) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(record.headers or "{}").items()]
        headers.append((b"idempotent-replayed", b"true"))
        body = record.body or b""
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1").strip()
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks += message.get("body", b"")
            if not message.get("more_body", False):
                return bytes(chunks)
        elif message["type"] == "http.disconnect":
            return bytes(chunks)


__all__ = ["IdempotencyMiddleware", "IdempotencyRecord"]
