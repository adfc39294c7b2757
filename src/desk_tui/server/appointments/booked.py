"""A new booking's read and its write, one statement each where the desk's mix books all day.

A booking read its services, then locked the stylist (with whether they work here and who the
customer is), then wrote the appointment, its lines and the activity line through the ORM's
unit of work: five statements, and the flush was the largest part of a booking's own CPU (issue
17). Now:

* the stylist's lock reads the requested services too (an outer join, a row per service), so
  they are checked from the same round trip; the lock is taken as the row is read, so it is not
  held any longer for it;
* the appointment, its lines and its activity line are one statement on PostgreSQL (INSERTs in
  a WITH: the lines' foreign key to the appointment is checked at the statement's end) and three
  on SQLite, which has no INSERT inside a WITH. Built once per number of lines, the values
  parameters: no flush, no statement compiled per booking. The Appointment object the answer is
  made from stays outside the session.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import BindParameter, Row, Table, bindparam, exists, select, text
from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments.lines import ServiceRow, check_services, services_for
from desk_tui.server.appointments.models import Appointment, AppointmentLine
from desk_tui.server.customers.models import ActivityEntry, Customer
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Service, ServiceLocation, Staff, StaffLocation

#: a staff member as the lock reads them: id, name, active, bookable, works at the location
StaffRow = Row[str, str, bool, bool, bool]


def check_bookable(staff: StaffRow | None) -> StaffRow:
    """Refuse a staff member who is not there, has left, takes no appointments or does not work here."""
    if staff is None or not staff.active:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "staff_id: no such staff member.")
    if not staff.bookable:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"staff_id: {staff.name} does not take appointments.")
    if not staff.works_here:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"staff_id: {staff.name} does not work at this location.")
    return staff


def lock_staff_and_read(s: Session, data: wire.AppointmentCreate, location_id: str
                        ) -> tuple[StaffRow, dict[str, ServiceRow]]:
    """The stylist locked (bookings of one stylist queue here) and the requested services, in one
    statement; refused in the order a booking always refused: a line's service, the customer,
    the stylist."""
    params = {"staff_id": data.staff_id, "location_id": location_id, "customer_id": data.customer_id,
              "ids": sorted({x.service_id for x in data.lines})}
    rows = _LOCKED_WITH_SERVICES.all(s, params)
    if not rows:  # no such staff member: the services and the customer are still refused first
        services_for(s, data.lines, location_id)
        if s.scalar(CUSTOMER_NAME, params) is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: no such customer.")
        raise DomainError(ProblemCode.VALIDATION_ERROR, "staff_id: no such staff member.")
    services = {r.service_id: ServiceRow(r.service_id, r.service_name, r.duration_min, r.price, r.service_active,
                                         r.offered) for r in rows if r.service_id is not None}
    check_services(s, data.lines, services, location_id)
    if rows[0].customer_name is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: no such customer.")
    return check_bookable(rows[0]), services


#: the tables' columns: a select of mapped attributes takes the ORM's execution path even for
#: plain rows (session 11: the sign-in check 0.36 → 0.13 ms in Core)
_STAFF, _HERE, _CUSTOMER = Staff.__table__.c, StaffLocation.__table__.c, Customer.__table__.c
_SERVICE, _OFFERED = Service.__table__.c, ServiceLocation.__table__.c
#: the staff member's row locked and whether they work at the location, built once; only the
#: staff row is locked
STAFF_LOCKED = (select(_STAFF.id, _STAFF.name, _STAFF.active, _STAFF.bookable,
                       exists().where(_HERE.staff_id == _STAFF.id,
                                      _HERE.location_id == bindparam("location_id")).label("works_here"))
                .where(_STAFF.id == bindparam("staff_id")).with_for_update(of=Staff.__table__, key_share=True))
CUSTOMER_NAME = select(_CUSTOMER.name).where(_CUSTOMER.id == bindparam("customer_id"))
#: … and, for a new booking, who is booked and the requested services (none found: one row of NULLs)
LOCKED_WITH_SERVICES = (
    STAFF_LOCKED.add_columns(
        CUSTOMER_NAME.scalar_subquery().label("customer_name"), _SERVICE.id.label("service_id"),
        _SERVICE.name.label("service_name"), _SERVICE.duration_min, _SERVICE.price,
        _SERVICE.active.label("service_active"),
        exists().where(_OFFERED.service_id == _SERVICE.id, _OFFERED.location_id == bindparam("location_id"))
        .label("offered"))
    .outerjoin(Service.__table__, _SERVICE.id.in_(bindparam("ids", expanding=True))))
#: both run on the driver's cursor (a booking's, a move's)
_LOCKED_WITH_SERVICES = DriverStatement(LOCKED_WITH_SERVICES)
LOCK_STAFF = DriverStatement(STAFF_LOCKED)


def write(s: Session, appt: Appointment, activity: dict[str, Any]) -> None:
    """Insert the appointment, its lines and its activity line (:func:`activity_values`'s columns)."""
    params = {f"a_{c}": getattr(appt, c) for c in _APPOINTMENT}
    for i, line in enumerate(appt.lines):
        params.update({f"l{i}_{c}": getattr(line, c) for c in _LINE})
        params[f"l{i}_appointment_id"] = appt.id
    params.update({f"v_{c}": v for c, v in activity.items()})
    s.flush()  # a package line's reservation (its ledger entry) is what the line points at
    if s.get_bind().dialect.name == "postgresql":
        _together(len(appt.lines)).execute(s, params)
    else:
        for statement in _apart(len(appt.lines)):
            statement.execute(s, params)


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _columns(model: type[Any]) -> tuple[str, ...]:
    return tuple(c.name for c in _table(model).columns)


_APPOINTMENT, _LINE = _columns(Appointment), _columns(AppointmentLine)


def _insert(model: type[Any], prefixes: list[str]) -> tuple[str, list[BindParameter[Any]]]:
    """An INSERT of one row per prefix (its values the parameters ``{prefix}_{column}``), and its
    parameters typed as the columns are (the datetimes' UTC conversion)."""
    table = _table(model)
    rows = ",".join("(" + ",".join(f":{p}_{c.name}" for c in table.columns) + ")" for p in prefixes)
    types = [bindparam(f"{p}_{c.name}", type_=c.type) for p in prefixes for c in table.columns]
    return f"INSERT INTO {table.name} ({','.join(_columns(model))}) VALUES {rows}", types


@cache
def _apart(lines: int) -> tuple[DriverStatement, ...]:
    """The appointment's, its ``lines`` lines' and the activity line's INSERTs, built once: SQL
    text, as SQLAlchemy does not cache an INSERT of several rows of parameters (it compiled
    one per booking, a quarter of the booking's CPU)."""
    return tuple(DriverStatement(text(sql).bindparams(*types)) for sql, types in (
        _insert(Appointment, ["a"]), _insert(AppointmentLine, [f"l{i}" for i in range(lines)]),
        _insert(ActivityEntry, ["v"])))


@cache
def _together(lines: int) -> DriverStatement:
    """The three as one statement (PostgreSQL)."""
    (appointment, a), (its_lines, b), (activity, c) = (
        _insert(Appointment, ["a"]), _insert(AppointmentLine, [f"l{i}" for i in range(lines)]),
        _insert(ActivityEntry, ["v"]))
    return DriverStatement(text(f"WITH a AS ({appointment}), l AS ({its_lines}) {activity}").bindparams(*a, *b, *c))
