"""The activity log's sentences about appointments, in the organisation's time zone.

"Booked Manicure with Anna Szabó on 2026-12-01 10:00–10:45 (from 5x Manicure)",
"Cancelled …; session restored to 5x Manicure: 2/5 used".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.server.appointments.models import Appointment, AppointmentLine
from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card
from desk_tui.server.reference.calendar import org_zone
from desk_tui.server.reference.models import Service, Staff
from desk_tui.server.reference.names import names_of

STATUS = {"booked": "booked", "checked_in": "checked in", "completed": "completed", "cancelled": "cancelled",
          "no_show": "marked as a no-show"}

#: an appointment's (start_at, end_at, staff_id) before an edit
Before = tuple[datetime, datetime, str]


def _zone(s: Session) -> ZoneInfo:
    """The org time zone, looked up once per session (a sentence often needs it twice)."""
    if "org_zone" not in s.info:
        s.info["org_zone"] = org_zone(s)
    zone: ZoneInfo = s.info["org_zone"]
    return zone


def clock(s: Session, at: datetime) -> str:
    return at.astimezone(_zone(s)).strftime("%H:%M")


def when(s: Session, at: datetime) -> str:
    return at.astimezone(_zone(s)).strftime("%Y-%m-%d %H:%M")


def _service_names(s: Session, appt: Appointment) -> dict[str, str]:
    return names_of(s, Service, {x.service_id for x in appt.lines})


def _package_names(s: Session, appt: Appointment) -> dict[str, str]:
    ids = {x.card_id for x in appt.lines if x.card_id}
    if not ids:
        return {}
    return dict(s.execute(select(Card.id, Card.package_name).where(Card.id.in_(ids))).all())


def services(s: Session, appt: Appointment) -> str:
    names, packages = _service_names(s, appt), _package_names(s, appt)
    parts = []
    for line in appt.lines:
        name = names.get(line.service_id, line.service_id)
        parts.append(f"{name} (from {packages[line.card_id]})" if line.card_id in packages else name)
    return ", ".join(parts)


def describe(s: Session, appt: Appointment, staff_name: str) -> str:
    return f"{services(s, appt)} with {staff_name} on {when(s, appt.start_at)}–{clock(s, appt.end_at)}"


def change(s: Session, appt: Appointment, *, before: Before, old_staff: str, staff_name: str,
           lines_changed: bool) -> str:
    old_start, _, _ = before
    parts = []
    if appt.start_at != old_start or appt.staff_id != old_staff:
        old_name = s.scalar(select(Staff.name).where(Staff.id == old_staff)) or old_staff
        parts.append(f"moved from {when(s, old_start)} with {old_name} to {when(s, appt.start_at)} with {staff_name}")
    if lines_changed:
        parts.append(f"services now {services(s, appt)}")
    if not parts:
        parts.append("note changed")
    return f"Appointment on {when(s, appt.start_at)} {'; '.join(parts)}"


def short_change(s: Session, appt: Appointment, *, before: Before, staff_name: str, lines_changed: bool) -> str:
    """What another desk is told about an edit: "moved to 15:30", "moved to Tue 25 Nov 15:30 with Anna"."""
    old_start, _, old_staff = before
    parts = []
    if appt.start_at != old_start or appt.staff_id != old_staff:
        new, old = appt.start_at.astimezone(_zone(s)), old_start.astimezone(_zone(s))
        where = new.strftime("%H:%M") if new.date() == old.date() else new.strftime("%a %d %b %H:%M")
        parts.append(f"moved to {where}" + (f" with {staff_name}" if appt.staff_id != old_staff else ""))
    if lines_changed:
        parts.append("services changed")
    return "; ".join(parts) or "note changed"


def package_outcome(s: Session, appt: Appointment, lines: list[AppointmentLine], verb: str) -> str:
    """"; session restored to 5x Manicure: 2/5 used" for each package line just released or redeemed."""
    held = [(x, card_id, ent_id) for x in lines if (card_id := x.card_id) and (ent_id := x.entitlement_id)]
    if not held:
        return ""
    balances = ledger.pools(s, {card_id for _, card_id, _ in held})
    packages = _package_names(s, appt)
    names = _service_names(s, appt)
    parts = []
    for line, card_id, ent_id in held:
        pool = balances.get(card_id, {}).get(ent_id)
        if pool is None:
            continue
        state = f"{pool.used}/{pool.total} used" + (f", {pool.booked} booked" if pool.booked else "")
        package = packages.get(card_id, "the package")
        if verb == "restored":
            parts.append(f"session restored to {package}: {state}")
        else:
            parts.append(f"{names.get(line.service_id, line.service_id)} from {package} {verb} ({state})")
    return "; " + "; ".join(parts) if parts else ""
