"""ETag / If-None-Match for every cacheable GET, so the client's cache revalidates cheaply."""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()
        passthrough = False

        async def buffer(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] != 200 or not ctype.startswith(b"application/json"):
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None  # ASGI sends a response's start before its body
            etag = 'W/"' + hashlib.blake2b(bytes(body), digest_size=16).hexdigest() + '"'
            wanted = {t.strip() for t in _header(scope, b"if-none-match").split(",")}
            headers = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"etag")]
            headers += [(b"etag", etag.encode()), (b"cache-control", b"private, no-cache")]
            if etag in wanted or "*" in wanted:
                headers = [(k, v) for k, v in headers if k != b"content-type"]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": bytes(body)})

        await self.app(scope, receive, buffer)


def _header(scope: Scope, name: bytes) -> str:
    for k, v in scope.get("headers", []):
        if k == name:
            value: str = v.decode("latin-1")
            return value
    return ""
