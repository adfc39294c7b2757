"""FastAPI dependencies every router shares: the database and the signed-in principal."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from fastapi import Depends, Request, Response

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth import service as auth
from desk_tui.server.auth.principal import PENDING_KEY, Principal, set_asking
from desk_tui.server.database import Database
from desk_tui.server.desk_threads import desk_threads
from desk_tui.server.errors import AnsweredBefore, DomainError
from desk_tui.server.request_scope import current_unit

Route = TypeVar("Route", bound=Callable[..., Any])

#: set on an endpoint made by :func:`one_thread`
_FOLDS = "__desk_one_thread__"


async def database(request: Request) -> Database:
    """Async, like the other dependencies here, because FastAPI runs a plain ``def`` dependency
    in its thread pool: a thread hop per request (two context switches on a busy machine) to read
    an attribute."""
    db: Database = request.app.state.db
    return db


async def signed_in(request: Request, db: Database = Depends(database)) -> Principal:
    """The request's principal. Async so that it runs on the request's own task: the principal it
    leaves in the context (with the settings its statement read) is then the route thread's too.

    For a route made by :func:`one_thread` the token's statement is left to the
    route's own thread (a :class:`PendingSignIn` stands in for the principal until then)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        raise DomainError(ProblemCode.UNAUTHENTICATED, "Sign in first: this request carries no valid token.")
    # a write's Idempotency-Key is looked up with the check (idempotency_keys.KeyLookup)
    pending = request.scope.get(PENDING_KEY)
    if not isinstance(pending, PendingSignIn):
        pending = request.scope[PENDING_KEY] = PendingSignIn(db, token.strip())
    if getattr(request.scope.get("endpoint"), _FOLDS, False):
        return pending  # type: ignore[return-value]  # the endpoint's wrapper swaps it for the principal
    return await pending.checked()


def _authenticate(db: Database, token: str) -> Principal:
    with db.sign_in_session() as s:
        return auth.authenticate(s, token)


class PendingSignIn:
    """A sign-in check not yet made: the route's own thread makes it before the route runs.

    A signed-in GET took two trips through the thread pool, one for the token's statement and one
    for the route (each a wake-up of a pool thread and of the event loop, and a wait for the
    interpreter lock on a busy worker); now it takes one. Nothing of the route runs before the
    check, and the check's session is handed on to the route as before."""

    __slots__ = ("db", "principal", "refusal", "token")

    def __init__(self, db: Database, token: str) -> None:
        self.db = db
        self.token = token
        self.principal: Principal | None = None
        self.refusal: DomainError | None = None

    def check(self) -> Principal:
        """The principal (the token's statement made once); raises 401 as ``signed_in`` would."""
        if self.principal is None and self.refusal is None:
            self._make()
        return self._known()

    async def checked(self) -> Principal:
        """The same from the event loop (a dependency or an error handler that needs it first)."""
        if self.principal is None and self.refusal is None:
            await anyio.to_thread.run_sync(self._make)
        return self._known()

    def _make(self) -> None:
        try:
            self.principal = _authenticate(self.db, self.token)
        except DomainError as refusal:
            self.refusal = refusal

    def _known(self) -> Principal:
        if self.refusal is not None:
            raise self.refusal
        assert self.principal is not None
        set_asking(self.principal)
        return self.principal


def one_thread(route: Route) -> Route:
    """A plain ``def`` route whose request takes one trip through the thread pool, not two or three:
    its sign-in check (see :class:`PendingSignIn`) and, for a write, its commit (with the answer
    stored under the request's Idempotency-Key, :meth:`RequestUnit.settle`) run in the route's own
    thread, before and after it, instead of in trips of their own.

    For a route that depends on nothing but ``signed_in`` and ``database`` (a role check makes
    the check at once). A refusal that FastAPI makes before the route runs (a parameter that is
    not valid) still answers 401 first when the token is not good (errors.py checks it first).
    The commit is made only for an answer made by the route (a ``Response``), the same answer the
    idempotency middleware then sends; otherwise the middleware settles the transaction as before."""

    def in_thread(values: dict[str, Any]) -> Any:
        try:
            for name, value in values.items():
                if isinstance(value, PendingSignIn):
                    values[name] = value.check()
        except AnsweredBefore as earlier:
            return earlier.answer
        answer = route(**values)
        unit = current_unit()
        if unit is not None and unit.session is not None and isinstance(answer, Response):
            unit.settle(answer.status_code, answer.raw_headers, bytes(answer.body))
        return answer

    # Async, so that FastAPI awaits it on the request's task instead of giving it a thread of the
    # shared pool: it takes one of the desk's own (server/desk_threads.py).
    @functools.wraps(route)
    async def run(**values: Any) -> Any:
        return await anyio.to_thread.run_sync(in_thread, values, limiter=desk_threads())

    setattr(run, _FOLDS, True)
    return run  # type: ignore[return-value]


def role_at_least(role: str) -> Callable[..., Awaitable[Principal]]:
    async def check(me: Principal = Depends(signed_in)) -> Principal:  # async: see database()
        if isinstance(me, PendingSignIn):
            me = await me.checked()
        if not me.at_least(role):
            raise DomainError(ProblemCode.FORBIDDEN_ROLE, f"Only a {role} or above can do this; you are signed in as {me.role}.")
        return me

    return check


manager = role_at_least("manager")
owner = role_at_least("owner")
