"""Keys typed ahead reach the widget they were typed for.

Textual hands each key from the terminal to whatever has the focus when the App reads it. A
burst is read all at once: a fast typist's `reception⇥1111⏎`, `s deep⏎` typed as the service
list opens, or keystrokes an SSH link delivered together. So every key after a Tab, after an
Enter that moves to the next field, or after a key that opens a dialog went to the old widget:
the PIN landed in the username. Here the App passes a key on only when it has finished with the
one before (every message queue in the app drained), as if the keys had been typed slowly. A
key alone, typed at human speed, goes straight through.

A key whose screen comes from the server (w opens a cart once the server has made it) takes a
:class:`KeyHold` in its handler and releases it once that screen is pushed: the keys typed
meanwhile wait for the cart instead of reaching the list behind it.

"Settled" is read through Textual's public API only: the app's and every node's
``message_queue_size`` and ``Widget.is_mounted``, over the screens of ``screen_stack`` and
their ``walk_children``. tests/ui/test_type_ahead.py pins it (a key typed into a dialog that
is still mounting), so a Textual upgrade that changes what these mean fails there.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.widget import Widget

#: A key never waits longer than this for the app to finish with the one before: a handler
#: that awaits something slow inline must not freeze the keyboard.
SETTLE_LIMIT = 1.0
#: Turns of the event loop spent polling without pause before polling every 5 ms instead.
EAGER_TURNS = 50
#: How long keys wait for a screen that comes from the server before they go where they can.
HOLD_LIMIT = 5.0


class KeyHold:
    """Keys typed from now on wait until :meth:`release` (or :data:`HOLD_LIMIT`)."""

    def __init__(self, holds: HoldCount) -> None:
        self._holds: HoldCount | None = holds
        holds.taken += 1

    def release(self) -> None:
        if self._holds is not None:
            self._holds.taken -= 1
            self._holds = None


class HoldCount:
    """How many :class:`KeyHold` are taken and not yet released."""

    def __init__(self) -> None:
        self.taken = 0


class TypeAheadApp(App[int]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[events.Key] = deque()
        self._released: events.Key | None = None
        self._releasing = False
        self._releaser: asyncio.Task[None] | None = None  # kept: the loop holds tasks only weakly
        self._holds = HoldCount()

    def hold_keys(self) -> KeyHold:
        """Call in the key's own handler (not in a worker: the next key may already be read)."""
        return KeyHold(self._holds)

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
        elif event is self._released:
            self._released = None
            await super().on_event(event)
        elif self._typed_ahead or self._busy():
            # What the keys before it set off is still going on: hold this one back. A key on
            # its own, at human speed, finds the app idle and costs one look at the queues.
            self._typed_ahead.append(event)
            if not self._releasing:
                self._releasing = True
                self._releaser = asyncio.get_running_loop().create_task(self._release_when_settled())
        else:
            await super().on_event(event)

    async def _release_when_settled(self) -> None:
        """Hand the held keys back to the app one at a time, each once the app has settled."""
        loop = asyncio.get_running_loop()
        try:
            while self._typed_ahead and self.is_running:
                deadline = loop.time() + (HOLD_LIMIT if self._holds.taken else SETTLE_LIMIT)
                turns = 0
                while (self._busy() or self._released is not None) and loop.time() < deadline:
                    turns += 1
                    await asyncio.sleep(0 if turns < EAGER_TURNS else 0.005)
                self._released = self._typed_ahead.popleft()
                self.post_message(self._released)
                await asyncio.sleep(0)
        finally:
            self._releasing = False

    def _busy(self) -> bool:
        """A key is held, or some node still has messages waiting, or is still being mounted (a
        dialog the last key opened is not ready for the next one until its widgets are there to
        take the focus). Only the screens of the current stack count: a key goes to one of them."""
        if self._holds.taken or self.message_queue_size:
            return True
        return any(node.message_queue_size or not node.is_mounted
                   for screen in self.screen_stack for node in screen.walk_children(Widget, with_self=True))
