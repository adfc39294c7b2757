"""One transaction per write request, and ``Idempotency-Key`` stored inside it.

Pure ASGI middleware, so it wraps every POST/PUT/PATCH/DELETE route at once and no route can
forget it. Each write request gets a :class:`~desk_tui.server.request_scope.RequestUnit`: the route's
``Database.transaction()`` blocks become savepoints of one transaction, which commits only after
the route has answered, together with the stored answer. So whatever instant the process dies at,
the key is either absent (nothing was written; the retry runs) or complete (the retry replays);
it is never left pending for longer than the request itself.

The key is looked up (its stored answer, if any) in the statement of the request's sign-in
check, wherever that is made: in the route's own thread for the desk's hot writes
(``idempotency_keys.KeyLookup``, ``deps.one_thread``), which then also commit there; a stored
answer is sent before the route runs or anything else is refused. A key is claimed by inserting
its row as the first statement of that transaction. A concurrent
retry of the same request waits on the row (PostgreSQL's unique index, SQLite's write lock) until
the first commits, then replays its answer; if the first rolled back, the retry runs for real.

Keys belong to the staff member whose token sent them: the same key from another caller is
another key, and a request without a valid token is not remembered at all (it is refused with 401
before it can change anything). Sign-in is never remembered: its answer holds a secret.

Answers that say the request changed nothing and may be retried (401, 429, 5xx) are not stored
and their transaction is rolled back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import PENDING_KEY
from desk_tui.server.database import Database, rowcount, utcnow
from desk_tui.server.errors import busy_problem, is_overload, problem
from desk_tui.server.idempotency_keys import (
    KEY_MAX,
    IdempotencyRecord,
    KeyLookup,
    earlier_answer,
    found,
    in_progress,
)
from desk_tui.server.request_scope import HandedOver, RequestUnit, handing_over, request_unit

log = logging.getLogger("desk_tui.server")

KEEP_FOR = timedelta(hours=48)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Neither remembered (the answer carries the bearer token) nor one transaction: sign-in commits
#: its attempt before the PIN check and settles it after, in short transactions of its own.
_OWN_TRANSACTIONS = frozenset({"/v1/auth/login"})


@dataclass
class _Captured:
    start: Message | None = None
    body: bytearray = field(default_factory=bytearray)

    @property
    def status(self) -> int:
        return self.start["status"] if self.start else 500


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.db = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with handing_over() as slot:
            try:
                await self._request(scope, receive, _letting_go(slot, send))
            finally:
                if slot.session is not None:
                    await anyio.to_thread.run_sync(slot.close)

    async def _request(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in WRITE_METHODS or scope["path"] in _OWN_TRANSACTIONS:
            await self.app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        if key is not None and (not key or len(key) > KEY_MAX):
            await problem(ProblemCode.VALIDATION_ERROR, f"Idempotency-Key must be 1 to {KEY_MAX} characters.")(scope, receive, send)
            return
        if key is None:
            await self._run(scope, receive, send, RequestUnit())
            return

        body = await _read_body(receive)
        token = _bearer(scope)
        if not token or len(token) > 200:
            # No token to look the key up with: the route refuses it with 401 before anything changes.
            await self._run(scope, _replaying(body, receive), send, RequestUnit())
            return
        # The key is looked up with the request's sign-in check, where that is made: in the route's
        # own thread for most of the desk's writes (idempotency_keys.KeyLookup).
        unit = RequestUnit()
        lookup = scope[PENDING_KEY] = KeyLookup(self.db, token, key, _fingerprint(scope, body), unit)
        committed = await self._run(scope, _replaying(body, receive), send, unit, claim=lookup)
        if committed and lookup.taken and lookup.claim is not None:
            # Someone else's identical request committed first while we waited on its row.
            scoped = lookup.claim.scoped
            earlier = await anyio.to_thread.run_sync(self._find, scoped)
            answer = in_progress() if earlier is None else earlier_answer(earlier, lookup.fingerprint)
            await answer(scope, receive, send)
        elif committed and lookup.taken_before and lookup.answer is not None:
            await lookup.answer(scope, receive, send)

    async def _run(self, scope: Scope, receive: Receive, send: Send, unit: RequestUnit, *,
                   claim: KeyLookup | None = None) -> bool:
        """Run the route in ``unit`` and send its answer once its transaction has committed (with
        the answer stored under ``claim``'s key). False when the commit failed (and a 500 was sent).
        When the claim turned out to be taken, nothing is sent: the caller replays the other answer."""
        captured = _Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.start = message
            elif message["type"] == "http.response.body":
                captured.body += message.get("body", b"")

        with request_unit(unit):
            try:
                await self.app(scope, receive, capture)
            except BaseException:
                if unit.session is not None:
                    await anyio.to_thread.run_sync(lambda: unit.finish(commit=False))
                raise
        taken = claim is not None and claim.taken
        start, body = captured.start, bytes(captured.body)

        def settle() -> None:
            if taken or start is None:
                unit.finish(commit=False)
            else:
                unit.settle(start["status"], start["headers"], body)

        # A route made by deps.one_thread settled its transaction in its own thread, with the same
        # answer (a trip through the thread pool fewer); so did a route that never began one.
        if unit.session is not None:
            try:
                await anyio.to_thread.run_sync(settle)
            except SQLAlchemyError as exc:
                # The answer must not claim what the database did not keep.
                if is_overload(exc):
                    await busy_problem()(scope, receive, send)
                    return False
                log.exception("could not commit %s %s", scope["method"], scope["path"])
                await problem(ProblemCode.INTERNAL_ERROR, "The server could not finish this request; nothing was changed.")(
                    scope, receive, send)
                return False
        if not taken and start is not None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
        return True

    def _find(self, scoped: str) -> IdempotencyRecord | None:
        with self.db.read_session() as s:
            return found(s, scoped)


def forget_expired(s: Session, *, now: datetime | None = None) -> int:
    """Drop keys older than their lifetime (housekeeping's chore, not each request's)."""
    result = s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < (now or utcnow()) - KEEP_FOR))
    return rowcount(result) or 0


def _fingerprint(scope: Scope, body: bytes) -> str:
    """What makes two requests under one key the same request: method, path, query, the version
    they expect (If-Match) and the body — with every PIN in it blanked. A stored SHA-256 of a body
    whose only unknown is a 4-digit manager PIN would give the PIN away to anyone who can read the
    table (10,000 guesses); a different PIN under the same key needs no detecting, because a wrong
    PIN is refused before the request writes, so nothing is stored under its key."""
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"),
                 _header(scope, b"if-match") or ""):
        digest.update(part.encode() + b"\0")
    digest.update(_without_pins(body))
    return digest.hexdigest()


def _without_pins(body: bytes) -> bytes:
    if b'"pin"' not in body:
        return body  # nearly every write: no parse on the hot path
    try:
        document = json.loads(body)
    except ValueError:
        return body  # not JSON: the route refuses it, and it holds no PIN we could find

    def blank(value: object) -> object:
        if isinstance(value, dict):
            return {k: "" if k == "pin" else blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return value

    return json.dumps(blank(document), sort_keys=True, separators=(",", ":")).encode()


def _letting_go(slot: HandedOver, send: Send) -> Send:
    """A send that lets go of a sign-in session nobody took over once the answer starts: an
    event stream's answer lasts as long as the desk is open, and must not hold a connection."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and slot.session is not None:
            await anyio.to_thread.run_sync(slot.close)
        await send(message)

    return sending


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the route the body this middleware already read."""
    pending: bytes | None = body

    async def replay() -> Message:
        nonlocal pending
        if pending is not None:
            chunk, pending = pending, None
            return {"type": "http.request", "body": chunk, "more_body": False}
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            value: str = v.decode("latin-1").strip()
            return value
    return None


def _bearer(scope: Scope) -> str | None:
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


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


__all__ = ["IdempotencyMiddleware", "IdempotencyRecord", "forget_expired"]
