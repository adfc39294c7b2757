"""The FastAPI application factory: routers, middleware and error handlers, nothing else."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from pydantic.warnings import UnsupportedFieldAttributeWarning
from starlette.middleware.trustedhost import TrustedHostMiddleware

from desk_tui import __version__
from desk_tui.server import housekeeping
from desk_tui.server.appointments.routes import customer_router as customer_appointments_router
from desk_tui.server.appointments.routes import router as appointments_router
from desk_tui.server.auth.gate import SignInGate
from desk_tui.server.auth.routes import router as auth_router
from desk_tui.server.body_limit import BodyLimitMiddleware
from desk_tui.server.cards.routes import IMPORT_MAX_BYTES
from desk_tui.server.cards.routes import router as cards_router
from desk_tui.server.customers.routes import router as customers_router
from desk_tui.server.database import Database
from desk_tui.server.desk_threads import DESK_THREADS, desk_threads
from desk_tui.server.errors import install_error_handlers
from desk_tui.server.etag import ETagMiddleware
from desk_tui.server.events import service as events
from desk_tui.server.events.broker import Broker
from desk_tui.server.events.routes import router as events_router
from desk_tui.server.health import router as health_router
from desk_tui.server.idempotency import IdempotencyMiddleware
from desk_tui.server.logs import RequestIdMiddleware
from desk_tui.server.memberships.routes import router as memberships_router
from desk_tui.server.packages.routes import router as packages_router
from desk_tui.server.reference.routes import router as reference_router
from desk_tui.server.reports.routes import router as reports_router
from desk_tui.server.sales.routes import router as sales_router
from desk_tui.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "request_threads"]

# FastAPI wraps each request body's model as Annotated[Model, Field(alias=<parameter name>)]; our
# wire models build lazily (defer_build, for the client's start-up), and pydantic >= 2.12 warns
# about that alias when it builds the wrapper later, though the body validates and documents as
# it should (the OpenAPI document test holds it). The same filter is in pytest's settings.
warnings.filterwarnings("ignore", message="The 'alias' attribute with value 'body'",
                        category=UnsupportedFieldAttributeWarning)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    request_threads(app.state.db, app.state.settings.desk_threads)
    async with housekeeping.lifespan(app):
        try:
            yield
        finally:
            await app.state.events.stop()


def request_threads(db: Database, desk: int = DESK_THREADS) -> int:
    """No more threads for the routes than the worker has pooled connections (PostgreSQL): with 40
    threads over 30 connections, ten requests at a time held a thread only to wait for a
    connection, and were answered 503 after 5 s. ``desk`` of them are the desk's busiest routes'
    own (server/desk_threads.py), the rest every other route's. Must run in the server's event
    loop; returns the threads of both."""
    shared = anyio.to_thread.current_default_thread_limiter()
    if not db.is_sqlite:
        pooled = db.engine.pool.size()  # type: ignore[attr-defined]
        desk = max(1, min(desk, pooled - 1))
        # A pool of one is shared by both rather than leave every other route without a thread.
        shared.total_tokens = max(1, pooled - desk)
    return int(shared.total_tokens + desk_threads(desk).total_tokens)


def create_app(settings: ServerSettings, database: Database | None = None) -> FastAPI:
    db = database or Database(settings.db_url, workers=settings.workers)
    app = FastAPI(
        title="desk-tui booking API",
        version=__version__,
        description="The booking API behind desk-tui. Errors are RFC 9457 problem+json with a stable `code`.",
        lifespan=_lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.sign_in_gate = SignInGate(workers=settings.workers)
    app.state.events = Broker(db.engine.url, channel=events.CHANNEL)
    install_error_handlers(app)

    # Each router straight on the app under /v1, not under a /v1 router of its own: FastAPI
    # matches a request against an included router's routes again at every level it is nested
    # in: with the extra level a request was tried against up to ~140 routes (a fifth of a
    # worker's Python time under the desk mix).
    @app.get("/v1/health", tags=["meta"])
    def health() -> dict[str, object]:
        return {"status": "ok", "version": __version__, "demo": settings.demo}

    # And the desk's busiest first, fewest routes per request of the mix first: a request is tried
    # against every route of the routers before its own (the order changes no answer: no two
    # routes take the same request).
    for router in (customers_router, sales_router, appointments_router, cards_router, auth_router,
                   reference_router, customer_appointments_router, memberships_router, packages_router,
                   reports_router, events_router):
        app.include_router(router, prefix="/v1")
    app.include_router(health_router)

    app.add_middleware(IdempotencyMiddleware, database=db)
    app.add_middleware(ETagMiddleware)
    # Outside those two: a body too large is refused before the idempotency middleware buffers it.
    app.add_middleware(BodyLimitMiddleware, per_path={"/v1/imports/cards": IMPORT_MAX_BYTES})
    if settings.allowed_hosts != ["*"]:
        # A request for another name (DNS rebinding, a misrouted proxy) is refused before any work.
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    # Outermost: every log line of a request, the access line and a refused host's included, has its id.
    app.add_middleware(RequestIdMiddleware)
    return app
