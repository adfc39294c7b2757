"""A real uvicorn server on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import uvicorn

from desk_tui.server.app import ServerSettings, create_app
from desk_tui.server.loopback import loopback_socket
from desk_tui.server.serve import prepare
from tests.support.demo_copy import fill_with_demo, seeds_its_own_demo
from tests.support.quick_pins import quick_demo_pins

T = TypeVar("T")


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        self.loop = asyncio.get_running_loop()
        self.ready.set()


class LiveServer:
    def __init__(self, db_url: str, *, demo: bool = True, port: int = 0, lifespan: bool = False,
                 product_pins: bool = False, **settings) -> None:
        """``lifespan``: run the server's own background work (housekeeping); off by default so
        that what a test sees depends on its requests alone. ``product_pins``: the demo accounts'
        PINs hashed at the product's argon2 cost, not the tests' cheap one (quick_pins.py).
        ``settings``: ServerSettings fields."""
        self.db_url = db_url
        if demo:
            fill_with_demo(db_url, product_pins=product_pins)
        self.database = prepare(db_url, demo=demo)
        if demo and not product_pins and seeds_its_own_demo():
            quick_demo_pins(self.database)  # as a copy's (demo_copy.py)
        self.app = create_app(ServerSettings(db_url=db_url, demo=demo, **settings), database=self.database)
        self._sock = loopback_socket(port, reuse=True)  # a given port: "the server came back"
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = _Server(uvicorn.Config(self.app, log_level="warning", access_log=False,
                                                   lifespan="on" if lifespan else "off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True,
                                         name=f"uvicorn:{self.port}")

    def start(self) -> LiveServer:
        self._thread.start()
        if not self._server.ready.wait(20):
            raise RuntimeError("the API server did not start within 20 s")
        return self

    def stop(self) -> None:
        # Open event streams end first: uvicorn waits for every open response before it stops, and
        # this server runs in a thread, where the signal handlers that would end them are not set.
        self.app.state.events.close()
        self._server.should_exit = True
        self._thread.join(20)
        self._sock.close()
        self.database.dispose()

    def in_loop(self, step: Callable[[], Awaitable[T]], timeout: float = 20) -> T:
        """``step()`` run in the server's event loop (where its thread limiters live)."""
        assert self._server.loop is not None, "the server has not started"
        return asyncio.run_coroutine_threadsafe(step(), self._server.loop).result(timeout)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
