"""Domain errors and the one place that turns every failure into RFC 9457 problem+json.

Services raise :class:`DomainError` with a stable ``code`` (docs/api.md); routes never build
error responses by hand. Anything unexpected still leaves as problem+json, never a bare 500
page, and is logged with enough context to find it again.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("desk_tui.server")

PROBLEM_JSON = "application/problem+json"

#: code → (HTTP status, title). Titles are stable; ``detail`` says what happened this time.
CODES: dict[str, tuple[int, str]] = {
    "validation_error": (422, "The request is not valid"),
    "idempotency_key_reused": (422, "This Idempotency-Key was used for a different request"),
    "unauthenticated": (401, "Sign-in required"),
    "invalid_credentials": (401, "Wrong username or PIN"),
    "forbidden_role": (403, "Your role does not allow this"),
    "manager_approval_required": (403, "A manager's approval is needed"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Not allowed"),
    "version_conflict": (412, "Someone else changed this first"),
    "request_in_progress": (409, "The same request is still being processed"),
    "duplicate": (409, "Already exists"),
    "insufficient_units": (409, "Not enough units left"),
    "card_expired": (409, "The card has expired"),
    "card_not_active": (409, "The card is not active"),
    "service_not_in_package": (409, "The service is not part of this package"),
    "service_not_offered_here": (409, "The service is not offered at this location"),
    "card_expires_before_appointment": (409, "The card expires before the appointment"),
    "credit_exhausted": (409, "No credit left this period"),
    "already_undone": (409, "Already undone"),
    "staff_double_booked": (409, "The staff member is already booked then"),
    "sale_not_balanced": (409, "Payments do not add up to the total"),
    "insufficient_store_credit": (409, "Not enough store credit"),
    "package_inactive": (409, "The package is not for sale"),
    "invalid_transition": (409, "Not possible in the current state"),
    "appointment_not_yet": (409, "The appointment's day has not come yet"),
    "sale_of_another_customer": (409, "The sale is not the card holder's"),
    "too_many_attempts": (429, "Too many attempts"),
    "payload_too_large": (413, "The request is too large"),
    "internal_error": (500, "Something went wrong on the server"),
    "server_busy": (503, "The server is busy"),
}


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
    def __init__(self, code: str, detail: str, **extra: object) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = (field_errors(detail) | extra) if code == "validation_error" else extra

    @property
    def status(self) -> int:
        return CODES[self.code][0]


def problem(code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    status, title = CODES[code]
    body = {
        "type": f"https://desk-tui.invalid/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


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


_STATUS_CODES = {401: "unauthenticated", 403: "forbidden_role", 404: "not_found", 405: "method_not_allowed",
                 413: "payload_too_large", 422: "validation_error", 429: "too_many_attempts"}


#: How long an overloaded server asks callers to wait before trying again.
BUSY_RETRY_AFTER = 2


def is_overload(exc: BaseException) -> bool:
    """Out of database connections rather than broken: every pooled connection stayed busy for
    the pool's whole wait, or PostgreSQL refused one more client (SQLSTATE 53300)."""
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) == "53300"


def busy_problem() -> JSONResponse:
    return problem("server_busy", "The server is busy right now; nothing was changed. Try again in a moment.",
                   headers={"Retry-After": str(BUSY_RETRY_AFTER)})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        # Said twice on purpose: the header for HTTP clients and proxies, the field for people reading the body.
        wait = exc.extra.get("retry_after")
        return problem(exc.code, exc.detail, headers={"Retry-After": str(wait)} if wait is not None else None,
                       **exc.extra)

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
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = _describe_validation(exc)
        first = errors[0]["field"] if errors else "body"
        if first == "body":
            return problem("validation_error", detail, errors=errors)
        return problem("validation_error", detail, errors=errors, field=first)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code)
        if code is None:
            code = "validation_error" if 400 <= exc.status_code < 500 else "internal_error"
        detail = exc.detail if isinstance(exc.detail, str) else CODES[code][1]
        return problem(code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Also where a middleware's failure lands (the idempotency claim needs a connection too).
        if is_overload(exc):
            log.warning("overloaded on %s %s: %s", request.method, request.url.path, exc)
            return busy_problem()
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem("internal_error", "The server could not finish this request; nothing was changed.")
