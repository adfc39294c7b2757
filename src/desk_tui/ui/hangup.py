"""Quit when the terminal goes away.

Support's SSH link drops, or someone closes the tmux window the desk runs in: the terminal
hangs up. A SIGHUP that arrives would kill the app before it lets go of the embedded server;
and when none arrives (the terminal was not the process's controlling one) Textual's input
thread reads end-of-file in a loop and spins a core for ever. Both end in an orderly exit here.

The orderly exit can itself hang: Textual's output thread dies on the first write to the gone
terminal, and once its 30-deep queue is full the next write (or the driver's own stop) waits
for ever; the kernel's SIGCONT that comes with the hang-up even restarts application mode on
the dead terminal. So the hang-up also starts a timer: if the app has not ended after
``GRACE_SECONDS`` it lets go of the demo server and ends the process. Nothing is lost by that:
unanswered writes are in the intent journal on disk, and the terminal has nobody to show a
goodbye to.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from textual.app import App

log = logging.getLogger("desk_tui.ui")

# 128 + SIGHUP (1), what a shell reports for a program the hang-up ended.
HUNG_UP = 129
GRACE_SECONDS = 5.0


def quit_on_hangup(app: App[Any], before_forced_exit: Callable[[], None]) -> None:
    """Call from the running app; a headless app (tests) has no terminal to lose, and Windows
    consoles have neither SIGHUP nor poll(). ``before_forced_exit`` releases what must not
    outlive the app if the orderly exit does not finish."""
    if app.is_headless or sys.__stdin__ is None or not hasattr(signal, "SIGHUP") or not hasattr(select, "poll"):
        return
    loop = asyncio.get_running_loop()

    def hung_up() -> None:
        if app.is_running and app.return_code is None:
            log.warning("The terminal hung up; quitting.")
            signal.signal(signal.SIGCONT, signal.SIG_DFL)  # no resuming output to a gone terminal
            threading.Thread(target=_end_after_grace, args=(before_forced_exit,),
                             name="hangup-grace", daemon=True).start()
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


def _end_after_grace(before_exit: Callable[[], None]) -> None:
    # A daemon thread: when the orderly exit finishes first, the process ends and this with it.
    time.sleep(GRACE_SECONDS)
    log.warning("The app did not end %.0f s after the hang-up; ending it.", GRACE_SECONDS)
    try:
        before_exit()
    finally:
        os._exit(HUNG_UP)
