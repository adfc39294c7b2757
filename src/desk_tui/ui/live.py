"""Live updates: the one place the app's event stream runs and hands events to the screens.

The stream is an asyncio task the app owns, not a Textual worker: it runs for as long as someone
is signed in, and a worker that never completes would hold up everything that waits for the
app's workers to finish (tests, snapshots, the benchmark). It is cancelled at sign-out, at the
next sign-in (the stream belongs to a token and a location) and when the app exits.

Events reach screens through the app's ``live_events`` signal (messages up, attributes down):
a screen subscribes on mount and refetches what it shows when an event is about it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk_tui.client.events import LiveStream
    from desk_tui.ui.session import SessionApp

log = logging.getLogger(__name__)


class LiveUpdates:
    def __init__(self, app: SessionApp) -> None:
        self.app = app
        self.stream: LiveStream | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        from desk_tui.client.events import LiveStream

        self.stop()
        self.stream = LiveStream(self.app.client, on_event=self.app.live_events.publish, on_state=self._state)
        self.app.live = "connecting"
        self._task = asyncio.get_running_loop().create_task(self._run(self.stream), name="live-updates")

    async def _run(self, stream: LiveStream) -> None:
        try:
            await stream.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the live update stream failed")
            self.app.live = "down"

    def _state(self, up: bool) -> None:
        self.app.live = "up" if up else "down"

    def nudge(self) -> None:
        if self.stream is not None:
            self.stream.nudge()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = None
        self.stream = None
        self.app.live = "off"
