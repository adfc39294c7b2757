"""One transaction per write request, and ``Idempotency-Key`` stored inside it.

Pure ASGI middleware, so it wraps every POST/PUT/PATCH/DELETE route at once and no route can
forget it. Each write request gets a :class:`~desk_tui.server.request_scope.RequestUnit`: the route's
``Database.transaction()`` blocks become savepoints of one transaction, which commits only after
the route has answered, together with the stored answer. So whatever instant the process dies at,
the key is either absent (nothing was written; the retry runs) or complete (the retry replays);
it is never left pending for longer than the request itself.

A key is claimed by inserting its row as the first statement of that transaction. A concurrent
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
from typing import Any

import anyio
from sqlalchemy import Integer, LargeBinary, String, Text, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.pins import token_digest
from desk_tui.server.auth.principal import SCOPE_KEY, Principal
from desk_tui.server.auth.service import SIGN_IN_CHECK, authenticate, principal_of, sign_in_params
from desk_tui.server.database import Base, Database, UTCDateTime, rowcount, utcnow
from desk_tui.server.errors import DomainError, busy_problem, is_overload, problem
from desk_tui.server.request_scope import HandedOver, RequestUnit, handing_over, request_unit

log = logging.getLogger("desk_tui.server")

KEY_MAX = 200
KEEP_FOR = timedelta(hours=48)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Neither remembered (the answer carries the bearer token) nor one transaction: sign-in commits
#: its attempt before the PIN check and settles it after, in short transactions of its own.
_OWN_TRANSACTIONS = frozenset({"/v1/auth/login"})
_REPLAYED_HEADERS = ("content-type", "location", "etag")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    #: SHA-256 of the caller's staff id and the key they sent, so keys never cross callers
    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


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
        found = await anyio.to_thread.run_sync(self._caller_and_earlier, _bearer(scope), key)
        if found is None:
            # No valid token: the route refuses it with 401 before anything changes.
            await self._run(scope, _replaying(body, receive), send, RequestUnit())
            return
        principal, scoped, earlier = found
        # The route's signed_in takes it from here instead of looking the token up again.
        scope[SCOPE_KEY] = principal
        fingerprint = _fingerprint(scope, body)

        if earlier is not None:
            await self._answer_again(earlier, fingerprint, scope, receive, send)
            return

        claim = _Claim(scoped, fingerprint)
        unit = RequestUnit(on_begin=claim, on_answer=claim.store)
        committed = await self._run(scope, _replaying(body, receive), send, unit, claim=claim)
        if committed and claim.taken:
            # Someone else's identical request committed first while we waited on its row.
            earlier = await anyio.to_thread.run_sync(self._find, scoped)
            if earlier is not None:
                await self._answer_again(earlier, fingerprint, scope, receive, send)
                return
            await _in_progress(scope, receive, send)

    async def _run(self, scope: Scope, receive: Receive, send: Send, unit: RequestUnit, *,
                   claim: _Claim | None = None) -> bool:
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

    async def _answer_again(self, record: IdempotencyRecord, fingerprint: str, scope: Scope, receive: Receive,
                            send: Send) -> None:
        if record.fingerprint != fingerprint:
            await problem(ProblemCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for a different request.")(
                scope, receive, send)
        elif record.status_code is None:
            await _in_progress(scope, receive, send)
        else:
            await _replay(record, send)

    def _caller_and_earlier(self, token: str | None, key: str) -> tuple[Principal, str, IdempotencyRecord | None] | None:
        """Who sent the key (the key's owner, None without a valid token), the key scoped to them,
        and the answer stored under it, if any: one session, one statement each."""
        if not token or len(token) > 200:
            return None
        # A token never changes hands, so once its staff member is known the key is looked up in
        # the sign-in check's own statement (its validity is still checked on every request).
        staff_id = _staff_of_token.get(token_digest(token))
        with self.db.sign_in_session() as s:
            try:
                if staff_id is not None:
                    scoped = _scoped(staff_id, key)
                    row = s.execute(_SIGN_IN_CHECK_AND_KEY, {**sign_in_params(token), "scoped_key": scoped}).first()
                    principal = principal_of(row)
                    if principal.staff_id == staff_id:
                        return principal, scoped, _record_of(row, scoped)
                principal = authenticate(s, token)
            except DomainError:
                return None
            if len(_staff_of_token) >= _TOKENS_REMEMBERED:
                _staff_of_token.clear()
            _staff_of_token[principal.token_hash] = principal.staff_id
            scoped = _scoped(principal.staff_id, key)
            return principal, scoped, _found(s, scoped)

    def _find(self, scoped: str) -> IdempotencyRecord | None:
        with self.db.read_session() as s:
            return _found(s, scoped)


#: the sign-in check and the key's stored answer in one statement, built once and in Core (see SIGN_IN_CHECK)
_KEYS = Base.metadata.tables[IdempotencyRecord.__tablename__]
_SIGN_IN_CHECK_AND_KEY = (SIGN_IN_CHECK.add_columns(_KEYS.c.key.label("stored_key"), _KEYS.c.fingerprint,
                                                    _KEYS.c.status_code, _KEYS.c.headers, _KEYS.c.body)
                          .outerjoin(_KEYS, _KEYS.c.key == bindparam("scoped_key")))


def _record_of(row: Any, scoped: str) -> IdempotencyRecord | None:
    """The stored answer of a row of _SIGN_IN_CHECK_AND_KEY (None: the key is new), in no session."""
    if row.stored_key is None:
        return None
    return IdempotencyRecord(key=scoped, fingerprint=row.fingerprint, status_code=row.status_code,
                             headers=row.headers, body=row.body)


#: token digest → its staff member, for the tokens this process has seen (a day's sign-ins)
_staff_of_token: dict[str, str] = {}
_TOKENS_REMEMBERED = 10_000


def _scoped(staff_id: str, key: str) -> str:
    return hashlib.sha256(f"{staff_id}\0{key}".encode()).hexdigest()


def _found(s: Session, scoped: str) -> IdempotencyRecord | None:
    record = s.get(IdempotencyRecord, scoped)
    if record is not None:
        s.expunge(record)
    return record


# Every write claims and stores its key: in Core, built once. The mapped class's insert went
# through the session's unit of work (a flush), and its update through the ORM's bulk update.
_CLAIM = insert(_KEYS)
_STORE = (update(_KEYS).where(_KEYS.c.key == bindparam("scoped_key"))
          .values(status_code=bindparam("status_code"), headers=bindparam("headers"), body=bindparam("body")))


class _Claim:
    """The key's row: inserted first in the request's transaction, completed with its answer."""

    def __init__(self, scoped: str, fingerprint: str) -> None:
        self.scoped = scoped
        self.fingerprint = fingerprint
        #: an identical request committed first; this one must replay it, not run
        self.taken = False

    def __call__(self, s: Session) -> None:
        # No savepoint: it is the transaction's first statement, and when it fails the whole
        # transaction is rolled back (Database.transaction) and the other answer replayed.
        try:
            s.execute(_CLAIM, {"key": self.scoped, "fingerprint": self.fingerprint, "created_at": utcnow()})
        except IntegrityError:
            self.taken = True
            raise DomainError(ProblemCode.REQUEST_IN_PROGRESS,
                              "The same request was made a moment ago; its answer follows.") from None

    def store(self, s: Session, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        replayed = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers
                    if k.decode("latin-1").lower() in _REPLAYED_HEADERS}
        s.execute(_STORE, {"scoped_key": self.scoped, "status_code": status, "headers": json.dumps(replayed),
                           "body": body})


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


async def _replay(record: IdempotencyRecord, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(record.headers or "{}").items()]
    headers.append((b"idempotent-replayed", b"true"))
    body = record.body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _in_progress(scope: Scope, receive: Receive, send: Send) -> None:
    await problem(ProblemCode.REQUEST_IN_PROGRESS, "The same request is still being processed; try again in a moment.")(
        scope, receive, send)


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
