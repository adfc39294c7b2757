"""One appointment: its lines, sources and counters, and what reception does with it.

Check in (and, when the API says a card could cover a paid line, "Redeem service from
package?"), switch a line to a package or back, move it, cancel (the session goes
back to the package), no-show (counts as used), and complete. Edits carry the version the
receptionist was looking at when they chose the action; if someone else changed it first, the
screen reloads and says so (412). A change made at another desk while the screen is open
reloads it by itself and says who changed what ("Changed at Riverside by Réka Tóth: moved to
15:30"); one that arrives during an action of this screen waits until the action is done. An
edit into a staff member's busy time asks about the booking in the way, for that edit only.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from desk_tui.client.errors import ApiError
from desk_tui.contract.appointments import (
    Appointment,
    AppointmentLine,
    AppointmentLineCreate,
    AppointmentUpdate,
    LineSourceCreate,
    Redeemable,
)
from desk_tui.contract.events import Event
from desk_tui.contract.problems import ProblemCode
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.circles import counter_label
from desk_tui.ui.family import shared_by
from desk_tui.ui.money import format_money
from desk_tui.ui.overlaps import clash_sentence, confirm_overlap
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.move_appointment import MoveAppointmentScreen
from desk_tui.ui.type_ahead import KeyHold
from desk_tui.ui.widgets.day_grid import PACKAGE, STATUS

OPEN = ("booked", "checked_in")


class AppointmentScreen(DeskScreen):
    MODE = "calendar"
    BINDINGS = [
        Binding("escape", "back", "Back", id="appointment.back", show=False),
        # Most-needed first: the footer shows what fits in this order (widgets/key_footer.py).
        Binding("c", "check_in", "Check in", id="appointment.check_in"),
        Binding("f4", "checkout", "Checkout", id="appointment.checkout"),
        Binding("n", "no_show", "No-show", id="appointment.no_show"),
        Binding("o", "complete", "Complete", id="appointment.complete"),
        Binding("p", "use_package", "Use package", id="appointment.use_package"),
        Binding("u", "make_paid", "Make paid", id="appointment.make_paid"),
        Binding("m", "move", "Move", id="appointment.move"),
        Binding("x", "cancel_appointment", "Cancel appt", id="appointment.cancel"),
        Binding("r", "reload", "Refresh", id="appointment.reload", show=False),
    ]

    def __init__(self, appointment_id: str, *, tz: ZoneInfo) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self._tz = tz
        self.appointment: Appointment | None = None
        self._heard: Event | None = None
        """A change from another desk heard while an action of this screen was running."""

    @property
    def shown(self) -> Appointment:
        """The appointment on screen, for the actions: check_action offers them only once it is."""
        if self.appointment is None:
            raise RuntimeError("The appointment is not loaded yet.")
        return self.appointment

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="appointment-summary")
        yield DataTable(id="appointment-lines", cursor_type="row")
        yield Static("", id="appointment-status", classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True  # nine keys at 80 columns
        self.query_one(DataTable).add_columns("Service", "Price", "From", "Package")
        self.action_reload()
        self.desk.live_events.subscribe(self, self._heard_event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        appt = self.appointment
        if action in ("check_in",):
            return appt is not None and appt.status == "booked"
        if action in ("cancel_appointment", "no_show", "complete", "use_package", "make_paid", "move", "checkout"):
            return appt is not None and appt.status in OPEN
        return True

    # -- drawing -------------------------------------------------------------------------------
    @work(exclusive=True, group="appointment-load", exit_on_error=False)
    async def action_reload(self) -> None:
        self.show(await self.session.client.appointments.appointment(self.appointment_id))

    def show(self, appt: Appointment) -> None:
        self.appointment = appt
        start, end = appt.start.astimezone(self._tz), appt.end.astimezone(self._tz)
        glyph, word, style = STATUS.get(appt.status, ("?", appt.status, ""))
        summary = Text.assemble((appt.customer_name, "bold"), f"  with {appt.staff_name or appt.staff_id}\n",
                                f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M}  ", (f"{glyph} {word or 'booked'}", style))
        self.query_one("#appointment-summary", Static).update(summary)
        table = self.query_one(DataTable)
        table.clear()
        org = self.session.org
        for line in appt.lines:
            table.add_row(as_typed(line.service_name), format_money(line.price, org), *_source_cells(line), key=line.id)
        self.refresh_bindings()

    # -- live updates ----------------------------------------------------------------------------
    def _heard_event(self, event: Event) -> None:
        if event.kind == "reset":
            self.action_reload()
        elif event.appointment_id == self.appointment_id and event.kind.startswith("appointment."):
            if any(w.is_running for w in self.workers if w.group == "appointment-action"):
                self._heard = event  # perhaps this screen's own change: decided once it has its answer
            else:
                self._changed_elsewhere(event)

    def _changed_elsewhere(self, event: Event) -> None:
        if self.appointment is not None and event.version is not None and event.version <= self.appointment.version:
            return  # what is shown is already as new (our own change)
        where = f" at {event.location_name}" if event.location_name else ""
        who = f" by {event.staff_name}" if event.staff_name else ""
        what = f": {event.summary}" if event.summary else ""
        self._reload_saying(f"Changed{where}{who}{what}.")

    @work(exclusive=True, group="appointment-load", exit_on_error=False)
    async def _reload_saying(self, sentence: str) -> None:
        self.show(await self.session.client.appointments.appointment(self.appointment_id))
        self._say(sentence)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Failures are said by DeskScreen's handler, which Textual runs as well (no super() here).
        if event.worker.group == "appointment-action" and event.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED) and self._heard is not None:
            heard, self._heard = self._heard, None
            self._changed_elsewhere(heard)

    def _line(self) -> AppointmentLine | None:
        table = self.query_one(DataTable)
        if self.appointment is None or not table.row_count:
            return None
        return self.appointment.lines[table.cursor_row]

    def _say(self, text: str) -> None:
        self.query_one("#appointment-status", Static).update(text)

    # -- actions -------------------------------------------------------------------------------
    def _before_its_day(self, verb: str) -> bool:
        """Check-in and no-show belong to the appointment's day (the server refuses them earlier,
        409 appointment_not_yet): said here, before any question, in the server's words."""
        day = self.shown.start.astimezone(self._tz).date()
        if day <= self.desk.now(self._tz).date():
            return False
        self._say(f"This appointment is on {day:%a %d %b %Y}; it can be {verb} on that day, not before.")
        return True

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_check_in(self) -> None:
        if self._before_its_day("checked in"):
            return
        result = await self.session.client.appointments.check_in(self.appointment_id)
        self.show(result)
        self._say("Checked in.")
        credits = []
        for suggestion in result.redeemable:
            line = next(x for x in self.shown.lines if x.id == suggestion.line_id)
            if any(s.card_id for s in suggestion.sources):
                await self._offer_package(suggestion)
            credits += [f"{line.service_name}: {s.label}" for s in suggestion.sources if s.enrollment_id]
        if credits:
            # The appointment's cart starts with the credit on hold (the server applies it); u there gives it back.
            self._say("Checked in. Membership credit available — checkout (F4) applies it:\n" + "\n".join(credits))

    async def _offer_package(self, suggestion: Redeemable) -> None:
        seen = self.shown
        source = next(s for s in suggestion.sources if s.card_id)
        line = next(x for x in self.shown.lines if x.id == suggestion.line_id)
        question = (f"Redeem {line.service_name} from a package?\n{source.label}.\n"
                    "The line becomes 0 and the session is taken from the package.")
        if await self.app.push_screen_wait(ConfirmScreen(question, title="Redeem service from package?",
                                                         yes="Use package", no="Keep paid")):
            await self._switch(line, LineSourceCreate(card_id=source.card_id, entitlement_id=source.entitlement_id),
                               seen)

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_use_package(self) -> None:
        seen = self.shown
        line = self._line()
        if line is None or line.source is not None:
            self._say("Highlight a paid line to take it from a package.")
            return
        # Their own cards first, then the family cards others share with them (as booking offers).
        cards = await self.session.client.cards.customer_cards(self.shown.customer_id, status="active", shared=True)
        fits = [(card, balance, svc) for card in cards for balance in card.balances for svc in balance.services
                if svc.service_id == line.service_id and svc.available > 0]
        if not fits:
            self._say(f"{self.shown.customer_name} has no package with {line.service_name} left.")
            return
        card, balance, svc = fits[0]
        number = f" (card {card.number})" if card.number else ""
        owner = shared_by(card, self.shown.customer_id)
        whose = f"{owner}'s {card.package_name}" if owner else card.package_name
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Take {line.service_name} from {whose}{number}? {svc.available} left.",
                yes="Use package", no="Keep paid")):
            await self._switch(line, LineSourceCreate(card_id=card.id, entitlement_id=balance.entitlement_id), seen)

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_make_paid(self) -> None:
        line = self._line()
        if line is None or line.source is None:
            self._say("Highlight a package line to make it paid.")
            return
        await self._switch(line, None, self.shown)

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_move(self) -> None:
        seen = self.shown
        location = self.session.location.id
        staff = [s for s in await self.session.client.staff() if s.bookable and location in s.location_ids]
        choice = await self.app.push_screen_wait(MoveAppointmentScreen(self.shown, staff, self._tz))
        if choice is None:
            return
        start, staff_id = choice
        if await self._edit(AppointmentUpdate(start=start, staff_id=staff_id), seen):
            self._say(f"Moved to {start:%a %d %b %H:%M}.")

    async def _edit(self, change: AppointmentUpdate, seen: Appointment) -> bool:
        """PATCH with the version the action was chosen on (the screen may have been reloaded by a
        live event since, under an open dialog); on a conflict, reload and say so. Into a busy
        slot, ask about the appointments in the way and send the same edit once more if allowed."""
        while True:
            try:
                updated = await self.session.client.appointments.update_appointment(self.appointment_id, change,
                                                                     version=seen.version)
                break
            except ApiError as exc:
                if exc.code == ProblemCode.VERSION_CONFLICT:
                    self.show(await self.session.client.appointments.appointment(self.appointment_id))
                    self._say("Someone else changed this appointment first; it has been reloaded. Try again.")
                    return False
                if exc.code != ProblemCode.STAFF_DOUBLE_BOOKED:
                    raise
                day = (change.start or seen.start).astimezone(self._tz).date()
                self._say(clash_sentence(exc, self._tz, location_id=seen.location_id, day=day))
                override = await confirm_overlap(self, exc, self._tz, doing=f"Change {seen.customer_name}'s"
                                                 " appointment", location_id=seen.location_id, day=day)
                if override is None:
                    self._say(f"Nothing changed: {clash_sentence(exc, self._tz, location_id=seen.location_id, day=day)}")
                    return False
                change = AppointmentUpdate.model_validate(change.model_dump(exclude_unset=True) | override)
        self.show(updated)
        return True

    async def _switch(self, target: AppointmentLine, source: LineSourceCreate | None, seen: Appointment) -> None:
        lines = [AppointmentLineCreate(id=x.id, service_id=x.service_id,
                                       source=(source if x.id == target.id else
                                               LineSourceCreate(card_id=x.source.card_id,
                                                                entitlement_id=x.source.entitlement_id)
                                               if x.source else None))
                 for x in seen.lines]
        if await self._edit(AppointmentUpdate(lines=lines), seen):
            self._say(f"{target.service_name} is now {'from a package' if source else 'paid'}.")

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_cancel_appointment(self) -> None:
        appt = self.shown
        packages = [x for x in appt.lines if x.source is not None]
        restore = " The session goes back to the package." if packages else ""
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Cancel {appt.customer_name}'s appointment at {appt.start.astimezone(self._tz):%H:%M}?{restore}",
                yes="Cancel appointment", no="Keep it")):
            return
        self.show(await self.session.client.appointments.cancel_appointment(self.appointment_id))
        restored = [f"{x.source.package_name}: {counter_label(x.counter, x.source.unit_type)}"
                    for x in self.shown.lines if x.source is not None and x.counter is not None]
        self._say("Cancelled." + (f" Session restored to {'; '.join(restored)}." if restored else ""))

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_no_show(self) -> None:
        appt = self.shown
        if self._before_its_day("marked as a no-show"):
            return
        counts = " Package sessions count as used." if appt.from_package else ""
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Mark {appt.customer_name} as a no-show?{counts}", yes="No-show", no="Back")):
            return
        self.show(await self.session.client.appointments.no_show(self.appointment_id))
        self._say("Marked as a no-show." + (" The session stays used; a manager can undo it." if counts else ""))

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def action_complete(self) -> None:
        appt = self.shown
        if not await self.app.push_screen_wait(ConfirmScreen(
                f"Complete {appt.customer_name}'s appointment? Package sessions are redeemed.", yes="Complete")):
            return
        self.show(await self.session.client.appointments.complete(self.appointment_id))
        self._say("Completed.")

    def action_checkout(self) -> None:
        self._checkout(self.desk.hold_keys())

    @work(exclusive=True, group="appointment-action", exit_on_error=False)
    async def _checkout(self, hold: KeyHold) -> None:
        """Open (or reopen) this appointment's cart: its lines come with it, package lines at 0.
        Keys typed while the server makes it wait for the cart."""
        from desk_tui.ui.screens.cart import open_cart

        cart_closed = await open_cart(self.desk, hold, appointment_id=self.appointment_id)
        result = await cart_closed
        if result is not None and result.status == "completed":
            self.show(await self.session.client.appointments.appointment(self.appointment_id))
            self._say("Checked out and completed.")

    def action_back(self) -> None:
        self.dismiss(self.appointment)


def _source_cells(line: AppointmentLine) -> tuple[Text | str, Text | str]:
    if line.source is None:
        return "paid", ""
    badge = Text(f"{PACKAGE} Package", style="bold magenta")
    counter = counter_label(line.counter, line.source.unit_type) if line.counter else ""
    state = {"reserved": "booked", "redeemed": "used", "released": "released"}.get(line.redemption or "", "")
    # a family card names whose it is ("Anyuka's 5x Manicure")
    whose = f"{line.source.owner_name}'s " if line.source.owner_name else ""
    return badge, as_typed(f"{whose}{line.source.package_name} · {counter}" + (f" · {state}" if state else ""))
