"""``GET /healthz``: is this server able to answer, database included? For load balancers, uptime
checks and `desk-tui doctor`; no token, so a probe needs no account.

Outside ``/v1`` on purpose: it describes the process, not the API version, and proxies commonly
look for it at the root. ``/v1/health`` stays what a desk asks (version, demo or live data).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy.exc import DBAPIError

from desk_tui.contract.problems import ProblemCode as P
from desk_tui.server.database import Database
from desk_tui.server.errors import DomainError, is_overload

router = APIRouter(tags=["meta"])
log = logging.getLogger(__name__)


@router.get("/healthz", summary="Whether the server and its database answer (no token)",
            responses={503: {"description": "The database cannot be reached (`database_unavailable`).",
                             "content": {"application/problem+json": {}}}})
def healthz(request: Request) -> dict[str, str]:
    db: Database = request.app.state.db
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").scalar_one()
    except DBAPIError as exc:
        if is_overload(exc):
            raise  # every connection is in use: busy (503 server_busy), not broken
        log.warning("health check: the database cannot be reached: %s", exc)
        raise DomainError(P.DATABASE_UNAVAILABLE, "The database cannot be reached.") from exc
    return {"status": "ok", "database": "ok"}
