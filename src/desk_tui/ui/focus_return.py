"""Focus coming back to an app that had none focused: the screen's first field, as on its showing.

Textual's web driver (``desk-tui web``) starts an app blurred: the browser tab says when it has
focus, and the first key counts as that. A screen shown while blurred skips its AUTO_FOCUS, and
focus coming back only restores a field focused before the blur. The sign-in, a fresh desk's
first screen, is composed after that blur, so it had no field, a browser's first keys went
nowhere and Tab took them to the location picker.
"""

from __future__ import annotations

from textual.app import App


class FocusReturnApp(App[int]):
    def watch_app_focus(self, focus: bool) -> None:
        if not focus or not self.screen_stack or self.screen.focused is not None:
            return  # Textual's own _watch_app_focus, which runs first, gave the field back
        screen = self.screen
        selector = self.AUTO_FOCUS if screen.AUTO_FOCUS is None else screen.AUTO_FOCUS
        if selector:
            first = next((w for w in screen.query(selector) if w.focusable), None)
            if first is not None:
                screen.set_focus(first)
