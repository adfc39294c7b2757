"""Helpers that wait on conditions (never on the clock alone) while a Pilot drives the app."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot

from desk_tui.ui.connection_state import ConnectionState

#: generous: the machine may be busy; a condition that holds returns at once
DEADLINE_SECONDS = 30.0


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app process events until ``condition`` holds; fail with ``what`` if it never does.

    It does not wait for every worker to finish: a worker may be waiting for the user (a
    dialog opened with push_screen_wait), which is exactly when the test must act.
    """
    deadline = time.monotonic() + DEADLINE_SECONDS
    last_error: Exception | None = None
    while True:
        try:
            if condition():
                return
        except Exception as exc:  # e.g. NoMatches while a list is being rebuilt: not yet
            last_error = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}") from last_error
        await pilot.pause(0.02)


async def sign_in(pilot: Pilot, username: str = "reception", pin: str = "1111") -> None:
    from textual.widgets import Select

    from desk_tui.ui.screens.login import LoginScreen

    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
    await wait_until(pilot, lambda: app.screen.query_one("#location", Select).value is not Select.BLANK,
                     "the location chosen")
    # typed as a receptionist does: username, Enter, PIN, Enter — keyboard only. In one burst, as a
    # quick typist's keys arrive: `pilot.press` would let the app go idle after each of the 15 keys,
    # which costs a second or two of every test that merely starts signed in. Typing key by key is
    # what the tests about sign-in do (test_sign_in_failures.py, test_plain_http_sign_in.py), and
    # test_type_ahead.py checks that such a burst lands where it was typed.
    burst(pilot, *username, "enter", *pin, "enter")
    await wait_until(pilot, lambda: app.signed_in is not None and not isinstance(app.screen, LoginScreen), "sign-in")
    await pilot.pause()  # and settled, as the last key pressed would leave it: the calendar drawn


_CHARACTERS = {"enter": "\r", "tab": "\t", "escape": "\x1b", "space": " "}


def burst(pilot: Pilot, *keys: str) -> None:
    """Deliver ``keys`` the way a terminal read does when they arrive together (a fast typist,
    a paste, an SSH packet): all at once, without waiting for the app between them as
    ``pilot.press`` does. Each of ``keys`` is one key: a character or a name such as "enter"."""
    from textual import events

    for key in keys:
        pilot.app.post_message(events.Key(key, _CHARACTERS.get(key, key if len(key) == 1 else None)))


async def reach(pilot: Pilot, screen_type: type, *keys: str, what: str) -> object:
    """Press ``keys`` and wait until the app shows a ``screen_type``; returns that screen."""
    await pilot.press(*keys)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type), what)
    return pilot.app.screen


async def hold_cursors_still(pilot: Pilot) -> None:
    """A blinking cursor is drawn or not depending on the moment of a snapshot: show it, still."""
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def notifications(app: App[Any]) -> list[Notification]:
    """What the app has said in toasts and not yet dismissed, oldest first. Textual keeps them in a
    private list and offers no reader: this is the one place the tests read it."""
    return list(app._notifications)
