"""The row of function keys under the header: every screen one key away, the current one marked."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from desk_tui.ui.navigation import DESTINATIONS


class NavBar(Static):
    current: reactive[str] = reactive("")
    """The mode of the screen this bar sits on."""

    def render(self) -> str:
        # F1 first: however many keys a screen's footer has to cut at 80 columns, help is here.
        parts = ["[b]F1[/b] Help"]
        for dest in DESTINATIONS:
            label = f"{dest.key.upper()} {dest.title}"
            # A marker as well as a style: the current screen is visible without colour.
            parts.append(f"[reverse]▸{label}[/]" if dest.mode == self.current else label)
        return " ".join(parts)
