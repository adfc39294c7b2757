"""Quit when the terminal goes away.

Support's SSH link drops, or someone closes the tmux window the desk runs in: the terminal
hangs up. A SIGHUP that arrives would kill the app before it lets go of the embedded server;
and when none arrives (the terminal was not the process's controlling one) Textual's input
thread reads end-of-file in a loop and spins a core for ever. Both end in an orderly exit here.
"""

from __future__ import annotations

import asyncio
import logging
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from textual.app import App

log = logging.getLogger("desk_tui.ui")

# 128 + SIGHUP (1), what a shell reports for a program the hang-up ended.
HUNG_UP = 129


def quit_on_hangup(app: App[Any]) -> None:
    """Call from the running app; a headless app (tests) has no terminal to lose, and Windows
    consoles have neither SIGHUP nor poll()."""
    if app.is_headless or sys.__stdin__ is None or not hasattr(signal, "SIGHUP") or not hasattr(select, "poll"):
        return
    loop = asyncio.get_running_loop()

    def hung_up() -> None:
        if app.is_running and app.return_code is None:
            log.warning("The terminal hung up; quitting.")
            app.exit(return_code=HUNG_UP)

    loop.add_signal_handler(signal.SIGHUP, hung_up)
    threading.Thread(target=_wait_for_hangup, args=(sys.__stdin__.fileno(), loop, hung_up),
                     name="hangup", daemon=True).start()


def _wait_for_hangup(fd: int, loop: asyncio.AbstractEventLoop, hung_up: Callable[[], None]) -> None:
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: poll() returns only on hang-up, error or a closed fd
    while not poller.poll():
        pass
    try:
        loop.call_soon_threadsafe(hung_up)
    except RuntimeError:  # the app already ended and its loop is closed
        pass
