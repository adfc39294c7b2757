"""Domain errors and the one place that turns every failure into RFC 9457 problem+json.

Services raise :class:`DomainError` with a stable ``code``, a :class:`ProblemCode` (docs/api.md,
contract/problems.py: the client maps the same codes); routes never build
error responses by hand. Anything unexpected still leaves as problem+json, never a bare 500
page, and is logged with enough context to find it again.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from desk_tui.contract.common import Problem
from desk_tui.contract.problems import BY_STATUS, STATUS_AND_TITLE, ProblemCode
from desk_tui.server.auth.principal import PENDING_KEY

log = logging.getLogger("desk_tui.server")

PROBLEM_JSON = "application/problem+json"

#: "lines.0.source.card_id: this card belongs to another customer." — a service's refusal of
#: one field says the field's path first, as the request spells it
_FIELD_FIRST = re.compile(r"(?P<field>[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (?P<message>.+)", re.DOTALL)


def field_errors(detail: str) -> dict[str, object]:
    """The ``field`` and ``errors`` members of a service's ``validation_error``, read from its
    detail: every refusal names the input it is about the same way FastAPI's own validation
    does, so a desk can put the sentence on that input."""
    found = _FIELD_FIRST.fullmatch(detail.strip())
    if found is None:
        return {}
    error = {"field": found["field"], "message": found["message"]}
    return {"field": found["field"], "errors": [error]}


class DomainError(Exception):
    def __init__(self, code: ProblemCode, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.code = ProblemCode(code)  # an unknown code is a ValueError here, not a 500 later
        self.detail = detail
        self.extra = (field_errors(detail) | extra) if self.code == ProblemCode.VALIDATION_ERROR else extra

    @property
    def status(self) -> int:
        return STATUS_AND_TITLE[self.code][0]


def problem(code: ProblemCode, detail: str, *, headers: dict[str, str] | None = None,
            **extra: object) -> JSONResponse:
    status, title = STATUS_AND_TITLE[code]
    body = Problem(type=f"https://desk-tui.invalid/problems/{code.replace('_', '-')}", title=title, status=status,
                   detail=detail, code=code, **extra)
    # exclude_unset: ``errors`` appears only on the problems that list fields
    return JSONResponse(body.model_dump(mode="json", exclude_unset=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def _describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    errors = []
    for err in exc.errors()[:20]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", ""))[:200]})
    if not errors:
        return "The request is not valid.", []
    first = errors[0]
    if first["field"] == "body" or "JSON" in first["message"]:
        return "The request body is not valid JSON of the expected shape.", errors
    return f"{first['field']}: {first['message']}", errors


#: How long an overloaded server asks callers to wait before trying again.
BUSY_RETRY_AFTER = 2


def is_overload(exc: BaseException) -> bool:
    """Out of database connections rather than broken: every pooled connection stayed busy for
    the pool's whole wait, or PostgreSQL refused one more client (SQLSTATE 53300)."""
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) == "53300"


def busy_problem() -> JSONResponse:
    return problem(ProblemCode.SERVER_BUSY, "The server is busy right now; nothing was changed. Try again in a moment.",
                   headers={"Retry-After": str(BUSY_RETRY_AFTER)})


class AnsweredBefore(Exception):
    """An Idempotency-Key's stored answer (or why it cannot be had), found by the request's sign-in
    check (idempotency_keys.KeyLookup): sent instead of running the route."""

    def __init__(self, answer: Response) -> None:
        super().__init__("answered before")
        self.answer = answer


async def _said_first(request: Request) -> Response | None:
    """What a sign-in check left to the route's thread (deps.PendingSignIn) and not made yet says
    first: a request refused before its route ran is refused for its token (or answered from its
    Idempotency-Key) first, as before the check moved, so a caller without a good token learns
    nothing else about its request, and a retry gets its first answer whatever else is wrong."""
    pending = request.scope.get(PENDING_KEY)
    if pending is None:
        return None
    try:
        await pending.checked()
    except DomainError as refusal:
        return _refused(refusal)
    except AnsweredBefore as earlier:
        return earlier.answer
    return None


def _refused(exc: DomainError) -> JSONResponse:
    # Said twice on purpose: the header for HTTP clients and proxies, the field for people reading the body.
    wait = exc.extra.get("retry_after")
    return problem(exc.code, exc.detail, headers={"Retry-After": str(wait)} if wait is not None else None,
                   **exc.extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return await _said_first(request) or _refused(exc)

    @app.exception_handler(AnsweredBefore)
    async def _answered_before(_: Request, exc: AnsweredBefore) -> Response:
        return exc.answer

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free in time: %s", exc)
        return busy_problem()

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        if is_overload(exc):
            log.warning("the database refused a connection: %s", exc)
            return busy_problem()
        return await _unexpected(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if (said := await _said_first(request)) is not None:
            return said
        detail, errors = _describe_validation(exc)
        first = errors[0]["field"] if errors else "body"
        if first == "body":
            return problem(ProblemCode.VALIDATION_ERROR, detail, errors=errors)
        return problem(ProblemCode.VALIDATION_ERROR, detail, errors=errors, field=first)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if (said := await _said_first(request)) is not None:
            return said
        code = BY_STATUS.get(exc.status_code)
        if code is None:
            code = ProblemCode.VALIDATION_ERROR if 400 <= exc.status_code < 500 else ProblemCode.INTERNAL_ERROR
        detail = exc.detail if isinstance(exc.detail, str) else STATUS_AND_TITLE[code][1]
        return problem(code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Also where a middleware's failure lands (the idempotency claim needs a connection too).
        if is_overload(exc):
            log.warning("overloaded on %s %s: %s", request.method, request.url.path, exc)
            return busy_problem()
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(ProblemCode.INTERNAL_ERROR, "The server could not finish this request; nothing was changed.")
