"""NO_COLOR: a focused list's highlighted option must still stand out.

The theme asks for a reverse bar (ui/colours.py), and a DataTable's cursor gets one. An
OptionList (a Select's drop-down, the booking form's packages) draws "reverse" by swapping its
colours, which NO_COLOR's filter takes away: only the bold was left, and a bold card title under
the cursor looked like every other title. styles/no_color.tcss underlines it as well.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from desk_tui.ui.connection_state import ConnectionState
from tests.ui.pilot import wait_until


async def test_a_drop_downs_highlighted_option_is_marked_without_colour(make_app, no_color_xterm):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "connected")
        select = app.screen.query_one("#location", Select)
        await wait_until(pilot, lambda: len(select._options) > 1, "the locations")
        select.focus()
        await pilot.press("enter")
        overlay = select.query_one(SelectOverlay)
        await wait_until(pilot, lambda: overlay.has_focus and overlay.highlighted is not None, "the open drop-down")
        await pilot.pause()

        prompt = str(overlay.get_option_at_index(overlay.highlighted).prompt)
        # As the screen gets them: through the app's line filters, NO_COLOR's among them.
        lines = overlay.render_lines(Region(0, 0, *overlay.outer_size))
        marked = [seg.style for line in lines if prompt in line.text for seg in line if seg.text.strip()
                  and seg.text.strip() in prompt]
        assert marked, f"the highlighted option {prompt!r} is not drawn"
        assert all(style is not None and (style.underline or style.reverse) for style in marked), \
            "the highlighted option is drawn like the others without colour"
