"""Helpers that wait on conditions (never on the clock) while a Pilot drives the app."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.worker import WorkerFailed

DEADLINE_STEPS = 400


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app process events until ``condition`` holds; fail with ``what`` if it never does."""
    for _ in range(DEADLINE_STEPS):
        if condition():
            return
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # failures are the app's to report (notifications); tests assert on those
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for: {what}")


async def sign_in(pilot: Pilot, username: str = "reception", pin: str = "1111") -> None:
    from desk_tui.ui.screens.login import LoginScreen

    app = pilot.app
    await wait_until(pilot, lambda: app.connection_state == "ready", "the connection")
    await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
    # typed as a receptionist does: username, Enter, PIN, Enter — keyboard only
    await pilot.press(*username, "enter", *pin, "enter")
    await wait_until(pilot, lambda: app.signed_in is not None and not isinstance(app.screen, LoginScreen), "sign-in")
