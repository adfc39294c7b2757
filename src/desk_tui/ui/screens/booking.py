"""Book an appointment: find the customer, use a package or pick paid services, save.

Left: customer search and the *Available packages* panel. Right: staff, date, time, the
lines (a package line costs 0 and shows its badge and counter) and Save. Save is one request;
the counters then come from the server's answer. Nothing typed is lost on a refusal.

A staff member who is busy then is a question naming the booking in the way, answered for that
one save: after a "Back", changing the time, date, staff or services and saving asks again.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from desk_tui.client.errors import ApiError
from desk_tui.contract.appointments import (
    Appointment,
    AppointmentCreate,
    AppointmentLineCreate,
    LineSourceCreate,
)
from desk_tui.contract.customers import Customer
from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.reference import Service, Staff
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.family import may_use
from desk_tui.ui.money import format_money
from desk_tui.ui.overlaps import clash_sentence, confirm_overlap
from desk_tui.ui.refused_input import clear_refused, mark_refused
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.widgets.day_grid import PACKAGE, Slot
from desk_tui.ui.widgets.package_panel import PackageChoice, PackagePanel

DEBOUNCE_SECONDS = 0.25
#: the request's fields → the inputs that hold them, for a refusal the server names a field of
FIELD_INPUTS = {"customer_id": "#booking-customer", "staff_id": "#booking-staff", "start": "#booking-date",
                "lines": "#booking-lines"}


class BookingScreen(DeskScreen):
    MODE = "calendar"
    BINDINGS = [
        Binding("f10", "save", "Save", id="booking.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="booking.cancel"),
        Binding("delete", "remove_line", "Remove line", id="booking.remove_line"),
        Binding("ctrl+n", "new_customer", "New customer", id="booking.new_customer"),
        # ↓ in the customer box goes down to its matches, as in F3's search box (widgets/customer_search.py)
        Binding("down", "to_matches", "To the matches", id="booking.to_matches", show=False),
    ]

    def __init__(self, *, staff: list[Staff], slot: Slot, tz: ZoneInfo, customer: Customer | None = None) -> None:
        super().__init__()
        self._staff, self._slot, self._tz = staff, slot, tz
        self._customer = customer
        self._services: dict[str, Service] = {}
        self._lines: list[tuple[str, PackageChoice | None]] = []  # (service_id, package or None)

    def compose_body(self) -> ComposeResult:
        start = self._slot.start.astimezone(self._tz)
        with Horizontal(id="booking"):
            with Vertical(id="booking-left"):
                yield Label("Customer")
                yield Input(placeholder="name, phone, email or card number", id="booking-customer", compact=True)
                yield OptionList(id="booking-customers")
                yield Label("Available packages", id="packages-label")
                yield PackagePanel(id="booking-packages")
            with Vertical(id="booking-right"):
                yield Label("Staff")
                yield Select([(s.name, s.id) for s in self._staff], value=self._slot.staff.id, allow_blank=False,
                             id="booking-staff", compact=True)
                yield Label("Date          Time", id="when-label")
                with Horizontal(id="booking-when"):
                    yield Input(start.date().isoformat(), id="booking-date", compact=True, max_length=10)
                    yield Input(start.strftime("%H:%M"), id="booking-time", compact=True, max_length=5)
                yield Label("Add a paid service")
                yield Select([], prompt="service…", id="booking-service", compact=True)
                yield DataTable(id="booking-lines", cursor_type="row", show_cursor=True)
                yield Static("", id="booking-total")
                yield Button("Save (F10)", id="booking-save", variant="primary", compact=True)
                yield Static("", id="booking-status", classes="status", markup=False)

    def on_mount(self) -> None:
        self.title = "New appointment"
        lines = self.query_one("#booking-lines", DataTable)
        lines.add_columns("Service", "Price", "From")
        self.query_one("#booking-customers", OptionList).display = False
        self._load_services()
        if self._customer is not None:
            self._choose_customer(self._customer)
        else:
            self.query_one("#booking-customer", Input).focus()

    @work(exclusive=True, group="booking-services", exit_on_error=False)
    async def _load_services(self) -> None:
        location = self.session.location.id
        services = [s for s in await self.session.client.services() if s.active]
        self._services = {s.id: s for s in services}
        here = [s for s in services if location in s.location_ids]
        self.query_one("#booking-service", Select).set_options(
            [(f"{s.name} · {s.duration_min} min · {format_money(s.price, self.session.org)}", s.id) for s in here])

    @property
    def holds_typing(self) -> bool:
        """A booking with a customer or a service in it stays open under F2 (ui/navigation.py); the
        date and time fields are filled in from the slot, so they alone do not count."""
        return bool(self._customer or self._lines or self.query_one("#booking-customer", Input).value)

    # -- customer ------------------------------------------------------------------------------
    @on(Input.Changed, "#booking-customer")
    def _customer_typed(self, event: Input.Changed) -> None:
        if self._customer is None or event.value != self._customer.name:
            self._search(event.value)

    @work(exclusive=True, group="booking-search", exit_on_error=False)
    async def _search(self, query: str) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)  # cancelled by the next keystroke: one request per pause
        results = self.query_one("#booking-customers", OptionList)
        results.clear_options()
        if not query.strip():
            return
        page = await self.session.client.search_customers(query.strip(), limit=20)
        self._found = {c.id: c for c in page.items}
        results.add_options([Option(as_typed(f"{c.name}  {c.phone or ''}"), id=c.id) for c in page.items]
                            or [Option("No match", disabled=True)])
        results.display = True
        if page.items:
            results.highlighted = 0  # Enter picks the first match straight away

    @on(Input.Submitted, "#booking-customer")
    def _to_results(self) -> None:
        self.query_one("#booking-customers", OptionList).focus()

    def action_to_matches(self) -> None:
        matches = self.query_one("#booking-customers", OptionList)
        if self.focused is not self.query_one("#booking-customer", Input) or not matches.option_count:
            raise SkipAction()
        matches.focus()

    @on(OptionList.OptionSelected, "#booking-customers")
    def _customer_picked(self, event: OptionList.OptionSelected) -> None:
        customer = getattr(self, "_found", {}).get(event.option.id or "")
        if customer is not None:
            self._choose_customer(customer)

    def _choose_customer(self, customer: Customer) -> None:
        self._customer = customer
        self._drop_lines_of_others(customer)
        box = self.query_one("#booking-customer", Input)
        box.value = customer.name
        found = self.query_one("#booking-customers", OptionList)
        found.clear_options()
        found.display = False
        self.query_one("#packages-label", Label).update(as_typed(f"Packages of {customer.name} · Enter uses"))
        self.load_packages()
        self.query_one("#booking-packages", PackagePanel).focus()

    def _drop_lines_of_others(self, customer: Customer) -> None:
        """A package pays only for its holder and the family members listed on it: when the
        customer changes (searched again, or a new one with ctrl+n), lines taken from a card they
        may not use go, and the screen says so — the service can be taken from this customer's
        packages or booked paid."""
        theirs = [p for _, p in self._lines if p is not None and not may_use(p.card, customer.id)]
        if not theirs:
            return
        self._lines = [(s, p) for s, p in self._lines if p is None or p not in theirs]
        self._show_lines()
        gone = ", ".join(f"{p.service_name} from {p.card.package_name}" for p in theirs)
        self.query_one("#booking-status", Static).update(
            as_typed(f"Removed {gone}: that package is {theirs[0].card.customer_name}'s. Use one of "
                     f"{customer.name}'s packages, or add the service as paid."))

    @work(exclusive=True, group="booking-packages", exit_on_error=False)
    async def load_packages(self) -> None:
        if self._customer is None:
            return
        cards = await self.session.client.cards.own_and_shared(self._customer.id)  # family cards after their own
        if not self._services:
            self._services = {s.id: s for s in await self.session.client.services()}
        today = self.session.today()
        self.query_one(PackagePanel).show_cards(cards, services=self._services, day=self._day() or today,
                                                today=today, location_id=self.session.location.id,
                                                customer_id=self._customer.id)

    def action_new_customer(self) -> None:
        from desk_tui.ui.screens.customer_form import CustomerFormScreen

        def created(customer: Customer | None) -> None:
            if customer is not None:
                self._choose_customer(customer)

        self.app.push_screen(CustomerFormScreen(), created)

    # -- lines ---------------------------------------------------------------------------------
    @on(PackagePanel.Used)
    def _use_package(self, event: PackagePanel.Used) -> None:
        self._lines.append((event.choice.service_id, event.choice))
        self._show_lines()

    @on(Select.Changed, "#booking-service")
    def _add_paid(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self._lines.append((str(event.value), None))
            self._show_lines()
            event.select.clear()

    def action_remove_line(self) -> None:
        table = self.query_one("#booking-lines", DataTable)
        if self._lines and table.has_focus:
            del self._lines[table.cursor_row]
            self._show_lines()

    def _show_lines(self) -> None:
        table = self.query_one("#booking-lines", DataTable)
        table.clear()
        org = self.session.org
        total = 0
        for service_id, package in self._lines:
            svc = self._services.get(service_id)
            name = svc.name if svc else service_id
            if package is None:
                price = svc.price if svc else 0
                total += price
                table.add_row(name, format_money(price, org), "paid")
            else:
                table.add_row(name, format_money(0, org), Text(f"{PACKAGE} Package: {package.card.package_name}",
                                                               style="magenta"))
        minutes = sum(self._services[s].duration_min for s, _ in self._lines if s in self._services)
        self.query_one("#booking-total", Static).update(f"{minutes} min · to pay {format_money(total, org)}")
        self._slot_changed()

    # -- save ----------------------------------------------------------------------------------
    def _day(self) -> date | None:
        try:
            return date.fromisoformat(self.query_one("#booking-date", Input).value.strip())
        except ValueError:
            return None

    def _start(self) -> datetime | None:
        day = self._day()
        try:
            hh, mm = self.query_one("#booking-time", Input).value.strip().split(":")
            return datetime.combine(day, time(int(hh), int(mm)), self._tz) if day else None
        except ValueError:
            return None

    @on(Button.Pressed, "#booking-save")
    def action_save(self) -> None:
        status = self.query_one("#booking-status", Static)
        start = self._start()
        if self._customer is None:
            status.update("Choose the customer first.")
        elif not self._lines:
            status.update("Add a service: Use a package on the left, or pick a paid service.")
        elif start is None:
            status.update("Date is YYYY-MM-DD and time is HH:MM, for example 2026-11-30 and 14:15.")
        else:
            lines = [AppointmentLineCreate(service_id=s, source=LineSourceCreate(card_id=p.card.id,
                                                                                 entitlement_id=p.entitlement_id)
                                           if p else None) for s, p in self._lines]
            staff_id = str(self.query_one("#booking-staff", Select).value)
            self._save(AppointmentCreate(customer_id=self._customer.id, staff_id=staff_id, start=start, lines=lines))

    @work(exclusive=True, group="booking-save", exit_on_error=False)
    async def _save(self, data: AppointmentCreate) -> None:
        status = self.query_one("#booking-status", Static)
        clear_refused(self)
        while True:
            status.update("Saving…")
            try:
                # The client gives this booking the key of its intent: Save pressed again after a
                # timeout (or after a restart) is replayed by the server, never booked twice; a
                # refusal settles it, and a changed form (an allowed overlap too) is another request.
                appointment = await self.session.client.appointments.book(data)
                break
            except ApiError as exc:
                if exc.code == ProblemCode.STAFF_DOUBLE_BOOKED:
                    override = await self._confirm_overlap(exc, data)
                    if override is not None:
                        data = AppointmentCreate.model_validate(data.model_dump() | override)
                        continue  # the same booking once more, allowed to overlap what was named
                    status.update(f"Not booked: {self._clash(exc, data)} Change the time or staff member, or "
                                  "F10 and y to book anyway.")
                    return
                if exc.code in (ProblemCode.INSUFFICIENT_UNITS, ProblemCode.CARD_EXPIRED, ProblemCode.CARD_NOT_ACTIVE,
                                ProblemCode.CARD_EXPIRES_BEFORE_APPOINTMENT, ProblemCode.CARD_NOT_SHARED):
                    self.load_packages()  # another terminal may have taken the unit: show the truth
                # In the server's words, on the input it is about (highlighted, the cursor on a refused line).
                mark_refused(self, exc, FIELD_INPUTS)
                status.update(exc.sentence)
                return
        self.dismiss(appointment)

    def _clash(self, exc: ApiError, data: AppointmentCreate) -> str:
        return clash_sentence(exc, self._tz, location_id=self.session.location.id,
                              day=data.start.astimezone(self._tz).date())

    async def _confirm_overlap(self, exc: ApiError, data: AppointmentCreate) -> dict[str, object] | None:
        self.query_one("#booking-status", Static).update(self._clash(exc, data))
        who = self._customer.name if self._customer else "this customer"
        return await confirm_overlap(self, exc, self._tz, location_id=self.session.location.id,
                                     day=data.start.astimezone(self._tz).date(), doing=f"Book {who}")

    @on(Input.Changed, "#booking-date")
    @on(Input.Changed, "#booking-time")
    @on(Select.Changed, "#booking-staff")
    def _slot_changed(self) -> None:
        """A clash said about the old slot would mislead about the new one: the next save checks it."""
        status = self.query_one("#booking-status", Static)
        if str(status.render()).startswith("Not booked: "):
            status.update("")

    def action_cancel(self) -> None:
        """Escape leaves an empty form at once; a customer or a service typed in is asked about
        first, since one stray Escape would otherwise throw away a booking half made."""
        if not self.holds_typing:
            self.dismiss(None)
            return
        # Only a name typed, none chosen: the booking is nobody's yet.
        what = f"the booking for {self._customer.name}" if self._customer is not None else "this booking"

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(f"Discard {what}? Nothing has been saved.",
                                           yes="Discard", no="Keep editing", title="Leave the booking?"),
                             answered)


__all__ = ["Appointment", "BookingScreen"]
