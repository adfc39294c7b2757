"""One desk's HTTP/1.1 keep-alive connection to the API, over asyncio streams, for `make bench-api`.

httpx in threads cost the load generator ≈ 7 ms of CPU per request (0.42 of the two cores at
63 req/s), a third of what the server could have had, and fifty threads queued for their
interpreter lock inside the measured time. A desk needs little of a general client: one server,
one request at a time, answers with a Content-Length. The request's bytes are built directly and
the answer is read as a status line, headers and a body; that is all.

A connection the server has closed while the desk paused (uvicorn drops one idle for 5 s) is
made again before the next request, as httpx's pool does. A connection that breaks during a
request is not retried: the request is a failure, and the next one opens a new connection.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


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
        return answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is not None and self._writer is not None:
            if not self._reader.at_eof() and not self._writer.is_closing():
                return self._reader, self._writer
            self.close()  # the server closed it while the desk paused
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
