"""A request body is refused once it is larger than its route can use, before anyone buffers it.

Pure ASGI and the outermost middleware, so it runs before the idempotency middleware reads a
body into memory to fingerprint it, and before authentication: a caller with no token cannot
make the server hold hundreds of megabytes. A declared ``Content-Length`` over the limit is
answered 413 at once without reading a byte; a body without one (chunked) is counted as it
arrives and refused the moment it passes the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.errors import problem

#: JSON bodies of every route are far below this (a 50-line sale is a few kB)
DEFAULT_LIMIT = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes its limit. An HTTPException, so FastAPI's
    body parsing lets it through and the one error handler answers ``payload_too_large``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _sentence(limit))
        self.limit = limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_LIMIT, per_path: dict[str, int] | None = None) -> None:
        """``per_path``: exact request paths that may send more (or less) than ``default``."""
        self.app = app
        self.default = default
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await problem(ProblemCode.PAYLOAD_TOO_LARGE, _sentence(limit), headers={"Connection": "close"})(scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            # Raised where no handler turns it into a response (the idempotency middleware
            # reads bodies before any route runs): answer here, unless an answer is under way.
            if started:
                raise
            await problem(ProblemCode.PAYLOAD_TOO_LARGE, exc.detail, headers={"Connection": "close"})(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _sentence(limit: int) -> str:
    return f"The request body is larger than {limit // 1024:,} KiB, the most this request accepts."
