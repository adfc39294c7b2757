"""Booking and editing appointments: the rules and the transaction, keyword-only functions.

Every function takes the caller's write session. Locks are taken in one order everywhere —
appointment row, then the staff member being booked, then the cards (in id order) — so two
terminals never deadlock, and the staff lock makes the double-booking check race-free on
PostgreSQL (on SQLite ``BEGIN IMMEDIATE`` already serialises writers).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments import booked, wording
from desk_tui.server.appointments import lines as line_rules
from desk_tui.server.appointments.booked import StaffRow
from desk_tui.server.appointments.models import FINAL, OCCUPYING, Appointment, AppointmentLine
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import activity_values, record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.models import Service, Staff
from desk_tui.server.reference.names import remember


def _here(appointment_id: str, me: Principal) -> Select[Appointment]:
    """The one rule for finding an appointment by id: at the token's location, as the day list
    shows them. Another location's appointment is "not found" (404), not "forbidden" (403): the
    calendar of this location does not have it, and a 403 would confirm the id exists elsewhere."""
    return select(Appointment).where(Appointment.id == appointment_id, Appointment.location_id == me.location_id)


def lock(s: Session, appointment_id: str, *, me: Principal) -> Appointment:
    appt = s.scalar(_here(appointment_id, me).with_for_update(key_share=True).execution_options(populate_existing=True))
    if appt is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such appointment at this location.")
    return appt


def get(s: Session, appointment_id: str, *, me: Principal) -> Appointment:
    appt = s.scalar(_here(appointment_id, me))
    if appt is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such appointment at this location.")
    return appt


def check_version(appt: Appointment, expected: int | None) -> None:
    """``expected`` is the If-Match version; None means ``If-Match: *`` (any version)."""
    if expected is not None and expected != appt.version:
        raise DomainError(ProblemCode.VERSION_CONFLICT, f"Someone changed this appointment since you opened it (you had "
                                              f"version {expected}, it is now {appt.version}). Reload it and "
                                              "make your change again.", current_version=appt.version)


def _bookable_staff(s: Session, staff_id: str, location_id: str, *, check: bool = True) -> StaffRow:
    """The staff member (id, name, active, bookable, works here), locked: bookings of one stylist
    queue here. ``check=False`` only locks: an edit that keeps the stylist is not refused because
    they have since stopped taking new bookings."""
    staff: StaffRow | None = booked.LOCK_STAFF.first(s, {"staff_id": staff_id, "location_id": location_id})
    if not check and staff is not None:
        return staff
    return booked.check_bookable(staff)


def _check_free(s: Session, *, staff: StaffRow, start: datetime, end: datetime, location_id: str, exclude: str | None,
                allow: bool, seen: list[str] | None) -> None:
    """409 naming the staff member's other live appointments overlapping [start, end), at any location.

    ``allow`` is the request's ``allow_overlap``: it lets this one write overlap them, all of
    them, or with ``seen`` only those the receptionist was shown (one booked meanwhile is refused)."""
    if allow and seen is None:
        return
    if allow and seen:
        statement = _CLASHES_UNSEEN if exclude is None else _CLASHES_BESIDES_UNSEEN
    else:
        statement = _CLASHES if exclude is None else _CLASHES_BESIDES
    clashes = statement.all(s, {"staff_id": staff.id, "start": start, "end": end, "exclude": exclude, "seen": seen})
    if not clashes:
        return
    first = clashes[0]
    where = "" if first.location_id == location_id else " at another location"
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    raise DomainError(
        ProblemCode.STAFF_DOUBLE_BOOKED,
        f"{staff.name} is with {first.name} {wording.clock(s, first.start_at)}–{wording.clock(s, first.end_at)}"
        f"{where}{more}. Choose another time or staff member, or book anyway.",
        conflicts=[wire.Overlap(appointment_id=c.id, customer_name=c.name, staff_name=staff.name, start=c.start_at,
                                end=c.end_at, location_id=c.location_id).model_dump(mode="json") for c in clashes])


#: the staff member's live appointments overlapping [start, end), built once (every booking and move)
_APPOINTMENT, _WHO = Appointment.__table__.c, Customer.__table__.c  # Core, not the ORM's path (booked.py)
_CLASHING = (select(_APPOINTMENT.id, _APPOINTMENT.start_at, _APPOINTMENT.end_at, _APPOINTMENT.location_id, _WHO.name)
             .join(Customer.__table__, _WHO.id == _APPOINTMENT.customer_id)
             .where(_APPOINTMENT.staff_id == bindparam("staff_id"), _APPOINTMENT.status.in_(OCCUPYING),
                    _APPOINTMENT.start_at < bindparam("end"), _APPOINTMENT.end_at > bindparam("start"))
             .order_by(_APPOINTMENT.start_at, _APPOINTMENT.id).limit(wire.OVERLAPS_MAX))
#: … besides the appointment being moved; … besides those the receptionist was shown (``seen``)
_BESIDES = _APPOINTMENT.id != bindparam("exclude")
_UNSEEN = _APPOINTMENT.id.not_in(bindparam("seen", expanding=True))
_CLASHES, _CLASHES_BESIDES, _CLASHES_UNSEEN, _CLASHES_BESIDES_UNSEEN = (
    DriverStatement(_CLASHING), DriverStatement(_CLASHING.where(_BESIDES)), DriverStatement(_CLASHING.where(_UNSEEN)),
    DriverStatement(_CLASHING.where(_BESIDES, _UNSEEN)))


def announce(s: Session, appt: Appointment, *, kind: str, me: Principal, summary: str) -> None:
    """Tell the location's other desks (GET /v1/events) once this transaction commits."""
    events.record(s, kind=kind, location_id=appt.location_id, me=me, appointment_id=appt.id,
                  customer_id=appt.customer_id, version=appt.version, day=business_date(s, appt.start_at),
                  summary=summary)


def _end(start: datetime, lines: Iterable[AppointmentLine]) -> datetime:
    return start + timedelta(minutes=sum(x.duration_min for x in lines))


def create(s: Session, *, data: wire.AppointmentCreate, me: Principal, now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    # the stylist locked (held until the commit) and the services read in one statement
    staff, services = booked.lock_staff_and_read(s, data, me.location_id)
    # the activity line and the answer name them: read here, not again (reference/names.py)
    remember(s, Customer, data.customer_id, staff.customer_name)
    remember(s, Staff, staff.id, staff.name)
    for svc in services.values():
        remember(s, Service, svc.id, svc.name)
    line_rules.lock_cards_of(s, [], [x.source for x in data.lines])
    appt = Appointment(id=new_id("apt"), version=1, location_id=me.location_id, staff_id=staff.id,
                       customer_id=data.customer_id, start_at=data.start.astimezone(UTC), status="booked",
                       note=data.note or None,
                       cancel_reason=None, created_at=now, created_by=me.staff_id, updated_at=now)
    appt.lines = [line_rules.new_line(req, services[req.service_id], i) for i, req in enumerate(data.lines)]
    appt.end_at = _end(appt.start_at, appt.lines)
    _check_free(s, staff=staff, start=appt.start_at, end=appt.end_at, location_id=appt.location_id, exclude=None,
                allow=data.allow_overlap, seen=data.overlap_ids)
    on = business_date(s, appt.start_at)
    # the ledger's entries carry the appointment's id, not a key to its row: reserved first, so
    # the appointment, its lines and the activity line are written together (booked.write)
    for i, (req, line) in enumerate(zip(data.lines, appt.lines, strict=True)):
        if req.source is not None:
            line_rules.reserve(s, appt=appt, line=line, source=req.source, index=i, on=on, me=me, now=now)
    booked.write(s, appt, activity_values(at=now, customer_id=data.customer_id, kind="appointment_booked",
                                          appointment_id=appt.id, me=me,
                                          summary=f"Booked {wording.describe(s, appt, staff.name)}"))
    announce(s, appt, kind="appointment.created", me=me,
             summary=f"booked at {wording.clock(s, appt.start_at)} with {staff.name}")
    return appt


def update(s: Session, *, appointment_id: str, data: wire.AppointmentUpdate, expected_version: int | None,
           me: Principal, now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    appt = lock(s, appointment_id, me=me)
    check_version(appt, expected_version)
    if appt.status in FINAL:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"This appointment is {wording.STATUS[appt.status]}; "
                                                "it can no longer be changed.")
    before = (appt.start_at, appt.end_at, appt.staff_id)
    services_before = [x.service_id for x in appt.lines]
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
    # An overlap allowed once is not a licence: a new time, staff member or service is a new
    # booking of the slot and is checked again (a note or a line's source is not).
    if moved or [x.service_id for x in appt.lines] != services_before:
        _check_free(s, staff=staff, start=appt.start_at, end=appt.end_at, location_id=appt.location_id,
                    exclude=appt.id, allow=data.allow_overlap, seen=data.overlap_ids)
    if moved or changed:
        appt.version += 1
        appt.updated_at = now
        s.flush()
        summary = wording.change(s, appt, before=before, old_staff=old_staff, staff_name=staff.name,
                                 lines_changed=data.lines is not None and changed)
        record_activity(s, at=now, customer_id=appt.customer_id, kind="appointment_changed", appointment_id=appt.id,
                        me=me, summary=summary)
        announce(s, appt, kind="appointment.changed", me=me,
                 summary=wording.short_change(s, appt, before=before, staff_name=staff.name,
                                              lines_changed=data.lines is not None and changed))
    return appt


def _check_kept_cards(s: Session, appt: Appointment, on: date) -> None:
    """A move must not carry a reservation past its card's expiry (new reservations are checked as made)."""
    ids = {x.card_id for x in appt.lines if x.card_id and x.redemption == "reserved"}
    if not ids:
        return
    for name, expires_on in s.execute(select(Card.package_name, Card.expires_on).where(Card.id.in_(ids))):
        if expires_on is not None and expires_on < on:
            raise DomainError(ProblemCode.CARD_EXPIRES_BEFORE_APPOINTMENT,
                              f"{name} expires on {expires_on.isoformat()}, before {on.isoformat()}. "
                              "Keep the appointment before then, or book the service as paid.")
