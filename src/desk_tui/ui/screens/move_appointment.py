"""m on an appointment: a new date, time or staff member. Returns the new start and staff."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from desk_tui.contract.appointments import Appointment
from desk_tui.contract.reference import Staff
from desk_tui.ui.form_keys import ENTER, enter_key


class MoveAppointmentScreen(ModalScreen[tuple[datetime, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="move.cancel"), ENTER]

    def __init__(self, appointment: Appointment, staff: list[Staff], tz: ZoneInfo) -> None:
        super().__init__()
        self._appointment, self._staff, self._tz = appointment, staff, tz

    def compose(self) -> ComposeResult:
        start = self._appointment.start.astimezone(self._tz)
        with Vertical(classes="dialog"):
            yield Static(f"Move {self._appointment.customer_name}", classes="title")
            with Grid(classes="form-grid"):
                yield Label("Staff")
                yield Select([(s.name, s.id) for s in self._staff], value=self._appointment.staff_id,
                             allow_blank=False, id="move-staff")
                yield Label("Date")
                yield Input(start.date().isoformat(), id="move-date", max_length=10)
                yield Label("Time")
                yield Input(start.strftime("%H:%M"), id="move-time", max_length=5)
            yield Button("Move", id="move-save", variant="primary")
            yield Static("", id="move-status", classes="status", markup=False)

    def action_enter_key(self) -> None:
        enter_key(self, last="move-time", submit=self._save)

    @on(Button.Pressed, "#move-save")
    def _save(self) -> None:
        try:
            day = date.fromisoformat(self.query_one("#move-date", Input).value.strip())
            hh, mm = self.query_one("#move-time", Input).value.strip().split(":")
            start = datetime.combine(day, time(int(hh), int(mm)), self._tz)
        except ValueError:
            self.query_one("#move-status", Static).update("Date is YYYY-MM-DD and time HH:MM, e.g. 2026-11-30 14:15.")
            return
        self.dismiss((start, str(self.query_one("#move-staff", Select).value)))

    def action_cancel(self) -> None:
        self.dismiss(None)
