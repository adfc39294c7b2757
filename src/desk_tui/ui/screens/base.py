"""What every screen of the shell shares: header, function-key bar, body, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.screen import Screen

from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.widgets.key_footer import KeyFooter
from desk_tui.ui.widgets.nav_bar import NavBar
from desk_tui.ui.widgets.shell_header import ShellHeader
from desk_tui.ui.worker_failures import SaysWorkerFailures

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp


class DeskScreen(SaysWorkerFailures, Screen[Any]):
    MODE: str = ""
    """The mode this screen is the root of (see ui/navigation.py); a screen pushed over another
    mode's root may set it on the instance (the F-key bar shows where it came from)."""

    @property
    def desk(self) -> DeskApp:
        return cast("DeskApp", self.app)

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        bar = NavBar()
        bar.current = self.MODE
        yield bar
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Textual runs every class's on_mount, this one included, whatever the subclass defines.
        self.watch(self.app, "signed_in", self._signed_in_changed, init=False)

    def _signed_in_changed(self) -> None:
        self.refresh_bindings()
        if self.desk.signed_in is not None:
            self.staff_changed()

    def staff_changed(self) -> None:
        """Someone else signed in (ctrl+s): a screen whose content depends on the role redraws it
        here; its keys already follow (check_action is asked again)."""

