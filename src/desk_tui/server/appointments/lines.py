"""Appointment lines and the card reservations behind them.

Package lines cost 0 and reserve their units the moment the appointment is saved; the ledger
work itself (locking the card, checking the pool, appending ``reserve``/``release``/``redeem``) is
the cards domain's (:mod:`desk_tui.server.cards.booking`). This module decides *which* lines need
it: on an edit, reservations follow the lines exactly — an unchanged line keeps its reservation,
a removed or re-sourced one is released, a new package line is reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments.models import Appointment, AppointmentLine
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.database import new_id
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Location, Service, ServiceLocation


class ServiceRow(NamedTuple):
    """A requested service as a booking reads it, and whether the location offers it."""

    id: str
    name: str
    duration_min: int
    price: int
    active: bool
    offered: bool


def services_for(s: Session, requested: list[wire.AppointmentLineCreate], location_id: str) -> dict[str, ServiceRow]:
    """The requested services, each checked to exist, be active and be offered at the location."""
    found = {svc.id: ServiceRow(*svc) for svc in s.execute(
        _SERVICES_HERE, {"ids": sorted({x.service_id for x in requested}), "location_id": location_id})}
    check_services(s, requested, found, location_id)
    return found


def check_services(s: Session, requested: list[wire.AppointmentLineCreate], found: dict[str, ServiceRow],
                   location_id: str) -> None:
    """Refuse the first requested line whose service is not in ``found``, no longer active, or not
    offered at the location."""
    for i, line in enumerate(requested):
        svc = found.get(line.service_id)
        if svc is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"lines.{i}.service_id: no such service.")
        if not svc.active:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"lines.{i}.service_id: {svc.name} is no longer offered.")
        if not svc.offered:
            here = s.scalar(select(Location.name).where(Location.id == location_id)) or location_id
            raise DomainError(ProblemCode.SERVICE_NOT_OFFERED_HERE, f"{svc.name} is not offered at {here}.")


#: the services and whether the location offers each, in one statement built once
_SERVICES_HERE = select(
    Service.id, Service.name, Service.duration_min, Service.price, Service.active,
    exists().where(ServiceLocation.service_id == Service.id,
                   ServiceLocation.location_id == bindparam("location_id")).label("offered"),
).where(Service.id.in_(bindparam("ids", expanding=True)))


def same_source(line: AppointmentLine, source: wire.LineSourceCreate | None) -> bool:
    if source is None:
        return line.card_id is None
    return line.card_id == source.card_id and source.entitlement_id in (None, line.entitlement_id)


@dataclass(slots=True)
class Plan:
    """What an edit does to the lines: the new list in order, which rows keep their reservation."""

    ordered: list[tuple[wire.AppointmentLineCreate, AppointmentLine | None]]
    removed: list[AppointmentLine]

    def unchanged(self, req: wire.AppointmentLineCreate, old: AppointmentLine | None) -> bool:
        # A package line whose reservation is gone (a manager undid it) is re-reserved, not kept.
        return (old is not None and old.service_id == req.service_id and same_source(old, req.source)
                and old.redemption in (None, "reserved"))


def plan(appt: Appointment, requested: list[wire.AppointmentLineCreate]) -> Plan:
    """Match the requested lines to the existing ones: by ``id`` when given, else by service and source."""
    existing = {line.id: line for line in appt.lines}
    claimed: set[str] = set()
    ordered: list[tuple[wire.AppointmentLineCreate, AppointmentLine | None]] = []
    for i, req in enumerate(requested):
        if req.id is not None and (req.id not in existing or req.id in claimed):
            what = "named twice" if req.id in claimed else "not a line of this appointment"
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"lines.{i}.id: {what}.")
        ordered.append((req, existing[req.id] if req.id is not None else None))
        if req.id is not None:
            claimed.add(req.id)
    # Lines sent without an id keep an unclaimed existing line with the same service and source.
    for i, (req, old) in enumerate(ordered):
        if old is None and req.id is None:
            match = next((x for x in appt.lines if x.id not in claimed and x.service_id == req.service_id
                          and same_source(x, req.source)), None)
            if match is not None:
                claimed.add(match.id)
                ordered[i] = (req, match)
    return Plan(ordered=ordered, removed=[x for x in appt.lines if x.id not in claimed])


def fill(line: AppointmentLine, req: wire.AppointmentLineCreate, svc: ServiceRow) -> None:
    """(Re)describe a line for its service and source; its reservation is made separately."""
    line.service_id = svc.id
    line.duration_min = svc.duration_min
    line.price = 0 if req.source is not None else svc.price
    line.card_id = line.entitlement_id = line.units = line.redemption = line.reserve_tx_id = None


def new_line(req: wire.AppointmentLineCreate, svc: ServiceRow, position: int) -> AppointmentLine:
    line = AppointmentLine(id=new_id("apl"), position=position)
    fill(line, req, svc)
    return line


def reserve(s: Session, *, appt: Appointment, line: AppointmentLine, source: wire.LineSourceCreate,
            index: int, on: date, me: Principal, now: datetime) -> None:
    try:
        # The customer must own the card or be a family member on it: checked under the card lock.
        tx = booking.reserve(s, card_id=source.card_id, entitlement_id=source.entitlement_id,
                             service_id=line.service_id, me=me, appointment_id=appt.id, appointment_date=on,
                             location_id=appt.location_id, now=now, for_customer_id=appt.customer_id,
                             field=f"lines.{index}.source.card_id")
    except DomainError as exc:
        if exc.code == ProblemCode.NOT_FOUND:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"lines.{index}.source.card_id: no such card.") from None
        raise
    line.card_id, line.entitlement_id, line.units = tx.card_id, tx.entitlement_id, tx.units
    line.redemption, line.reserve_tx_id = "reserved", tx.id


def release(s: Session, *, line: AppointmentLine, me: Principal, now: datetime, note: str | None = None) -> None:
    if line.redemption == "reserved" and line.card_id and line.reserve_tx_id:
        booking.release(s, card_id=line.card_id, reservation_id=line.reserve_tx_id, me=me, note=note, now=now)
        line.redemption = "released"


def redeem(s: Session, *, line: AppointmentLine, me: Principal, now: datetime, sale_id: str | None = None,
           note: str | None = None) -> None:
    if line.redemption == "reserved" and line.card_id and line.reserve_tx_id:
        booking.redeem_reservation(s, card_id=line.card_id, reservation_id=line.reserve_tx_id, me=me,
                                   sale_id=sale_id, note=note, now=now)
        line.redemption = "redeemed"


def sync(s: Session, appt: Appointment) -> None:
    """Lines follow the ledger: a manager may undo a reservation from the card's history, and then
    the line no longer holds units (it must not be released or redeemed a second time).

    Call it with the appointment's cards locked, so the answer is still true when acted on."""
    if not any(x.redemption == "reserved" for x in appt.lines):
        return
    still_open = {tx.id for tx in booking.open_reservations(s, appointment_id=appt.id)}
    for line in appt.lines:
        if line.redemption == "reserved" and line.reserve_tx_id not in still_open:
            line.redemption = "released"


def lock_cards_of(s: Session, lines: list[AppointmentLine], sources: list[wire.LineSourceCreate | None]) -> None:
    """Lock every card an operation touches up front, in id order, so two bookings cannot deadlock."""
    ids = {x.card_id for x in lines if x.card_id and x.redemption == "reserved"}
    ids |= {x.card_id for x in sources if x is not None}
    try:
        booking.lock_cards(s, ids)
    except DomainError as exc:
        if exc.code == ProblemCode.NOT_FOUND:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "lines: a source names no such card.") from None
        raise
