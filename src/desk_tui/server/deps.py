"""FastAPI dependencies every router shares: the database and the signed-in principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from fastapi import Depends, Request

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth import service as auth
from desk_tui.server.auth.principal import SCOPE_KEY, Principal, set_asking
from desk_tui.server.database import Database
from desk_tui.server.errors import DomainError


async def database(request: Request) -> Database:
    """Async, like the other dependencies here, because FastAPI runs a plain ``def`` dependency
    in its thread pool: a thread hop per request (two context switches on a busy machine) to read
    an attribute."""
    db: Database = request.app.state.db
    return db


async def signed_in(request: Request, db: Database = Depends(database)) -> Principal:
    """The request's principal. Async so that it runs on the request's own task: the principal it
    leaves in the context (with the settings its statement read) is then the route thread's too."""
    known: Principal | None = request.scope.get(SCOPE_KEY)
    if known is None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
            raise DomainError(ProblemCode.UNAUTHENTICATED, "Sign in first: this request carries no valid token.")
        known = await anyio.to_thread.run_sync(_authenticate, db, token.strip())
    set_asking(known)
    return known


def _authenticate(db: Database, token: str) -> Principal:
    with db.sign_in_session() as s:
        return auth.authenticate(s, token)


def role_at_least(role: str) -> Callable[..., Awaitable[Principal]]:
    async def check(me: Principal = Depends(signed_in)) -> Principal:  # async: see database()
        if not me.at_least(role):
            raise DomainError(ProblemCode.FORBIDDEN_ROLE, f"Only a {role} or above can do this; you are signed in as {me.role}.")
        return me

    return check


manager = role_at_least("manager")
owner = role_at_least("owner")
