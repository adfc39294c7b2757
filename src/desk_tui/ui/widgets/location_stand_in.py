"""What the sign-in's location picker looks like until the server has said the locations.

Until then the picker can only say "Connecting…", and a Select (its overlay, its option list,
their styles) is the costliest widget of the sign-in's first frame (docs/performance.md, session
13). So the first frame has this one plain widget in its box, drawn like a closed, unfocused
Select (styles/login.tcss), and the screen mounts the real picker when the locations arrive.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

ARROW = " ▼"
"""The closed Select's arrow, one cell of padding before it."""


class LocationStandIn(Widget):
    """Not focusable: there is nothing to choose yet."""

    def __init__(self, prompt: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._prompt = prompt

    def render(self) -> Text:
        # the prompt on the left, the arrow at the right edge, as Select's label and arrow
        room = max(self.content_size.width - len(ARROW), 0)
        return Text(self._prompt[:room].ljust(room) + ARROW, no_wrap=True)
