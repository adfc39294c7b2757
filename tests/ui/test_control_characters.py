"""A name with terminal control sequences in it, stored before the server refused them (written
straight into the database here), reaches the screen as visible glyphs, never as instructions:
no window title, no clipboard write (OSC 52), no cleared screen on any desk."""

from __future__ import annotations

import uuid

from textual.widgets import DataTable

from desk_tui.contract.customers import CustomerCreate
from desk_tui.server.customers.service import create_customer
from desk_tui.ui.widgets.fitted_table import FittedTable
from tests.ui.pilot import sign_in, wait_until

PLANTED = "Evil\x1b]0;pwned\x07 \x1b]52;c;ZWNobyBoaQ==\x07\x9b2J"


def _rendered(table: DataTable) -> str:
    """Every character the table hands to the terminal, row by row."""
    return "\n".join("".join(segment.text for segment in table.render_line(y)) for y in range(table.size.height))


async def test_a_planted_name_shows_its_controls_as_glyphs(make_app, ui_server):
    word = f"Planted{uuid.uuid4().hex[:6]}"
    with ui_server.database.transaction() as s:  # bypasses the API's refusal, as an old row would
        create_customer(s, data=CustomerCreate.model_construct(name=f"{word} {PLANTED}", phone=None, email=None))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", *word.lower())
        table = app.screen.query_one("#customer-results", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, "the planted customer")
        await pilot.pause()
        fitted = app.screen.query_one(FittedTable)
        cell = str(fitted.values(fitted.highlighted_key or "")["name"])  # whole: on screen it may be cropped
        assert cell.startswith(f"{word} Evil␛]0;pwned␇ ␛]52;c;"), cell
        screen = _rendered(table)
        assert word in screen and "␛" in screen
        assert not any(ch in screen for ch in "\x1b\x07\x9b"), repr(screen)
