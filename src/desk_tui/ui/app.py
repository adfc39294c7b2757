"""The App: modes, global keys, theme and keymap, and the signed-in session's state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from importlib.resources import files

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker

from desk_tui.client.api import DeskClient
from desk_tui.client.connect import Connection, connect, open_client
from desk_tui.client.errors import ApiError, AuthExpired, OfflineError
from desk_tui.client.settings import ClientSettings, Paths
from desk_tui.contract.auth import LoginResponse, Me
from desk_tui.contract.reference import Settings
from desk_tui.ui.commands import screen_commands
from desk_tui.ui.navigation import DESTINATIONS
from desk_tui.ui.screens.calendar import CalendarScreen
from desk_tui.ui.screens.coming_soon import coming_soon
from desk_tui.ui.screens.customers import CustomersScreen
from desk_tui.ui.screens.help import HelpScreen
from desk_tui.ui.screens.login import LoginScreen

STYLES = files("desk_tui.styles")
log = logging.getLogger("desk_tui.ui")


class DeskApp(App[int]):
    TITLE = "desk-tui"
    # Every sheet in styles/: a screen's styles arrive with its .tcss file, app.tcss first.
    CSS_PATH = sorted((str(p) for p in STYLES.iterdir() if p.name.endswith(".tcss")), key=lambda p: "app.tcss" not in p)
    MODES = {d.mode: coming_soon(d.mode) for d in DESTINATIONS} | {
        "calendar": CalendarScreen,
        "customers": CustomersScreen,
    }
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", show=False),  # always on the F-key bar
        *(Binding(d.key, f"go('{d.mode}')", d.title, show=False, id=f"app.go.{d.mode}") for d in DESTINATIONS),
        Binding("ctrl+s", "switch_staff", "Switch staff", id="app.switch_staff"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    OFFLINE_PROBE_SECONDS = 5.0
    """How often an offline app asks whether the server is back."""

    business: reactive[str] = reactive("desk-tui")
    location: reactive[str] = reactive("")
    staff: reactive[str] = reactive("not signed in")
    demo: reactive[bool] = reactive(False)
    offline: reactive[bool] = reactive(False)
    connection_state: reactive[str] = reactive("connecting")
    """"connecting", "ready", or "failed: <sentence>"."""
    location_options: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """(name, id) pairs for the login screen's location picker."""

    def __init__(self, *, settings: ClientSettings, paths: Paths,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.settings = settings
        self.paths = paths
        self.clock = clock
        """Injected so tests and snapshots can fix "today"; everything on screen asks it."""
        self.connection: Connection | None = None
        self.client: DeskClient | None = None
        self.signed_in: LoginResponse | Me | None = None
        self.location_id: str | None = None
        self.org_settings: Settings | None = None
        self._keyring_warned = False

    def on_mount(self) -> None:
        if self.console.color_system in ("standard", "windows"):
            self.theme = "ansi-dark"  # 16 colours: use the terminal's own palette
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.push_screen(LoginScreen(), self._after_login)
        self.start_session()

    @work(exclusive=True, group="session", exit_on_error=False)
    async def start_session(self) -> None:
        self.connection_state = "connecting"
        try:
            if self.client is None:
                self.connection = await asyncio.to_thread(connect, self.settings, self.paths)
                self.client = open_client(self.connection, self.settings, self.paths)
                self.client.on_offline_change = self._offline_changed
            # A remote server started with --demo is a demo too: the marker follows the server.
            self.demo = self.connection.demo or bool((await self.client.health()).get("demo"))
            locations = await self.client.locations()
            self.location_options = tuple((loc.name, loc.id) for loc in locations)
            self.connection_state = "ready"
            me = await self.client.resume()
            self._warn_about_keyring()
        except ApiError as exc:
            self.connection_state = f"failed: {exc.sentence}"
            return
        except OSError as exc:  # the embedded server could not be started
            self.connection_state = f"failed: The demo server could not start ({exc})."
            return
        if me is not None and isinstance(self.screen, LoginScreen):
            self.screen.dismiss(me)

    def _after_login(self, result: LoginResponse | Me | None) -> None:
        if result is None:
            return
        first = self.signed_in is None
        self.signed_in = result
        self._warn_about_keyring()
        self.location_id = result.location.id
        self.location = result.location.name
        self.staff = f"{result.staff.name} ({result.staff.role})"
        self._load_business_name()
        if first:
            self.switch_mode("calendar")

    def _warn_about_keyring(self) -> None:
        warning = self.client.tokens.warning if self.client else None
        if warning and not self._keyring_warned:
            self._keyring_warned = True  # said once per run, not at every sign-in
            self.notify(warning, title="Sign-in is not remembered", severity="warning", timeout=12)

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def _load_business_name(self) -> None:
        self.business = (await self.org()).business_name

    def now(self, tz: tzinfo) -> datetime:
        return self.clock().astimezone(tz)

    async def org(self) -> Settings:
        """The organisation's settings (currency, time zone), fetched once per sign-in."""
        if self.org_settings is None:
            self.org_settings = await self.client.settings()
        return self.org_settings

    def _offline_changed(self, offline: bool) -> None:
        self.offline = offline
        if offline:
            self.notify("The booking server cannot be reached: showing saved data, read-only.",
                        title="Offline", severity="warning")
            self.set_timer(self.OFFLINE_PROBE_SECONDS, self._probe)
        else:
            self.notify("Connection restored.", title="Online")

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self) -> None:
        try:
            await self.client.health()
        except ApiError:
            pass
        if self.offline:
            self.set_timer(self.OFFLINE_PROBE_SECONDS, self._probe)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event)

    def report_worker_failure(self, event: Worker.StateChanged) -> None:
        """The one place a failed network call becomes a plain-language notification.

        Worker state changes do not bubble, so screens forward theirs here (see DeskScreen).
        """
        error = event.worker.error
        if error is None or event.state.name != "ERROR":
            return
        if isinstance(error, AuthExpired):
            self.push_screen(LoginScreen(reason=error.sentence, switching=True), self._after_login)
        elif isinstance(error, OfflineError):
            self.notify(error.sentence, title="Offline", severity="warning", timeout=8)
        elif isinstance(error, ApiError):
            log.error("%s failed: %r", event.worker.name, error)  # doctor shows the last one
            self.notify(error.sentence, title="Not done", severity="error", timeout=8)
        else:
            log.error("%s crashed", event.worker.name, exc_info=error)
            self.notify("Something went wrong; it has been logged for support.", severity="error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("go", "switch_staff") and self.signed_in is None:
            return False
        return True

    def action_go(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_switch_staff(self) -> None:
        if not isinstance(self.screen, LoginScreen):
            self.push_screen(LoginScreen(switching=True), self._after_login)

    @work(exclusive=True, group="sign-out", exit_on_error=False)
    async def action_sign_out(self) -> None:
        try:
            await self.client.logout()
        finally:
            self.signed_in = None
            self.staff = "not signed in"
            self.push_screen(LoginScreen(reason="Signed out."), self._after_login)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from screen_commands(self, screen)
