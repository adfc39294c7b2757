"""Sign in, and switch staff on a shared front-desk terminal (ctrl+s).

The screen paints at once; the location picker comes when the connection is up with the
list (a look-alike saying "Connecting…" stands in its place until then), so the first thing a
receptionist sees never waits for the network, nor for a Select it could not use yet.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Grid, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from desk_tui.client.errors import ApiError
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.form_keys import ENTER, enter_key
from desk_tui.ui.type_ahead import KeyHold
from desk_tui.ui.widgets.key_footer import KeyFooter
from desk_tui.ui.widgets.location_stand_in import LocationStandIn
from desk_tui.ui.widgets.shell_header import ShellHeader
from desk_tui.ui.worker_failures import SaysWorkerFailures

if TYPE_CHECKING:
    from desk_tui.contract.auth import LoginResponse, Me
    from desk_tui.ui.app import DeskApp

log = logging.getLogger("desk_tui.ui")


class LoginScreen(SaysWorkerFailures, Screen["LoginResponse | Me"]):
    AUTO_FOCUS = "#username"
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="login.cancel"),
        Binding("ctrl+r", "retry", "Retry connection", id="login.retry"),
        ENTER,
    ]

    holds_typing = True
    """A sign-in is never closed by a destination key (ui/navigation.py): only by signing in or Escape."""

    def __init__(self, *, reason: str = "", switching: bool = False) -> None:
        super().__init__()
        self._reason = reason
        self._switching = switching
        self._pending: tuple[str, str] | None = None
        self._picker_set = False
        """The picker shows the server's locations and this terminal's choice among them."""

    @property
    def desk(self) -> DeskApp:
        return cast("DeskApp", self.app)

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Center(), Vertical(id="login-form"):
            yield Static("Switch staff" if self._switching else "Sign in", classes="title")
            with Grid(id="login-fields"):
                yield Label("Location")
                if self.desk.location_options:  # a second sign-in: the list is known already (on_mount)
                    yield self._picker()
                else:
                    yield LocationStandIn("Connecting…", id="location-stand-in")
                yield Label("Username")
                yield Input(placeholder="e.g. reception", id="username", max_length=100)
                yield Label("PIN")
                yield Input(placeholder="digits", id="pin", password=True, max_length=64)
            # No Sign in button (Enter already signs in; the button was ≈ 4 % of the first frame's
            # work, docs/performance.md session 14): the form says how, in words.
            yield Static("Enter: next field · Enter on the PIN signs in", id="login-hint", classes="hint")
            yield Static(self._reason, id="login-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.watch(self.desk, "connection_state", self._connection_changed, init=True)
        self.watch(self.desk, "location_options", self._locations_changed, init=False)
        if self.desk.location_options:  # a second sign-in: the list is known already
            self.call_after_refresh(self._locations_changed, self.desk.location_options)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self._switching and self.desk.signed_in is not None
        if action == "retry":
            return self.desk.connection_state is ConnectionState.FAILED
        return True

    def _connection_changed(self, state: ConnectionState) -> None:
        try:
            status = self.query_one("#login-status", Static)
        except NoMatches:  # its mount came as the app was closing and its widgets already gone
            return
        if state is ConnectionState.READY and self._pending is not None:
            # after the location list has arrived (the same refresh), so the choice is real
            self.call_after_refresh(self._submit_pending)
        if state is ConnectionState.CONNECTING:
            status.update("Connecting to the booking server…")
        elif state is ConnectionState.FAILED:
            status.update(f"{self.desk.connection_error}  Press ctrl+r to try again.")
        elif not self._reason:
            status.update("")
        self.refresh_bindings()

    def _preferred(self, options: tuple[tuple[str, str], ...]) -> str:
        """This terminal's location if it is one of them, else the first."""
        ids = [value for _, value in options]
        current = self.desk.location_id
        return current if current is not None and current in ids else ids[0]

    @staticmethod
    def _picker() -> Select[str]:
        # empty: the options and the choice are set once its parts are up (_locations_changed)
        return Select[str]([], prompt="Connecting…", id="location", allow_blank=True)

    def _locations_changed(self, options: tuple[tuple[str, str], ...]) -> None:
        try:
            select = self.query_one("#location", Select)
        except NoMatches:  # the look-alike is still there: the real picker, now it has something to offer
            if options:
                stand_in = self.query_one("#location-stand-in", LocationStandIn)
                self.query_one("#login-fields").mount(self._picker(), after=stand_in)
                stand_in.remove()
                self.call_after_refresh(self._locations_changed, options)
            return
        try:
            select.set_options(list(options))
            select.prompt = "Choose a location" if options else "Connecting…"
            if options:
                select.value = self._preferred(options)
            self._picker_set = bool(options)
        except NoMatches:
            # The Select's own parts are not mounted yet (the answer beat the first frame):
            # try again after the next refresh rather than fail the sign-in screen.
            self.call_after_refresh(self._locations_changed, options)

    def action_enter_key(self) -> None:
        enter_key(self, last="pin", submit=self._submit)

    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        status = self.query_one("#login-status", Static)
        if not username or not pin:
            status.update("Type your username and PIN.")
            self.query_one("#username" if not username else "#pin", Input).focus()
            return
        if self.desk.connection_state is not ConnectionState.READY:
            # Typed before the server answered: sign in the moment it does, no second Enter.
            self._pending = (username, pin)
            status.update("Connecting… you will be signed in as soon as the server answers.")
            return
        self._sign_in(username, pin, self._chosen_location(), self.desk.hold_keys())

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _sign_in(self, username: str, pin: str, location_id: str | None, hold: KeyHold) -> None:
        # Keys typed while the server checks the PIN (F4 straight after Enter) wait for the shell.
        status = self.query_one("#login-status", Static)
        status.update("Signing in…")
        try:
            result = await self.desk.client.login(username, pin, location_id)
            await self.desk.org()  # the session is handed over with the salon's settings
        except Exception as exc:  # any failure is said here, never "Signing in…" for ever
            if isinstance(exc, ApiError):
                status.update(exc.sentence)
            else:
                log.exception("signing in failed")  # doctor and support read the log
                status.update("Signing in did not work: something went wrong on this terminal (it has been logged "
                              "for support). Try again; if it keeps failing, restart desk-tui.")
            pin_input = self.query_one("#pin", Input)
            pin_input.value = ""
            pin_input.focus()
            return
        finally:
            hold.release()
        self.done(result)

    def done(self, result: LoginResponse | Me) -> None:
        """Signed in. Pushed over another screen, it goes with the result (the app's
        after_login); on a fresh desk it is the app's first screen (DeskApp.get_default_screen),
        which cannot be popped: it hands the result over and stays beneath, unseen."""
        if self.app.screen_stack[0] is self:
            self.query_one("#pin", Input).value = ""  # it stays beneath all day: not with the PIN
            self.desk.after_login(result)
        else:
            self.dismiss(result)

    def _submit_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._sign_in(*pending, self._chosen_location(), self.desk.hold_keys())

    def _chosen_location(self) -> str | None:
        """The picker's choice; while it is still being put up, the choice it will show (waiting
        for it re-ran at every refresh, a loop that under load could keep the sign-in from ever
        being sent). No locations came (still the look-alike): the server decides."""
        if self._picker_set:
            location = self.query_one("#location", Select).value
            return None if location is Select.NULL else str(location)
        options = self.desk.location_options
        return self._preferred(options) if options else None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_retry(self) -> None:
        self.desk.start_session()
