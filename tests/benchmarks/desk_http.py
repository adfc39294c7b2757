"""One desk's HTTP/1.1 keep-alive connection to the API, over asyncio streams, for `make bench-api`.

httpx in threads cost the load generator ≈ 7 ms of CPU per request (0.42 of the two cores at
63 req/s), a third of what the server could have had, and fifty threads queued for their
interpreter lock inside the measured time. A desk needs little of a general client: one server,
one request at a time, answers with a Content-Length. The request's bytes are built directly and
the answer is read as a status line, headers and a body; that is all.

A connection idle for ``IDLE`` seconds is closed by the desk and made again, before uvicorn
drops it (after 5 s idle): a desk that sent on it just as the server's timer fired saw it
dropped with the request unanswered (8 "dropped connections" in one phase A of a loaded
machine, where the server's loop ran its timer late). One the server closed anyway is made again
too, as httpx's pool does. A connection that breaks during a request is not retried: the request
is a failure, and the next one opens a new connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

#: seconds a kept connection may sit idle before the desk makes a new one (uvicorn's keep-alive: 5)
IDLE = 4.0


class ProtocolError(Exception):
    """The answer was not HTTP/1.1 as this client reads it."""


@dataclass(frozen=True)
class Answer:
    status: int
    #: header names in lower case; a repeated header keeps its last value
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class DeskConnection:
    """Requests to ``base`` (``http://host:port``) one at a time, each with the ``fixed`` headers."""

    def __init__(self, base: str, fixed: dict[str, str]) -> None:
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"a plain http://host:port is expected, not {base!r}")
        self.host, self.port = parts.hostname, parts.port
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{self.host}:{self.port}", **fixed}.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._idle_since = 0.0
        #: answers that came chunked (the routes of the mix answer with a Content-Length)
        self.chunked = 0

    async def request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                      body: object = None, headers: dict[str, str] | None = None) -> Answer:
        target = f"{path}?{urlencode(params)}" if params else path
        head = f"{method} {target} HTTP/1.1\r\n{self._fixed}"
        if headers:
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        payload = b""
        if body is not None:
            payload = json.dumps(body, separators=(",", ":")).encode()
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        reader, writer = await self._open()
        try:
            writer.write(head.encode("latin-1") + b"\r\n" + payload)
            answer, keep = await self._answer(reader, method)
        except BaseException:
            self.close()  # what is left on the connection is unknown: never reuse it
            raise
        if not keep:
            self.close()
        self._idle_since = time.monotonic()
        return answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is not None and self._writer is not None:
            fresh = time.monotonic() - self._idle_since < IDLE
            if fresh and not self._reader.at_eof() and not self._writer.is_closing():
                return self._reader, self._writer
            self.close()  # idle too long, or the server closed it while the desk paused
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def _answer(self, reader: asyncio.StreamReader, method: str) -> tuple[Answer, bool]:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")
        version, _, rest = lines[0].partition(" ")
        if not version.startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0]!r}")
        status = int(rest[:3])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            self.chunked += 1
            body = await _chunks(reader)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:  # neither: the body runs to the end of the connection
            body, keep = await reader.read(), False
        return Answer(status, headers, body), keep

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, up to the blank line
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError("a chunk did not end in CRLF")
