"""The App: modes, global keys, theme and keymap. Session state lives in ui/session.py.

Screens are imported when first shown, not at start-up, so the login screen paints with
little more than Textual loaded.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from desk_tui.ui.colours import NO_COLOR_THEME, native_ansi, theme_for
from desk_tui.ui.commands import screen_commands
from desk_tui.ui.focus_return import FocusReturnApp
from desk_tui.ui.hangup import quit_on_hangup
from desk_tui.ui.navigation import DESTINATIONS, close_to_root
from desk_tui.ui.refusals import RefusalsApp
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.session import SessionApp
from desk_tui.ui.stylesheets import StylesheetsApp

if TYPE_CHECKING:
    from desk_tui.client.settings import ClientSettings
    from desk_tui.contract.auth import Me


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    return lambda: getattr(import_module(module), name)()


BUILT = {
    "calendar": _lazy("desk_tui.ui.screens.calendar", "CalendarScreen"),
    "checkout": _lazy("desk_tui.ui.screens.checkout", "CheckoutScreen"),
    "customers": _lazy("desk_tui.ui.screens.customers", "CustomersScreen"),
    "cards": _lazy("desk_tui.ui.screens.cards", "CardsScreen"),
    "packages": _lazy("desk_tui.ui.screens.packages", "PackagesScreen"),
    "reports": _lazy("desk_tui.ui.screens.reports", "ReportsScreen"),
}


class DeskApp(StylesheetsApp, FocusReturnApp, RefusalsApp, SessionApp):
    TITLE = "desk-tui"
    MODES = {d.mode: BUILT[d.mode] for d in DESTINATIONS}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", show=False),  # always on the F-key bar
        *(Binding(d.key, f"go('{d.mode}')", d.title, show=False, id=f"app.go.{d.mode}") for d in DESTINATIONS),
        Binding("ctrl+s", "switch_staff", "Switch staff", id="app.switch_staff"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        # Esc takes every message (toast) away, then does what it does on the screen: it is never
        # swallowed, so it means the same whether or not a message is up. A toast left by the last
        # action must not eat the Esc meant for Back or a dialog's Cancel; on the calendar, where
        # toasts covered the grid, Esc has no other meaning and only clears them.
        Binding("escape", "dismiss_messages", "Dismiss messages", id="app.dismiss_messages",
                show=False, priority=True),
    ]

    def __init__(self, **kwargs: Any) -> None:
        # Decided before App.__init__ picks its NO_COLOR filter: see ui/colours.py.
        super().__init__(ansi_color=native_ansi(), **kwargs)
        self.register_theme(NO_COLOR_THEME)
        self._remembered: Me | None = None

    def get_default_screen(self) -> Screen[Any]:
        """The first screen: on a fresh desk the sign-in itself (pushed over an empty screen it
        cost a second style pass and frame before it showed); under a remembered sign-in an
        empty one, the calendar's mode opening over it at once (on_mount)."""
        if self.settings is not None:
            self.settings_loaded(self.settings)
        self._remembered = self.remembered()
        if self._remembered is None:
            return LoginScreen()
        self.all_sheets()  # the calendar's first frame needs its own
        return super().get_default_screen()

    def on_mount(self) -> None:
        quit_on_hangup(self, self.release_embedded_server)
        theme = theme_for(no_color=self.no_color, color_system=self.console.color_system)
        if theme is not None:
            self.theme = theme
        if self._remembered is not None:
            self.open_remembered(self._remembered)
            self.switch_mode("calendar")  # drawn from the cache; start_session checks the token
        # After the first frame: the cycle collector (ui/main.py), the other screens' styles,
        # reading settings and connecting.
        self.call_after_refresh(gc.enable)
        self.call_after_refresh(self.all_sheets)
        self.call_after_refresh(self.start_session)

    async def on_unmount(self) -> None:
        self.live_updates.stop()
        await self.end_tab_sign_in()

    def release_embedded_server(self) -> None:
        """This app no longer needs the demo server it started or joined (if any)."""
        if self.connection is not None and self.connection.embedded is not None:
            self.connection.embedded.release()

    def settings_loaded(self, settings: ClientSettings) -> None:
        if settings.keymap:
            self.set_keymap(settings.keymap)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("go", "switch_staff") and (self.signed_in is None or not self.session_confirmed))

    def action_dismiss_messages(self) -> None:
        self.clear_notifications()
        raise SkipAction()  # the key goes on to the screen's own Esc

    def action_go(self, mode: str) -> None:
        self.switch_mode(mode)
        close_to_root(self)

    def action_switch_staff(self) -> None:
        if not isinstance(self.screen, LoginScreen):
            self.ask_to_sign_in(switching=True)

    def action_help(self) -> None:
        from desk_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        ours = list(screen_commands(self, screen))
        yield from ours
        titles = {c.title for c in ours}
        # Textual's own (theme, keys, screenshot…), except those we list already ("Quit").
        yield from (c for c in super().get_system_commands(screen) if c.title not in titles)
