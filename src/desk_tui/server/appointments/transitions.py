"""Status changes: booked → checked_in → completed; booked | checked_in → cancelled | no_show.

Cancelling releases every reservation (the session goes back to the card); a no-show and a
completion redeem them (a no-show counts as used; a manager can undo it from the card history).
:func:`complete` is also what a sale calls at checkout, with its ``sale_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments import lines as line_rules
from desk_tui.server.appointments import wording
from desk_tui.server.appointments.models import Appointment
from desk_tui.server.appointments.service import announce, check_version, lock
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import credits
from desk_tui.server.reference.calendar import business_date

#: status → the statuses it may move to
ALLOWED = {
    "booked": ("checked_in", "cancelled", "no_show"),
    "checked_in": ("completed", "cancelled", "no_show"),
    "completed": (),
    "cancelled": (),
    "no_show": (),
}
_VERB = {"checked_in": "checked in", "completed": "completed", "cancelled": "cancelled",
         "no_show": "marked as a no-show"}
#: what can only be said of an appointment on its day or after: a customer cannot arrive, nor fail
#: to, days ahead (a check-in pressed on next week's booking would redeem its sessions today)
ON_THE_DAY = ("checked_in", "no_show")


def _move(s: Session, appointment_id: str, target: str, expected_version: int | None, now: datetime, *,
          me: Principal) -> Appointment:
    appt = lock(s, appointment_id, me=me)
    check_version(appt, expected_version)
    if target not in ALLOWED[appt.status]:
        if appt.status == target:
            detail = f"This appointment is already {wording.STATUS[target]}."
        elif target == "completed" and appt.status == "booked":
            detail = "Check the customer in before completing the appointment."
        else:
            detail = f"This appointment is {wording.STATUS[appt.status]}; it cannot be {_VERB[target]} now."
        raise DomainError(ProblemCode.INVALID_TRANSITION, detail, current_status=appt.status)
    day = business_date(s, appt.start_at)
    if target in ON_THE_DAY and day > business_date(s, now):
        raise DomainError(ProblemCode.APPOINTMENT_NOT_YET, f"This appointment is on {day:%a %d %b %Y}; it can be "
                          f"{_VERB[target]} on that day, not before.", starts_on=day.isoformat())
    line_rules.lock_cards_of(s, list(appt.lines), [])
    line_rules.sync(s, appt)
    appt.status = target
    appt.version += 1
    appt.updated_at = now
    return appt


def check_in(s: Session, *, appointment_id: str, me: Principal, expected_version: int | None = None,
             now: datetime | None = None) -> tuple[Appointment, list[wire.Redeemable]]:
    now = now or utcnow()
    appt = _move(s, appointment_id, "checked_in", expected_version, now, me=me)
    record_activity(s, at=now, customer_id=appt.customer_id, kind="appointment_checked_in", appointment_id=appt.id, me=me,
                    summary=f"Checked in for {wording.services(s, appt)} at {wording.when(s, now)}")
    announce(s, appt, kind="appointment.checked_in", me=me, summary="checked in")
    return appt, redeemable(s, appt=appt)


def redeemable(s: Session, *, appt: Appointment) -> list[wire.Redeemable]:
    """"Redeem service from course?" at check-in: cards of the customer that could cover each paid line."""
    on = business_date(s, appt.start_at)
    found: dict[str, list[dict[str, Any]]] = {}
    offers = credits.credit_offers(s, customer_id=appt.customer_id, now=utcnow(),
                                   service_ids={x.service_id for x in appt.lines if x.card_id is None})
    result = []
    for line in appt.lines:
        if line.card_id is not None:
            continue
        if line.service_id not in found:
            found[line.service_id] = booking.covering_cards(s, customer_id=appt.customer_id,
                                                            service_id=line.service_id,
                                                            location_id=appt.location_id, on=on)
        costs = booking.unit_costs(s, service_id=line.service_id,
                                   entitlement_ids=[x["entitlement_id"] for x in found[line.service_id]])
        sources = [wire.RedeemSource(card_id=x["card_id"], entitlement_id=x["entitlement_id"], label=x["label"],
                                     remaining=x["remaining"],
                                     available=x["remaining"] // costs.get(x["entitlement_id"], 1))
                   for x in found[line.service_id]]
        # A membership's session credits left this month cover the line too.
        sources += [wire.RedeemSource(enrollment_id=x["enrollment_id"], label=x["label"], remaining=x["remaining"],
                                      available=x["remaining"])
                    for x in offers if x["service_id"] == line.service_id]
        if sources:
            result.append(wire.Redeemable(line_id=line.id, service_id=line.service_id, sources=sources))
    return result



def cancel(s: Session, *, appointment_id: str, me: Principal, reason: str | None = None,
           expected_version: int | None = None, now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    appt = _move(s, appointment_id, "cancelled", expected_version, now, me=me)
    appt.cancel_reason = reason or None
    released = [x for x in appt.lines if x.redemption == "reserved"]
    for line in released:
        line_rules.release(s, line=line, me=me, now=now, note=f"appointment cancelled{': ' + reason if reason else ''}")
    s.flush()
    why = f" ({reason})" if reason else ""
    record_activity(s, at=now, customer_id=appt.customer_id, kind="appointment_cancelled", appointment_id=appt.id, me=me,
                    summary=f"Cancelled {wording.services(s, appt)} on {wording.when(s, appt.start_at)}{why}"
                            f"{wording.package_outcome(s, appt, released, 'restored')}")
    announce(s, appt, kind="appointment.cancelled", me=me, summary=f"cancelled{why}")
    return appt


def no_show(s: Session, *, appointment_id: str, me: Principal, expected_version: int | None = None,
            now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    appt = _move(s, appointment_id, "no_show", expected_version, now, me=me)
    redeemed = [x for x in appt.lines if x.redemption == "reserved"]
    for line in redeemed:
        line_rules.redeem(s, line=line, me=me, now=now, note="no-show: counts as used")
    s.flush()
    record_activity(s, at=now, customer_id=appt.customer_id, kind="appointment_no_show", appointment_id=appt.id, me=me,
                    summary=f"No-show for {wording.services(s, appt)} on {wording.when(s, appt.start_at)}"
                            f"{wording.package_outcome(s, appt, redeemed, 'counts as used')}")
    announce(s, appt, kind="appointment.changed", me=me, summary="marked as a no-show")
    return appt


def complete(s: Session, *, appointment_id: str, me: Principal, sale_id: str | None = None,
             expected_version: int | None = None, now: datetime | None = None) -> Appointment:
    """Turn every reservation into a redemption linked to the appointment (and the sale, at checkout)."""
    now = now or utcnow()
    appt = _move(s, appointment_id, "completed", expected_version, now, me=me)
    redeemed = [x for x in appt.lines if x.redemption == "reserved"]
    for line in redeemed:
        line_rules.redeem(s, line=line, me=me, now=now, sale_id=sale_id)
    s.flush()
    record_activity(s, at=now, customer_id=appt.customer_id, kind="appointment_completed", appointment_id=appt.id, me=me,
                    sale_id=sale_id,
                    summary=f"Completed {wording.services(s, appt)} on {wording.when(s, appt.start_at)}"
                            f"{wording.package_outcome(s, appt, redeemed, 'redeemed')}")
    announce(s, appt, kind="appointment.changed", me=me, summary="completed" + (" at checkout" if sale_id else ""))
    return appt
