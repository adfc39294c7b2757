"""One HTTP request's hold on the database: its one write transaction and its one connection.

:class:`Database` (database.py) reads these to decide, inside a request, which session a block
gets: the request's own transaction (:class:`RequestUnit`), or the session its sign-in check
opened and handed on (:class:`HandedOver`). The middleware (idempotency.py) sets them up per
request; the context variables carry them into the route's worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

#: Answers that say the request changed nothing and may be retried (with 5xx): their transaction
#: is rolled back and they are not stored under the request's Idempotency-Key.
NOT_STORED = frozenset({401, 429})


def kept(status: int) -> bool:
    """Whether a write request answered ``status`` commits (and stores its answer)."""
    return status < 500 and status not in NOT_STORED


@dataclass
class RequestUnit:
    """The one write transaction of one HTTP request (see :mod:`desk_tui.server.idempotency`).

    Inside a request, every ``Database.transaction()`` block is a savepoint of this one
    transaction, and reads see its writes; nothing is committed until the request's answer is
    known and stored beside its changes, so a crash at any instant leaves both or neither.
    """

    #: runs first in the transaction, before any route work (the Idempotency-Key's claim)
    on_begin: Callable[[Session], None] | None = None
    #: runs last in the transaction, with the answer: status, headers, body (its stored answer)
    on_answer: Callable[[Session, int, list[tuple[bytes, bytes]], bytes], None] | None = None
    session: Session | None = None

    def settle(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Commit with the answer stored, or roll back, as the answer's status says (:func:`kept`)."""
        keep = kept(status)
        on_answer = self.on_answer

        def store(s: Session) -> None:
            assert on_answer is not None
            on_answer(s, status, headers, body)

        self.finish(commit=keep, before_commit=store if keep and on_answer is not None else None)

    def finish(self, *, commit: bool, before_commit: Callable[[Session], None] | None = None) -> None:
        """Commit (after ``before_commit``) or roll back, and let go of the connection."""
        if self.session is None:
            return
        try:
            if commit:
                if before_commit is not None:
                    before_commit(self.session)
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()
            self.session = None


_unit: ContextVar[RequestUnit | None] = ContextVar("desk_request_unit", default=None)


@dataclass
class HandedOver:
    """The sign-in check's session, kept open for the request's first use of the database.

    Every request checked out a pooled connection for its sign-in check and another for its work:
    a second checkout, BEGIN and ROLLBACK per request (issue 17). Now the sign-in check's session
    (still in its transaction) is taken over by the route's first ``read_session()`` or, on
    PostgreSQL, by its write transaction. A request that never takes it over lets go of it when
    its answer starts (:func:`let_go`), so an open event stream holds no connection.
    """

    session: Session | None = None

    def take(self) -> Session | None:
        session, self.session = self.session, None
        return session

    def close(self) -> None:
        session = self.take()
        if session is not None:
            session.close()


_handed_over: ContextVar[HandedOver | None] = ContextVar("desk_handed_over", default=None)


@contextmanager
def handing_over() -> Iterator[HandedOver]:
    """Let this request's sign-in check hand its session on (see :class:`HandedOver`)."""
    slot = HandedOver()
    reset = _handed_over.set(slot)
    try:
        yield slot
    finally:
        _handed_over.reset(reset)


@contextmanager
def request_unit(unit: RequestUnit) -> Iterator[RequestUnit]:
    """Make ``unit`` the transaction of every ``Database.transaction()`` in this context (the
    route's worker thread inherits it: Starlette copies the context into its thread pool)."""
    reset = _unit.set(unit)
    try:
        yield unit
    finally:
        _unit.reset(reset)


def current_unit() -> RequestUnit | None:
    return _unit.get()


def current_handover() -> HandedOver | None:
    return _handed_over.get()


def let_go_of_handed_over(*, keep: bool = False) -> Session | None:
    """The handed-over session to carry on with (``keep``), or None after closing it."""
    slot = _handed_over.get()
    if slot is None:
        return None
    if keep:
        return slot.take()
    slot.close()
    return None
