"""The top line of every screen: where you are, who is signed in, and DEMO / OFFLINE / NOT LIVE /
UPDATING.

State is shown in words, never by colour alone, so it reads the same with NO_COLOR.

One widget drawing one line, its parts styled by component classes (styles/app.tcss): as a row
of seven Labels it was ≈ 3 % of the sign-in's first frame (docs/performance.md, session 14).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class ShellHeader(Widget):
    COMPONENT_CLASSES = {
        "shell-header--where", "shell-header--who",
        "shell-header--demo", "shell-header--offline", "shell-header--live", "shell-header--updating",
    }

    business: reactive[str] = reactive("desk-tui")
    """The organisation's name, from the API's settings."""
    location: reactive[str] = reactive("")
    """The location the token is bound to."""
    staff: reactive[str] = reactive("not signed in")
    """Who every write is attributed to right now."""
    demo: reactive[bool] = reactive(False)
    """Connected to the embedded demo server."""
    offline: reactive[bool] = reactive(False)
    """The API is unreachable: cached, read-only data."""
    live: reactive[str] = reactive("off")
    """The live update stream's state; "down" means other desks' changes show only on a refresh."""
    updating: reactive[bool] = reactive(False)
    """What is shown came from the cache for a sign-in the server has not confirmed yet."""

    def on_mount(self) -> None:
        # Attributes flow down from the app: whichever screen is showing stays current.
        for name in ("business", "location", "staff", "demo", "offline", "live", "updating"):
            self.watch(self.app, name, self._mirror(name), init=True)

    def _mirror(self, name: str) -> Callable[[object], None]:
        def copy(value: object) -> None:
            setattr(self, name, value)

        return copy

    def markers(self) -> list[str]:
        """The state words shown, left to right."""
        return [word for word, shown in (
            ("DEMO", self.demo),
            ("OFFLINE", self.offline),
            # OFFLINE already says it all; NOT LIVE is for a server that answers but does not stream.
            ("NOT LIVE", self.live == "down" and not self.offline),
            ("UPDATING", self.updating and not self.offline),
        ) if shown]

    def render(self) -> Text:
        # Each part between one blank cell either side, as the Labels' padding was; the place takes
        # the room left over and is cut short first.
        part = self.get_component_rich_style
        right = Text.assemble(" ", (self.staff, part("shell-header--who")), " ")
        for word in self.markers():
            right.append_text(Text.assemble(" ", (word, part(f"shell-header--{word.split()[-1].lower()}")), " "))
        where = self.business + (f" · {self.location}" if self.location else "")
        room = max(self.content_size.width - right.cell_len, 0)
        left = Text.assemble(" ", (where, part("shell-header--where")), " ")
        left.truncate(room, pad=True)
        return Text.assemble(left, right, no_wrap=True, overflow="crop", end="", style=Style())
