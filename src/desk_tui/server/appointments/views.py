"""Appointments as the client sees them, built in a fixed number of queries however many there are.

The calendar draws a whole day from one response, so names (customer, staff, service), package
sources and live counters all come with it. :func:`to_wire` takes any number of appointments
and runs the same handful of batched queries (appointments with names, their lines, the services,
the cards and the card pools) — never one query per appointment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.server.appointments.models import Appointment, AppointmentLine
from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import Customer
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.reference.calendar import local_midnight
from desk_tui.server.reference.models import Service, Staff
from desk_tui.server.reference.names import names, names_of

#: a card as to_wire reads it: id, number, package_name, unit_type, expires_on, its owner's id and name
CardRow = Row[str, str | None, str, str, date | None, str, str]


class LineView(Protocol):
    """An appointment's line as :func:`to_wire` reads it: an ORM line, or a row of the day's lines."""

    @property
    def id(self) -> str: ...
    @property
    def service_id(self) -> str: ...
    @property
    def price(self) -> int: ...
    @property
    def duration_min(self) -> int: ...
    @property
    def card_id(self) -> str | None: ...
    @property
    def entitlement_id(self) -> str | None: ...
    @property
    def units(self) -> int | None: ...
    @property
    def redemption(self) -> str | None: ...


class AppointmentView(Protocol):
    """An appointment as :func:`to_wire` reads it: an ORM appointment, or a :class:`DayAppointment`."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def location_id(self) -> str: ...
    @property
    def staff_id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def start_at(self) -> datetime: ...
    @property
    def end_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def note(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def cancel_reason(self) -> str | None: ...
    @property
    def lines(self) -> Sequence[LineView]: ...


@dataclass(slots=True)
class DayAppointment:
    """An appointment of the calendar's day, read as plain rows: the day is the desk's most frequent
    read (every terminal reloads it at each live event), and loading it as ORM objects with their
    lines was a fifth of its server CPU. Fields in the order :data:`_DAY` selects them."""

    id: str
    version: int
    location_id: str
    staff_id: str
    customer_id: str
    start_at: datetime
    end_at: datetime
    status: str
    note: str | None
    created_at: datetime
    cancel_reason: str | None
    lines: list[Any] = field(default_factory=list)


def _with_names() -> Select[Appointment, str, str]:
    return (select(Appointment, Customer.name, Staff.name)
            .join(Customer, Customer.id == Appointment.customer_id)
            .join(Staff, Staff.id == Appointment.staff_id))


def one(s: Session, appt: Appointment) -> wire.Appointment:
    """The wire form of an appointment loaded (and perhaps just changed) in this session: the
    names come from what the request has read already (a booking reads them all), else in one
    statement."""
    found = names(s, {Customer: [appt.customer_id], Staff: [appt.staff_id]})
    return to_wire(s, [(appt, found[Customer].get(appt.customer_id, ""), found[Staff].get(appt.staff_id))])[0]


def day(s: Session, *, on: date, location_id: str, staff_id: str | None = None) -> wire.AppointmentDay:
    """Every appointment starting on this business day (org time zone) at the location: two
    statements, the appointments with their names and then their lines."""
    start, end = local_midnight(s, on), local_midnight(s, on + timedelta(days=1))
    found = (_DAY if staff_id is None else _STAFF_DAY).all(
        s, {"location_id": location_id, "start": start, "end": end, "staff_id": staff_id})
    rows = [(DayAppointment(*row[:-2]), row.customer_name, row.staff_name) for row in found]
    if rows:
        by_id = {appt.id: appt for appt, _, _ in rows}
        for line in _DAY_LINES.all(s, {"ids": list(by_id)}):
            by_id[line.appointment_id].lines.append(line)
    return wire.AppointmentDay(date=on, location_id=location_id, items=to_wire(s, rows))


#: of the tables' columns, run on the driver's cursor (server/driver_statements.py)
_A, _L = Appointment.__table__.c, AppointmentLine.__table__.c
_C, _OWNER, _STAFF = Card.__table__.c, Customer.__table__.c, Staff.__table__.c
_DAY_SELECT = (select(_A.id, _A.version, _A.location_id, _A.staff_id, _A.customer_id, _A.start_at, _A.end_at, _A.status,
                      _A.note, _A.created_at, _A.cancel_reason, _OWNER.name.label("customer_name"),
                      _STAFF.name.label("staff_name"))
               .join(Customer.__table__, _OWNER.id == _A.customer_id)
               .join(Staff.__table__, _STAFF.id == _A.staff_id)
               .where(_A.location_id == bindparam("location_id"), _A.start_at >= bindparam("start"),
                      _A.start_at < bindparam("end"))
               .order_by(_A.start_at, _A.staff_id, _A.id))
_DAY = DriverStatement(_DAY_SELECT)
_STAFF_DAY = DriverStatement(_DAY_SELECT.where(_A.staff_id == bindparam("staff_id")))
#: the day's lines, in each appointment's order (what the relationship's selectin load read)
_DAY_LINES = DriverStatement(
    select(_L.appointment_id, _L.id, _L.service_id, _L.price, _L.duration_min, _L.card_id, _L.entitlement_id, _L.units,
           _L.redemption)
    .where(_L.appointment_id.in_(bindparam("ids", expanding=True))).order_by(_L.appointment_id, _L.position))
_CARDS = DriverStatement(
    select(_C.id, _C.number, _C.package_name, _C.unit_type, _C.expires_on, _C.customer_id, _OWNER.name.label("owner_name"))
    .join(Customer.__table__, _OWNER.id == _C.customer_id).where(_C.id.in_(bindparam("ids", expanding=True))))


#: an appointment that has not happened yet: completed, no-show and cancelled ones are history
STILL_AHEAD = ("booked", "checked_in")


def upcoming(s: Session, *, customer_id: str, on_or_after: date, limit: int) -> list[wire.Appointment]:
    """The customer's next appointments at any location that have not happened yet (booked, or
    checked in and under way), soonest first: the calendar's "find the next appointment", which
    must not land on this morning's completed visit."""
    stmt = _with_names().where(Appointment.customer_id == customer_id,
                               Appointment.start_at >= local_midnight(s, on_or_after),
                               Appointment.status.in_(STILL_AHEAD))
    rows = s.execute(stmt.order_by(Appointment.start_at, Appointment.id).limit(limit)).all()
    return to_wire(s, rows)


def to_wire(s: Session, rows: Sequence[tuple[AppointmentView, str, str | None] | Row[Appointment, str, str]]
            ) -> list[wire.Appointment]:
    lines = [line for appt, _, _ in rows for line in appt.lines]
    services = names_of(s, Service, {line.service_id for line in lines})
    card_ids = {line.card_id for line in lines if line.card_id}
    cards = {r.id: r for r in _CARDS.all(s, {"ids": sorted(card_ids)})} if card_ids else {}
    balances = ledger.pools(s, card_ids)
    result = []
    for appt, customer_name, staff_name in rows:
        wire_lines = [_line(line, services, cards, balances, customer_id=appt.customer_id) for line in appt.lines]
        result.append(wire.Appointment(
            id=appt.id, version=appt.version, location_id=appt.location_id, staff_id=appt.staff_id,
            staff_name=staff_name, customer_id=appt.customer_id, customer_name=customer_name, start=appt.start_at,
            end=appt.end_at, status=appt.status, lines=wire_lines,
            from_package=any(x.source is not None for x in wire_lines), note=appt.note,
            total=sum(x.price for x in wire_lines), created_at=appt.created_at, cancel_reason=appt.cancel_reason,
        ))
    return result


def _line(line: LineView, services: dict[str, str], cards: dict[str, CardRow],
          balances: dict[str, dict[str, ledger.Pool]], *, customer_id: str) -> wire.AppointmentLine:
    source = counter = None
    if line.card_id:
        card = cards.get(line.card_id)
        family = card is not None and card.customer_id != customer_id  # the owner shares it with the customer
        source = wire.LineSource(card_id=line.card_id, entitlement_id=line.entitlement_id,
                                 owner_id=card.customer_id if card and family else None,
                                 owner_name=card.owner_name if card and family else None,
                                 package_name=card.package_name if card else None,
                                 card_number=card.number if card else None,
                                 unit_type=card.unit_type if card else None,
                                 expires_on=card.expires_on if card else None)
        pool = balances.get(line.card_id, {}).get(line.entitlement_id) if line.entitlement_id else None
        if pool is not None:
            counter = wire.Counter(used=pool.used, booked=pool.booked, total=pool.total, remaining=pool.remaining,
                                   units=line.units or 1)
    return wire.AppointmentLine(id=line.id, service_id=line.service_id,
                                service_name=services.get(line.service_id, line.service_id), price=line.price,
                                duration_min=line.duration_min, source=source, redemption=line.redemption,
                                counter=counter)
