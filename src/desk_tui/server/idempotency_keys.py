"""An Idempotency-Key's row: looked up with the sign-in check, claimed first in the request's
transaction, completed with its answer (the middleware is idempotency.py).

The look-up is a pending sign-in check (:class:`KeyLookup`, see deps.PendingSignIn): made in the
route's own thread for a route made by ``deps.one_thread``, so a write takes one trip through the
thread pool for its look-up, its work and its commit; made by ``signed_in`` for any other route.
Either way it comes before anything of the route, and a stored answer is sent instead of running it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from fastapi import Response
from sqlalchemy import Integer, LargeBinary, String, Text, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.pins import token_digest
from desk_tui.server.auth.principal import Principal
from desk_tui.server.auth.service import SIGN_IN_CHECK, authenticate, principal_of, sign_in_params
from desk_tui.server.database import Base, Database, UTCDateTime, utcnow
from desk_tui.server.deps import PendingSignIn
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import AnsweredBefore, DomainError, problem
from desk_tui.server.request_scope import RequestUnit

KEY_MAX = 200
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


def caller_and_earlier(db: Database, token: str, key: str) -> tuple[Principal, str, IdempotencyRecord | None]:
    """Who sent the key (the key's owner; the sign-in check's 401 without a valid token), the key
    scoped to them, and the answer stored under it, if any: one session, one statement each."""
    # A token never changes hands, so once its staff member is known the key is looked up in
    # the sign-in check's own statement (its validity is still checked on every request).
    staff_id = _staff_of_token.get(token_digest(token))
    with db.sign_in_session() as s:
        if staff_id is not None:
            scoped = _scoped(staff_id, key)
            row = _SIGN_IN_CHECK_AND_KEY.first(s, {**sign_in_params(token), "scoped_key": scoped})
            principal = principal_of(row)
            if principal.staff_id == staff_id:
                return principal, scoped, _record_of(row, scoped)
        principal = authenticate(s, token)
        if len(_staff_of_token) >= _TOKENS_REMEMBERED:
            _staff_of_token.clear()
        _staff_of_token[principal.token_hash] = principal.staff_id
        scoped = _scoped(principal.staff_id, key)
        return principal, scoped, found(s, scoped)


#: the sign-in check and the key's stored answer in one statement, built once and in Core (see SIGN_IN_CHECK)
_KEYS = Base.metadata.tables[IdempotencyRecord.__tablename__]
_SIGN_IN_CHECK_AND_KEY = DriverStatement(
    SIGN_IN_CHECK.add_columns(_KEYS.c.key.label("stored_key"), _KEYS.c.fingerprint, _KEYS.c.status_code,
                              _KEYS.c.headers, _KEYS.c.body)
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


def found(s: Session, scoped: str) -> IdempotencyRecord | None:
    record = s.get(IdempotencyRecord, scoped)
    if record is not None:
        s.expunge(record)
    return record


# Every write claims and stores its key: in Core, built once, on the driver's cursor. The mapped
# class's insert went through the session's unit of work (a flush), and its update through the
# ORM's bulk update.
_CLAIM = DriverStatement(insert(_KEYS).values(key=bindparam("key"), fingerprint=bindparam("fingerprint"),
                                              created_at=bindparam("created_at")))
_STORE = DriverStatement(update(_KEYS).where(_KEYS.c.key == bindparam("scoped_key"))
                         .values(status_code=bindparam("status_code"), headers=bindparam("headers"),
                                 body=bindparam("body")))


class Claim:
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
            _CLAIM.execute(s, {"key": self.scoped, "fingerprint": self.fingerprint, "created_at": utcnow()})
        except IntegrityError:
            self.taken = True
            raise DomainError(ProblemCode.REQUEST_IN_PROGRESS,
                              "The same request was made a moment ago; its answer follows.") from None

    def store(self, s: Session, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        replayed = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers
                    if k.decode("latin-1").lower() in _REPLAYED_HEADERS}
        _STORE.execute(s, {"scoped_key": self.scoped, "status_code": status, "headers": json.dumps(replayed),
                            "body": body})


class KeyLookup(PendingSignIn):
    """A write's sign-in check and its key's stored answer, one statement, not yet made.

    When made: a new key makes the request's claim (its unit's first and last statements); a
    stored answer is raised as :class:`AnsweredBefore`, sent instead of running the route; a bad
    token raises the sign-in check's own 401. A route that never asks who is signed in still
    claims the key: the look-up is then made when its transaction begins (:meth:`on_begin`)."""

    __slots__ = ("answer", "claim", "fingerprint", "key", "taken_before", "unit")

    def __init__(self, db: Database, token: str, key: str, fingerprint: str, unit: RequestUnit) -> None:
        super().__init__(db, token)
        self.key = key
        self.fingerprint = fingerprint
        self.unit = unit
        self.claim: Claim | None = None
        self.answer: Response | None = None
        #: the look-up made at the transaction's start found an answer: the middleware replays it
        self.taken_before = False
        unit.on_begin = self.on_begin

    @property
    def taken(self) -> bool:
        """An identical request committed first: this one's answer is the other's, sent again."""
        return self.taken_before or (self.claim is not None and self.claim.taken)

    def _make(self) -> None:
        try:
            principal, scoped, earlier = caller_and_earlier(self.db, self.token, self.key)
        except DomainError as refusal:
            self.refusal = refusal
            return
        self.principal = principal
        if earlier is not None:
            self.answer = earlier_answer(earlier, self.fingerprint)
            return
        self.claim = Claim(scoped, self.fingerprint)
        self.unit.on_answer = self.claim.store

    def _known(self) -> Principal:
        if self.answer is not None:
            raise AnsweredBefore(self.answer)
        return super()._known()

    def on_begin(self, s: Session) -> None:
        if self.principal is None and self.refusal is None:
            self._make()
        if self.answer is not None:
            self.taken_before = True
            raise DomainError(ProblemCode.REQUEST_IN_PROGRESS, "The same request was made before; its answer follows.")
        if self.claim is not None:
            self.claim(s)


def earlier_answer(record: IdempotencyRecord, fingerprint: str) -> Response:
    """What a request with a key already used is answered: the stored answer, or why not."""
    if record.fingerprint != fingerprint:
        return problem(ProblemCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for a different request.")
    if record.status_code is None:
        return in_progress()
    headers = dict(json.loads(record.headers or "{}"))
    headers["idempotent-replayed"] = "true"
    return Response(record.body or b"", status_code=record.status_code, headers=headers)


def in_progress() -> Response:
    return problem(ProblemCode.REQUEST_IN_PROGRESS, "The same request is still being processed; try again in a moment.")
