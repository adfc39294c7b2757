"""The header's one line: the place on the left, taking what room is left and cut short first;
who is signed in and the state words on the right, whole, in words (never colour alone)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.reactive import reactive

from desk_tui.ui.stylesheets import SHEETS
from desk_tui.ui.widgets.shell_header import ShellHeader
from tests.ui.pilot import wait_until


class Shell(App):
    """What the header mirrors, as the desk's app holds it (ui/session.py)."""

    CSS_PATH = [p for p in SHEETS if p.endswith("app.tcss")]
    business = reactive("Bella Salon & Spa")
    location = reactive("Downtown")
    staff = reactive("Réka Tóth (reception)")
    demo = reactive(False)
    offline = reactive(False)
    live = reactive("down")
    updating = reactive(True)

    def compose(self) -> ComposeResult:
        yield ShellHeader()


def line(app: Shell) -> str:
    return str(app.screen.query_one(ShellHeader).render())


async def test_the_place_left_who_and_the_state_words_right():
    app = Shell()
    async with app.run_test(size=(80, 5)) as pilot:
        await wait_until(pilot, lambda: "UPDATING" in line(app), "the header drawn")
        right = " Réka Tóth (reception)  NOT LIVE  UPDATING "
        assert line(app) == " Bella Salon & Spa · Downtown".ljust(80 - len(right)) + right
        app.offline = True  # OFFLINE says it all: not NOT LIVE nor UPDATING beside it
        await wait_until(pilot, lambda: "OFFLINE" in line(app), "OFFLINE")
        assert line(app).endswith(" Réka Tóth (reception)  OFFLINE ") and "LIVE" not in line(app)


async def test_a_narrow_terminal_cuts_the_place_not_who_or_the_state():
    app = Shell()
    async with app.run_test(size=(50, 5)) as pilot:
        await wait_until(pilot, lambda: "UPDATING" in line(app), "the header drawn")
        assert len(line(app)) == 50
        assert line(app).startswith(" Bella") and "Downtown" not in line(app)
        assert line(app).endswith(" Réka Tóth (reception)  NOT LIVE  UPDATING ")
