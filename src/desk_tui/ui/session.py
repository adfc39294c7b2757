"""The signed-in session behind every screen: connection, sign-in, offline, errors.

A base class of DeskApp holding the app-wide reactive state that screens watch (attributes
down) and the one place worker failures become notifications. The network and settings
stacks (httpx, pydantic) are imported here only after the first frame is on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.signal import Signal
from textual.worker import Worker

from desk_tui.client.errors import ApiError, AuthExpired, OfflineError
from desk_tui.client.paths import Paths
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.desk_session import Session
from desk_tui.ui.live import LiveUpdates
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.type_ahead import KeyHold, TypeAheadApp

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo  # at its first use: with sysconfig it was ≈ 1 % of the sign-in's first frame

    from desk_tui.client.api import DeskClient
    from desk_tui.client.connect import Connection
    from desk_tui.client.core import Params
    from desk_tui.client.settings import ClientSettings
    from desk_tui.contract.auth import LoginResponse, Me
    from desk_tui.contract.events import Event
    from desk_tui.contract.reference import Settings

log = logging.getLogger("desk_tui.ui")
T = TypeVar("T")
#: how long a closing browser tab waits for the server to revoke its sign-in
TAB_SIGN_OUT_SECONDS = 5.0


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
    connection_state: reactive[ConnectionState] = reactive(ConnectionState.CONNECTING)
    connection_error: str = ""
    """Why the connection failed, in a sentence (set before ``connection_state`` becomes FAILED)."""
    location_options: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """(name, id) pairs for the login screen's location picker."""
    updating: reactive[bool] = reactive(False)
    """Drawn from the cache for a remembered sign-in the server has not confirmed yet (the header
    says UPDATING, keys wait): see :meth:`open_remembered`."""
    signed_in: reactive[LoginResponse | Me | None] = reactive(None, always_update=True)
    """Who is signed in (None: nobody). Screens watch it (DeskScreen): what a role may do follows
    ctrl+s at once, on every screen, shown or not."""

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
        self.location_id: str | None = None
        self.org_settings: Settings | None = None
        self._keyring_warned = False
        self.live_events: Signal[Event] = Signal(self, "live-events")
        """Every event of the live stream (contract.events.Event), for the screens that show it."""
        self.live_updates = LiveUpdates(self)
        self._session_up = asyncio.Event()
        """Set once someone is signed in on a connected client (see :meth:`signed_in_client`)."""
        self._opened_on: Me | None = None
        """The remembered sign-in the app opened on, until the server has confirmed its token."""
        self._opening_hold: KeyHold | None = None
        self._session: Session | None = None

    @property
    def client(self) -> DeskClient:
        """The connected client. Screens run only after start_session has connected (and
        signed in), so they use this; code that may run earlier checks `_client` itself."""
        if self._client is None:
            raise RuntimeError("The desk client is used before the session has connected.")
        return self._client

    @property
    def session(self) -> Session:
        """Who is signed in, where, on which client, with the salon's settings: what screens work
        with. Built at each confirmed sign-in; screens other than the sign-in run only after one."""
        if self._session is None:
            raise RuntimeError("The session is used before anyone has signed in.")
        return self._session

    @property
    def loaded_settings(self) -> ClientSettings:
        """The client settings, for the screens: start_session reads them before anyone signs in."""
        if self.settings is None:
            raise RuntimeError("The client settings are asked for before they have been read.")
        return self.settings

    @property
    def session_confirmed(self) -> bool:
        """Someone is signed in on a connected client (not only remembered from the last run)."""
        return self._session_up.is_set()

    async def end_tab_sign_in(self) -> None:
        """A browser tab closing (or quitting) signs out on the server too: its token was kept in
        memory only, so nobody could use it again, but left valid it would still count as a
        terminal signed in until it expired (list-staff, the staff screen). Bounded, so a server
        that is away cannot hold the tab's desk open; a terminal's desk keeps its sign-in."""
        client = self._client
        if client is None or not client.tokens.tab_only or client.signed_in is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.logout(), TAB_SIGN_OUT_SECONDS)

    async def signed_in_client(self) -> DeskClient:
        """The client, once someone is signed in on it: a screen drawn from the cache before the
        session was confirmed (:meth:`open_remembered`) waits here before it asks the server."""
        await self._session_up.wait()
        return self.client

    def peek(self, path: str, model: type[T], *, params: Params | None = None) -> T | None:
        """What the cache holds for the signed-in location, without the network: through the
        client once connected, and before that for the sign-in the app opened on."""
        if self._client is not None:
            return self._client.peek(path, model, params=params)
        if self._opened_on is None or self.settings is None or not self.settings.server:
            return None
        from desk_tui.client.cache import Cache, cache_key
        from desk_tui.client.cached import peek

        key = cache_key(self.settings.server, self._opened_on.location.id, path, params)
        return peek(Cache(self.paths.cache_dir), key, model)

    def remembered(self) -> Me | None:
        """On a desk signed in before to a configured server, the sign-in that has not ended yet,
        so the first frame can be the calendar drawn from the cache (:meth:`open_remembered`).
        A desk nobody signed in on pays for nothing here (no pydantic)."""
        if self.settings is None and not self._may_name_a_server():
            return None  # the demo (below): its login frame comes first, without pydantic
        if not self.paths.last_user_file.exists():
            return None
        from desk_tui.client.remembered import remembered_sign_in
        from desk_tui.client.settings import SettingsError, load_settings

        if self.settings is None:
            try:
                self.settings = load_settings(**self._settings_overrides)
            except SettingsError:
                return None  # start_session says what is wrong, on the sign-in screen
            self.settings_loaded(self.settings)
        if not self.settings.server:
            return None  # the demo server is known by its database only once it runs
        return remembered_sign_in(self.settings.server, paths=self.paths, now=self.clock())

    def open_remembered(self, me: Me) -> None:
        """Take the remembered sign-in as it is: start_session then checks the token, and a
        refused one brings the sign-in screen. Keys typed meanwhile wait for that answer."""
        self._opened_on = me
        self._opening_hold = self.hold_keys()
        self.updating = True
        self._show_signed_in(me)

    def _may_name_a_server(self) -> bool:
        """Whether a server may be configured, known without reading the settings."""
        return bool(self._settings_overrides.get("server")) or self.paths.config_file.exists() or \
            any(name.upper() == "DESK_SERVER" for name in os.environ)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Notifications carry server sentences and names ("Kiss [/b] Anna"): never read as markup.
        ``markup`` stays in the signature because Textual's ``Widget.notify`` passes it on."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def settings_loaded(self, settings: ClientSettings) -> None:
        """Hook for the app to apply what the settings decide (keymap)."""

    @work(exclusive=True, group="session", exit_on_error=False)
    async def start_session(self) -> None:
        self.connection_state = ConnectionState.CONNECTING
        try:
            if self.settings is None:
                from desk_tui.client.settings import SettingsError, load_settings

                try:
                    self.settings = await asyncio.to_thread(load_settings, **self._settings_overrides)
                except SettingsError as exc:
                    self._connection_failed(str(exc))
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
            self.connection_state = ConnectionState.READY
            me = await self.client.resume()
            if me is not None:
                await self.org()  # the session is handed over with the salon's settings
            self._warn_about_keyring()
        except ApiError as exc:
            self._connection_failed(exc.sentence)
            await self._remembered_refused()
            return
        except OSError as exc:  # the embedded server could not be started
            self._connection_failed(f"The demo server could not start ({exc}).")
            await self._remembered_refused()
            return
        except Exception:  # anything else is said on the sign-in screen too, never "Connecting…" for ever
            log.exception("connecting failed")
            self._connection_failed("Connecting did not work: something went wrong on this terminal "
                                    "(it has been logged for support).")
            await self._remembered_refused()
            return
        if me is not None and isinstance(self.screen, LoginScreen):
            self.screen.done(me)
        elif me is not None and self._opened_on is not None:
            self._opened_on = None
            self.after_login(me)
        else:
            await self._remembered_refused("Your sign-in has ended: please sign in again.")

    def _connection_failed(self, sentence: str) -> None:
        self.connection_error = sentence  # first: the sign-in screen reads it when the state changes
        self.connection_state = ConnectionState.FAILED

    async def _remembered_refused(self, reason: str = "") -> None:
        """The sign-in the app opened on did not hold: the sign-in screen, over the calendar drawn
        for it. That calendar's requests wait for a confirmed sign-in (signed_in_client), so it
        asks again for the location chosen there and draws itself anew."""
        if self._opened_on is None:
            return
        self._opened_on = None
        self._release_opening_hold()
        self.signed_in = None
        self.staff, self.location = "not signed in", ""
        self.ask_to_sign_in(reason=reason)

    def _release_opening_hold(self) -> None:
        self.updating = False
        if self._opening_hold is not None:
            self._opening_hold.release()
            self._opening_hold = None

    def after_login(self, result: LoginResponse | Me | None) -> None:
        if result is None:
            return
        first = self.signed_in is None
        if self.org_settings is None:  # the sign-in screen and start_session load it first
            raise RuntimeError("Signed in before the organisation's settings were loaded.")
        self._session = Session(client=self.client, staff=result.staff, location=result.location,
                                org=self.org_settings, clock=self.clock)
        self._show_signed_in(result)
        self._warn_about_keyring()
        self._session_up.set()
        self._release_opening_hold()
        self._load_business_name()
        self.live_updates.start()  # a new sign-in may be another location: a new stream
        if first:
            self.switch_mode("calendar")

    def _show_signed_in(self, result: LoginResponse | Me) -> None:
        self.signed_in = result
        self.location_id = result.location.id
        self.location = result.location.name
        self.staff = f"{result.staff.name} ({result.staff.role})"

    def ask_to_sign_in(self, *, reason: str = "", switching: bool = False) -> None:
        # Several requests in flight fail together when a session ends: one PIN asked for, not
        # one sign-in screen per failure stacked up for the receptionist to get through.
        if any(isinstance(screen, LoginScreen) for screen in self.screen_stack):
            return
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

    def salon_zone(self) -> ZoneInfo:
        """The salon's time zone, from its settings (UTC until :meth:`org` has loaded them)."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.org_settings.timezone if self.org_settings else "UTC")

    def today(self) -> date:
        """Today in the salon's time zone, whatever this terminal's own zone is: the day cards
        expire on, the calendar opens at and reports end on."""
        return self.now(self.salon_zone()).date()

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
