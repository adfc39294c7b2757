"""Booking and editing appointments: the rules and the transaction, keyword-only functions.

Every function takes the caller's write session. Locks are taken in one order everywhere —
appointment row, then the staff member being booked, then the cards (in id order) — so two
terminals never deadlock, and the staff lock makes the double-booking check race-free on
PostgreSQL (on SQLite ``BEGIN IMMEDIATE`` already serialises writers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.server.appointments import lines as line_rules
from desk_tui.server.appointments import wording
from desk_tui.server.appointments.models import FINAL, OCCUPYING, Appointment
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards.calendar import business_date
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.service import get_customer, record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Staff, StaffLocation


def _here(appointment_id: str, me: Principal):
    """The one rule for finding an appointment by id: at the token's location, as the day list
    shows them. Another location's appointment is "not found" (404), not "forbidden" (403): the
    calendar of this location does not have it, and a 403 would confirm the id exists elsewhere."""
    return select(Appointment).where(Appointment.id == appointment_id, Appointment.location_id == me.location_id)


def lock(s: Session, appointment_id: str, *, me: Principal) -> Appointment:
    appt = s.scalar(_here(appointment_id, me).with_for_update().execution_options(populate_existing=True))
    if appt is None:
        raise DomainError("not_found", "No such appointment at this location.")
    return appt


def get(s: Session, appointment_id: str, *, me: Principal) -> Appointment:
    appt = s.scalar(_here(appointment_id, me))
    if appt is None:
        raise DomainError("not_found", "No such appointment at this location.")
    return appt


def check_version(appt: Appointment, expected: int | None) -> None:
    """``expected`` is the If-Match version; None means ``If-Match: *`` (any version)."""
    if expected is not None and expected != appt.version:
        raise DomainError("version_conflict", f"Someone changed this appointment since you opened it (you had "
                                              f"version {expected}, it is now {appt.version}). Reload it and "
                                              "make your change again.", current_version=appt.version)


def _bookable_staff(s: Session, staff_id: str, location_id: str, *, check: bool = True) -> Row:
    """The staff member (id, name, active, bookable), locked: bookings of one stylist queue here.

    ``check=False`` only locks: an edit that keeps the stylist is not refused because they have
    since stopped taking new bookings."""
    staff = s.execute(select(Staff.id, Staff.name, Staff.active, Staff.bookable).where(Staff.id == staff_id)
                      .with_for_update()).first()
    if not check and staff is not None:
        return staff
    if staff is None or not staff.active:
        raise DomainError("validation_error", "staff_id: no such staff member.")
    if not staff.bookable:
        raise DomainError("validation_error", f"staff_id: {staff.name} does not take appointments.")
    works_here = s.scalar(select(StaffLocation.staff_id).where(StaffLocation.staff_id == staff_id,
                                                               StaffLocation.location_id == location_id))
    if works_here is None:
        raise DomainError("validation_error", f"staff_id: {staff.name} does not work at this location.")
    return staff


def _check_free(s: Session, *, staff: Row, start: datetime, end: datetime, exclude: str | None) -> None:
    """409 when the staff member has another live appointment overlapping [start, end), at any location."""
    stmt = select(Appointment.start_at, Appointment.end_at).where(
        Appointment.staff_id == staff.id, Appointment.status.in_(OCCUPYING),
        Appointment.start_at < end, Appointment.end_at > start)
    if exclude is not None:
        stmt = stmt.where(Appointment.id != exclude)
    clash = s.execute(stmt.order_by(Appointment.start_at).limit(1)).first()
    if clash is not None:
        raise DomainError("staff_double_booked",
                          f"{staff.name} already has an appointment from {wording.clock(s, clash[0])} to "
                          f"{wording.clock(s, clash[1])}. Choose another time or staff member, or book anyway.")


def _end(start: datetime, lines) -> datetime:
    return start + timedelta(minutes=sum(x.duration_min for x in lines))


def create(s: Session, *, data: wire.AppointmentCreate, me: Principal, now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    try:
        customer = get_customer(s, data.customer_id)
    except DomainError:
        raise DomainError("validation_error", "customer_id: no such customer.") from None
    staff = _bookable_staff(s, data.staff_id, me.location_id)
    services = line_rules.services_for(s, data.lines, me.location_id)
    line_rules.lock_cards_of(s, [], [x.source for x in data.lines])
    appt = Appointment(id=new_id("apt"), version=1, location_id=me.location_id, staff_id=staff.id,
                       customer_id=customer.id, start_at=data.start.astimezone(UTC), status="booked",
                       note=data.note or None,
                       cancel_reason=None, created_at=now, created_by=me.staff_id, updated_at=now)
    appt.lines = [line_rules.new_line(req, services[req.service_id], i) for i, req in enumerate(data.lines)]
    appt.end_at = _end(appt.start_at, appt.lines)
    if not data.allow_double_booking:
        _check_free(s, staff=staff, start=appt.start_at, end=appt.end_at, exclude=None)
    s.add(appt)
    s.flush()
    on = business_date(s, appt.start_at)
    for i, (req, line) in enumerate(zip(data.lines, appt.lines, strict=True)):
        if req.source is not None:
            line_rules.reserve(s, appt=appt, line=line, source=req.source, index=i, on=on, me=me, now=now)
    s.flush()
    record_activity(s, customer_id=customer.id, kind="appointment_booked", appointment_id=appt.id, me=me,
                    summary=f"Booked {wording.describe(s, appt, staff.name)}")
    return appt


def update(s: Session, *, appointment_id: str, data: wire.AppointmentUpdate, expected_version: int | None,
           me: Principal, now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    appt = lock(s, appointment_id, me=me)
    check_version(appt, expected_version)
    if appt.status in FINAL:
        raise DomainError("invalid_transition", f"This appointment is {wording.STATUS[appt.status]}; "
                                                "it can no longer be changed.")
    before = (appt.start_at, appt.end_at, appt.staff_id)
    old_staff = appt.staff_id
    staff = _bookable_staff(s, data.staff_id or appt.staff_id, appt.location_id,
                            check=data.staff_id not in (None, appt.staff_id))
    start = data.start.astimezone(UTC) if data.start else appt.start_at
    old_day, new_day = business_date(s, appt.start_at), business_date(s, start)
    changed = False

    if data.lines is not None:
        services = line_rules.services_for(s, data.lines, appt.location_id)
        plan = line_rules.plan(appt, data.lines)
        line_rules.lock_cards_of(s, list(appt.lines), [req.source for req, _ in plan.ordered])
        line_rules.sync(s, appt)
        # Release first, so switching to another pool of the same card can use the units it frees.
        for line in plan.removed:
            line_rules.release(s, line=line, me=me, now=now, note="line removed from the appointment")
        for req, old in plan.ordered:
            if old is not None and not plan.unchanged(req, old):
                line_rules.release(s, line=old, me=me, now=now, note="line changed")
        new_lines = []
        for i, (req, old) in enumerate(plan.ordered):
            kept = plan.unchanged(req, old)  # decided before the line is rewritten below
            if old is None:
                line = line_rules.new_line(req, services[req.service_id], i)
            else:
                line = old
                line.position = i
                if not kept:
                    line_rules.fill(line, req, services[req.service_id])
            new_lines.append((req, line, kept))
        changed = bool(plan.removed) or any(not kept for *_, kept in new_lines) or \
            [x.id for x in appt.lines] != [line.id for _, line, _ in new_lines]
        appt.lines = [line for _, line, _ in new_lines]
        s.flush()
        for i, (req, line, kept) in enumerate(new_lines):
            if req.source is not None and not kept:
                line_rules.reserve(s, appt=appt, line=line, source=req.source, index=i, on=new_day, me=me, now=now)
    else:
        line_rules.lock_cards_of(s, list(appt.lines), [])
        line_rules.sync(s, appt)

    if new_day != old_day:
        _check_kept_cards(s, appt, new_day)
    appt.start_at, appt.staff_id = start, staff.id
    appt.end_at = _end(start, appt.lines)
    if "note" in data.model_fields_set and (data.note or None) != appt.note:
        appt.note, changed = data.note or None, True
    moved = (appt.start_at, appt.end_at, appt.staff_id) != before
    if moved and not data.allow_double_booking:
        _check_free(s, staff=staff, start=appt.start_at, end=appt.end_at, exclude=appt.id)
    if moved or changed:
        appt.version += 1
        appt.updated_at = now
        s.flush()
        summary = wording.change(s, appt, before=before, old_staff=old_staff, staff_name=staff.name,
                                 lines_changed=data.lines is not None and changed)
        record_activity(s, customer_id=appt.customer_id, kind="appointment_changed", appointment_id=appt.id,
                        me=me, summary=summary)
    return appt


def _check_kept_cards(s: Session, appt: Appointment, on) -> None:
    """A move must not carry a reservation past its card's expiry (new reservations are checked as made)."""
    ids = {x.card_id for x in appt.lines if x.card_id and x.redemption == "reserved"}
    if not ids:
        return
    for name, expires_on in s.execute(select(Card.package_name, Card.expires_on).where(Card.id.in_(ids))):
        if expires_on is not None and expires_on < on:
            raise DomainError("card_expires_before_appointment",
                              f"{name} expires on {expires_on.isoformat()}, before {on.isoformat()}. "
                              "Keep the appointment before then, or book the service as paid.")
