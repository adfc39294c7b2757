"""NO_COLOR on an 8-colour terminal (PuTTY's default TERM=xterm over SSH), read as a person sees it.

The real `desk-tui` in tmux at 80×24. tmux keeps the attributes of every cell, so
``capture-pane -e`` shows which colours the app asked for. NO_COLOR means the terminal's own
default colours: an explicit colour (before the fix, every colour became a grey that an
8-colour terminal shows as black: black text on a dark terminal) must never be sent, while
bold and reverse still mark the title, the keys and the cursor.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer
from tests.support.tmux import Tmux

DESK_TUI = Path(os.path.abspath(sys.executable)).parent / "desk-tui"
#: One SGR sequence as tmux writes it: ESC [ params m.
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def explicit_colours(screen: str) -> set[str]:
    """The SGR parameters on the screen that choose a colour other than the default."""
    found = set()
    for params in SGR.findall(screen):
        codes = [int(p) for p in re.split("[;:]", params) if p]
        for code in codes:
            if 30 <= code <= 38 or 40 <= code <= 48 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(params)
    return found


def attributes(screen: str) -> set[int]:
    return {int(p) for params in SGR.findall(screen) for p in re.split("[;:]", params) if p}


@pytest.fixture(scope="module")
def salon():
    tmp = tempfile.mkdtemp(prefix="desk-nocolor-db.", dir="/tmp")
    try:
        with LiveServer(f"sqlite:///{tmp}/nocolor.db", demo=True) as server:
            yield server
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def terminal():
    with Tmux(width=80, height=24, name="desk-nocolor") as tmux:
        yield tmux


def test_no_color_on_xterm_sends_only_default_colours_and_keeps_bold_and_reverse(salon, terminal):
    home = tempfile.mkdtemp(prefix="desk-nocolor-home.", dir="/tmp")
    try:
        terminal.start([str(DESK_TUI)], env={
            "DESK_HOME": home, "DESK_SERVER": salon.url, "NO_COLOR": "1", "TERM": "xterm",
            "COLORTERM": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
        terminal.wait_for_screen("Downtown", timeout=60, what="the login screen with its locations")
        login = coloured(terminal)
        assert explicit_colours(login) == set(), f"colours sent under NO_COLOR: {explicit_colours(login)}"

        terminal.type("reception")
        terminal.send("Enter")
        terminal.type("1111")
        terminal.send("Enter")
        terminal.wait_for_screen(lambda s: "Réka Tóth (reception)" in s and "Bella Salon" in s,
                                 timeout=30, what="the calendar")
        terminal.wait_for_screen(" 08:00", what="the day's rows")
        calendar = coloured(terminal)
        assert explicit_colours(calendar) == set(), f"colours sent under NO_COLOR: {explicit_colours(calendar)}"
        used = attributes(calendar)
        assert 1 in used, "nothing is bold (titles, keys)"
        assert 7 in used, "nothing is reversed: the grid's cursor cell is invisible without colour"
        terminal.send("C-q")
        terminal.wait_for_exit(timeout=20)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def coloured(terminal: Tmux) -> str:
    """The screen with its attributes (``capture-pane -e``)."""
    return terminal.tmux("capture-pane", "-p", "-e", "-t", terminal.session).stdout
