"""Keystroke → repaint: how long after an arrow key the terminal has the new picture.

The app runs on a pseudo-terminal we own (80×24). Each key is written on its own, once the
previous answer is over; we note when the first byte of the answer arrives and when the last
byte before 30 ms of silence did ("settled": the repaint is on the screen). Then we wait for a
longer silence before the next key, so answers never overlap.

desk-tui is signed in as ``reception`` on a fresh home, with a working in-memory keyring (no
"Sign-in is not remembered" toast, which would vanish mid-walk) and no periodic refresh; it goes
to the busy day with ``g`` and Ctrl+Home to its first cell, then walks the grid: four
Downs and a Right, eight times (down past the visible rows and right past the visible columns,
so both scroll). The baseline is the same walk on a bare DataTable of the same shape.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import tests
from tests.benchmarks import baseline_day
from tests.benchmarks.pty_app import KEY_DOWN, KEY_ENTER, KEY_RIGHT, PtyApp, Response

KEY_CTRL_U, KEY_CTRL_HOME = b"\x15", b"\x1b[1;5H"
#: four Downs and a Right, eight times: 32 rows down, 8 columns right
WALK = ([KEY_DOWN] * 4 + [KEY_RIGHT]) * 8
GAP = 0.03
"""Silence that ends an answer."""
BETWEEN = 0.15
"""Silence before the next key."""


def _walk(app: PtyApp) -> list[Response]:
    answers = []
    for key in WALK:
        answers.append(app.respond(key, gap=GAP))
        app.quiet(BETWEEN)
    return answers


def desk_walk(desk: list[str], env: dict[str, str], *, staff: str, day: date, first_customer: str) -> list[Response]:
    """Sign in, go to ``day``, walk its grid; one answer per key."""
    with tempfile.TemporaryDirectory(prefix="desk-bench-home.", dir="/tmp") as home:
        app = PtyApp(desk, {**env, "DESK_HOME": str(Path(home) / "home"), "DESK_QUIET_REFRESH_SECONDS": "0",
                            "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.DictKeyring",
                            "PYTHONPATH": str(Path(tests.__file__).parent.parent)})
        try:
            app.wait_for(b"Downtown")  # the login form, connected
            app.quiet()
            app.send(b"reception")
            app.quiet()
            app.send(KEY_ENTER)
            app.quiet()
            app.send(b"1111" + KEY_ENTER)
            app.wait_for(staff.encode())
            app.quiet(0.3)
            app.send(b"g")
            app.wait_for(b"Go to date")
            app.quiet()
            app.send(KEY_CTRL_U)  # on its own: typed together with the date, the date was lost
            app.quiet()
            app.send(day.isoformat().encode())
            app.quiet()
            mark = len(app.out)
            app.send(KEY_ENTER)
            app.wait_for(f"{day:%d %B %Y}".encode(), since=mark)
            app.send(KEY_CTRL_HOME)  # to 08:00 in the first column, whether the day is drawn yet or not
            # The first appointment, cut to the 12-wide column: the busy day is on the screen.
            app.wait_for(first_customer[:8].encode(), since=mark)
            app.quiet(0.3)
            answers = _walk(app)
        except BaseException:
            app.kill()
            raise
        app.close()
        return answers


def baseline_walk(python: str, env: dict[str, str]) -> list[Response]:
    app = PtyApp([python, baseline_day.__file__], env)
    try:
        app.wait_for(baseline_day.READY.encode())
        app.quiet(0.3)
        answers = _walk(app)
    except BaseException:
        app.kill()
        raise
    app.close()
    return answers
