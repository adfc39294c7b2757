"""The signed-in session behind every screen: connection, sign-in, offline, errors.

A base class of DeskApp holding the app-wide reactive state that screens watch (attributes
down) and the one place worker failures become notifications. The network and settings
stacks (httpx, pydantic) are imported here only after the first frame is on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from textual import work
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.worker import Worker

from desk_tui.client.errors import ApiError, AuthExpired, OfflineError
from desk_tui.client.paths import Paths
from desk_tui.ui.live import LiveUpdates
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.type_ahead import TypeAheadApp

if TYPE_CHECKING:
    from desk_tui.client.api import DeskClient
    from desk_tui.client.connect import Connection
    from desk_tui.client.settings import ClientSettings
    from desk_tui.contract.auth import LoginResponse, Me
    from desk_tui.contract.events import Event
    from desk_tui.contract.reference import Settings

log = logging.getLogger("desk_tui.ui")


class SessionApp(TypeAheadApp):
    OFFLINE_PROBE_SECONDS = 5.0
    """How often an offline app asks whether the server is back."""

    business: reactive[str] = reactive("desk-tui")
    location: reactive[str] = reactive("")
    staff: reactive[str] = reactive("not signed in")
    demo: reactive[bool] = reactive(False)
    offline: reactive[bool] = reactive(False)
    live: reactive[str] = reactive("off")
    """The live update stream: "off" (nobody signed in), "connecting", "up", or "down" (the
    header says so, and screens fall back to their quiet refresh)."""
    connection_state: reactive[str] = reactive("connecting")
    """"connecting", "ready", or "failed: <sentence>"."""
    location_options: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """(name, id) pairs for the login screen's location picker."""

    def __init__(self, *, paths: Paths, settings: ClientSettings | None = None,
                 settings_overrides: dict[str, object] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 ansi_color: bool | None = None) -> None:
        super().__init__(ansi_color=ansi_color)
        self.paths = paths
        self.settings = settings
        """None until read (in a worker, after the first frame) unless given."""
        self._settings_overrides = settings_overrides or {}
        self.clock = clock
        """Injected so tests and snapshots can fix "today"; everything on screen asks it."""
        self.connection: Connection | None = None
        self._client: DeskClient | None = None
        """None until start_session has connected; screens reach it through `client`."""
        self.signed_in: LoginResponse | Me | None = None
        self.location_id: str | None = None
        self.org_settings: Settings | None = None
        self._keyring_warned = False
        self.live_events: Signal[Event] = Signal(self, "live-events")
        """Every event of the live stream (contract.events.Event), for the screens that show it."""
        self.live_updates = LiveUpdates(self)

    @property
    def client(self) -> DeskClient:
        """The connected client. Screens run only after start_session has connected (and
        signed in), so they use this; code that may run earlier checks `_client` itself."""
        if self._client is None:
            raise RuntimeError("The desk client is used before the session has connected.")
        return self._client

    @property
    def signed_in_location_id(self) -> str:
        """The location signed in to, for the screens (they run only after sign-in)."""
        if self.location_id is None:
            raise RuntimeError("The location is asked for before anyone has signed in.")
        return self.location_id

    @property
    def loaded_settings(self) -> ClientSettings:
        """The client settings, for the screens: start_session reads them before anyone signs in."""
        if self.settings is None:
            raise RuntimeError("The client settings are asked for before they have been read.")
        return self.settings

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Notifications carry server sentences and names ("Kiss [/b] Anna"): never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def settings_loaded(self, settings: ClientSettings) -> None:
        """Hook for the app to apply what the settings decide (keymap)."""

    @work(exclusive=True, group="session", exit_on_error=False)
    async def start_session(self) -> None:
        self.connection_state = "connecting"
        try:
            if self.settings is None:
                from desk_tui.client.settings import SettingsError, load_settings

                try:
                    self.settings = await asyncio.to_thread(load_settings, **self._settings_overrides)
                except SettingsError as exc:
                    self.connection_state = f"failed: {exc}"
                    return
                self.settings_loaded(self.settings)
            if self._client is None:
                from desk_tui.client.connect import connect, open_client

                self.connection = await asyncio.to_thread(connect, self.settings, self.paths)
                self._client = open_client(self.connection, self.settings, self.paths)
                self._client.on_offline_change = self._offline_changed
            assert self.connection is not None  # connected in the same step as _client
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

    def after_login(self, result: LoginResponse | Me | None) -> None:
        if result is None:
            return
        first = self.signed_in is None
        self.signed_in = result
        self._warn_about_keyring()
        self.location_id = result.location.id
        self.location = result.location.name
        self.staff = f"{result.staff.name} ({result.staff.role})"
        self._load_business_name()
        self.live_updates.start()  # a new sign-in may be another location: a new stream
        if first:
            self.switch_mode("calendar")

    def ask_to_sign_in(self, *, reason: str = "", switching: bool = False) -> None:
        self.push_screen(LoginScreen(reason=reason, switching=switching), self.after_login)

    def _warn_about_keyring(self) -> None:
        warning = self._client.tokens.warning if self._client else None
        if warning and not self._keyring_warned:
            self._keyring_warned = True  # said once per run, not at every sign-in...
            from desk_tui.client.notices import first_showing

            if first_showing(self.paths, "keyring", warning):  # ...and once per machine
                self.notify(warning, title="Sign-in is not remembered", severity="warning", timeout=12)

    @work(exclusive=True, group="org-settings", exit_on_error=False)
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
        if not offline:
            self.live_updates.nudge()  # the server answers again: reconnect now, not after the back-off
        if offline:
            self.notify("The booking server cannot be reached: showing saved data, read-only.",
                        title="Offline", severity="warning")
            self.set_timer(self.OFFLINE_PROBE_SECONDS, self._probe)
        else:
            self.notify("Connection restored.", title="Online")

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self) -> None:
        with contextlib.suppress(ApiError):
            await self.client.health()
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
            self.ask_to_sign_in(reason=error.sentence, switching=True)
        elif isinstance(error, OfflineError):
            self.notify(error.sentence, title="Offline", severity="warning", timeout=8)
        elif isinstance(error, ApiError):
            log.error("%s failed: %r", event.worker.name, error)  # doctor shows the last one
            self.notify(error.sentence, title="Not done", severity="error", timeout=8)
        else:
            log.error("%s crashed", event.worker.name, exc_info=error)
            self.notify("Something went wrong; it has been logged for support.", severity="error")

    @work(exclusive=True, group="sign-out", exit_on_error=False)
    async def action_sign_out(self) -> None:
        try:
            await self.client.logout()
        finally:
            self.live_updates.stop()
            self.signed_in = None
            self.staff = "not signed in"
            self.ask_to_sign_in(reason="Signed out.")
