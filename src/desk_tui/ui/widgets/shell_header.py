"""The top line of every screen: where you are, who is signed in, and DEMO / OFFLINE / NOT LIVE /
UPDATING.

State is shown in words, never by colour alone, so it reads the same with NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Label


class ShellHeader(Horizontal):
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

    def compose(self) -> ComposeResult:
        yield Label(id="where")
        yield Label(id="who")
        yield Label("DEMO", id="demo-marker", classes="marker")
        yield Label("OFFLINE", id="offline-marker", classes="marker")
        yield Label("NOT LIVE", id="live-marker", classes="marker")
        yield Label("UPDATING", id="updating-marker", classes="marker")

    def on_mount(self) -> None:
        # Attributes flow down from the app: whichever screen is showing stays current.
        for name in ("business", "location", "staff", "demo", "offline", "live", "updating"):
            self.watch(self.app, name, self._mirror(name), init=True)

    def _mirror(self, name: str) -> Callable[[object], None]:
        def copy(value: object) -> None:
            setattr(self, name, value)

        return copy

    def _refresh_text(self) -> None:
        try:
            where_label = self.query_one("#where", Label)
        except NoMatches:  # not composed yet: on_mount's watches fill it in
            return
        where = self.business + (f" · {self.location}" if self.location else "")
        where_label.update(where)
        self.query_one("#who", Label).update(self.staff)
        self.query_one("#demo-marker").display = self.demo
        self.query_one("#offline-marker").display = self.offline
        # OFFLINE already says it all; NOT LIVE is for a server that answers but does not stream.
        self.query_one("#live-marker").display = self.live == "down" and not self.offline
        self.query_one("#updating-marker").display = self.updating and not self.offline

    watch_business = watch_location = watch_staff = watch_demo = watch_offline = watch_live = watch_updating = \
        _refresh_text
