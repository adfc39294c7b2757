"""A real TCP proxy on loopback that can lose the server's answers: the line that drops after
the request got through.

Requests always reach the real server, which applies them and answers as usual; while
``lose_answers`` is set, the answer never reaches the client. ``hold=True`` keeps the client's
connection open with nothing coming back (the client times out, as behind a hung router);
otherwise the connection is closed the moment the answer arrives (as when a line drops).
While ``answer_instead`` holds an HTTP response, that is what the client gets in place of the
server's answer (a captive portal or a misconfigured gateway answering for the server).
While ``let_through`` is cleared, answers wait in the proxy until it is set again (a slow line:
the app has drawn and been typed into before the server's first answer reaches it).
It runs on the test's own event loop (asyncio streams), so Pilot tests can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit


class LossyProxy:
    def __init__(self, upstream_url: str, *, hold: bool = False) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.hold = hold
        self.lose_answers = False
        self.answer_instead: bytes | None = None
        self.lost = 0
        """Answer chunks the client never got (each means the server had finished a request)."""
        self.passed = bytearray()
        """Everything that did reach the client, to look for headers such as Idempotent-Replayed."""
        self.answer_lost = asyncio.Event()
        self.let_through = asyncio.Event()
        self.let_through.set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self.url = ""

    async def start(self) -> LossyProxy:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> LossyProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def replayed_answers(self) -> int:
        return bytes(self.passed).lower().count(b"\r\nidempotent-replayed: true\r\n")

    async def _connection(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            server_in, server_out = await asyncio.open_connection(*self._upstream)
        except OSError:
            client_out.close()
            self._tasks.discard(task)
            return
        up = asyncio.create_task(self._requests(client_in, server_out))
        down = asyncio.create_task(self._answers(server_in, client_out))
        try:
            await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in (up, down):
                t.cancel()
            for writer in (client_out, server_out):
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()
            self._tasks.discard(task)

    async def _requests(self, client_in: asyncio.StreamReader, server_out: asyncio.StreamWriter) -> None:
        while data := await client_in.read(65536):
            server_out.write(data)
            await server_out.drain()

    async def _answers(self, server_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        while data := await server_in.read(65536):
            await self.let_through.wait()
            if self.answer_instead is not None:
                self.lost += 1
                client_out.write(self.answer_instead)
                await client_out.drain()
                return  # and the connection closes, as the answer said
            if self.lose_answers:
                self.lost += 1
                self.answer_lost.set()
                if self.hold:
                    continue  # swallowed; the client waits until its timeout
                return  # the line drops: the client sees its connection closed, no answer
            self.passed += data
            client_out.write(data)
            await client_out.drain()
