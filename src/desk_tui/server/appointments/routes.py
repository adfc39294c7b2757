"""HTTP for appointments: parse, depend, call the service, respond. No rules here.

Edits carry the appointment's version in ``If-Match`` (``3``, ``"3"`` or ``W/"3"``; ``*`` means
any version). PATCH without ``If-Match`` is refused with 412 ``version_conflict``: an edit made
on an unknown version could silently undo someone else's change, and the API has no 428 code.
The status actions (check-in, cancel, no-show, complete) take ``If-Match`` too but don't need it:
each is one intent that is either allowed in the current status or refused with 409.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from desk_tui.contract import appointments as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.answers import json_answer
from desk_tui.server.appointments import service, transitions, views
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.service import get_customer
from desk_tui.server.database import Database
from desk_tui.server.deps import database, one_thread, signed_in
from desk_tui.server.errors import DomainError

router = APIRouter(prefix="/appointments", tags=["appointments"])
customer_router = APIRouter(prefix="/customers", tags=["appointments"])

IfMatch = Annotated[str | None, Header(max_length=100, description="The appointment's version.")]
AppointmentId = Annotated[str, Path(max_length=wire.ID_MAX, pattern=wire.ID_PATTERN)]
_VERSION = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def _version(if_match: str | None, *, required: bool) -> int | None:
    if if_match is None:
        if required:
            raise DomainError(ProblemCode.VERSION_CONFLICT, "Say which version of the appointment you changed: send "
                                                  "If-Match with its version (or * to overwrite any version).")
        return None
    value = if_match.strip()
    if value == "*":
        return None
    m = _VERSION.match(value)
    if m is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "If-Match: must be the appointment's version number, e.g. 3.")
    return int(m.group(1))


@router.get("", response_model=wire.AppointmentDay)
@one_thread
def day(
    date: Annotated[dt.date, Query(ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 30),
                                   description="The business day, in the organisation's time zone.")],
    staff_id: Annotated[str | None, Query(max_length=wire.ID_MAX, pattern=wire.ID_PATTERN)] = None,
    me: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    with db.read_session() as s:
        return json_answer(views.day(s, on=date, location_id=me.location_id, staff_id=staff_id))


@router.post("", status_code=201, response_model=wire.Appointment)
@one_thread
def create(body: wire.AppointmentCreate, me: Principal = Depends(signed_in),
           db: Database = Depends(database)) -> Response:
    with db.transaction() as s:
        return json_answer(views.one(s, service.create(s, data=body, me=me)), 201)


@router.get("/{appointment_id}")
def get(appointment_id: AppointmentId, me: Principal = Depends(signed_in),
        db: Database = Depends(database)) -> wire.Appointment:
    with db.read_session() as s:
        return views.one(s, service.get(s, appointment_id, me=me))


@router.get("/{appointment_id}/redeemable")
def redeemable(appointment_id: AppointmentId, me: Principal = Depends(signed_in),
               db: Database = Depends(database)) -> list[wire.Redeemable]:
    """The check-in suggestions again, at any time before checkout (e.g. when the appointment is reopened)."""
    with db.read_session() as s:
        return transitions.redeemable(s, appt=service.get(s, appointment_id, me=me))


@router.patch("/{appointment_id}")
def update(appointment_id: AppointmentId, body: wire.AppointmentUpdate, if_match: IfMatch = None,
           me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Appointment:
    expected = _version(if_match, required=True)
    with db.transaction() as s:
        return views.one(s, service.update(s, appointment_id=appointment_id, data=body, expected_version=expected,
                                           me=me))


@router.delete("/{appointment_id}", status_code=405)
def delete(appointment_id: AppointmentId, _: Principal = Depends(signed_in)) -> None:
    raise DomainError(ProblemCode.METHOD_NOT_ALLOWED, "Appointments are never deleted; cancel it instead "
                                            "(a package session is then restored).")


@router.post("/{appointment_id}/check-in")
def check_in(appointment_id: AppointmentId, if_match: IfMatch = None, me: Principal = Depends(signed_in),
             db: Database = Depends(database)) -> wire.CheckInResult:
    expected = _version(if_match, required=False)
    with db.transaction() as s:
        appt, redeemable = transitions.check_in(s, appointment_id=appointment_id, me=me, expected_version=expected)
        return wire.CheckInResult(**views.one(s, appt).model_dump(), redeemable=redeemable)


@router.post("/{appointment_id}/cancel")
def cancel(appointment_id: AppointmentId, body: wire.CancelRequest | None = None, if_match: IfMatch = None,
           me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Appointment:
    expected = _version(if_match, required=False)
    with db.transaction() as s:
        return views.one(s, transitions.cancel(s, appointment_id=appointment_id, me=me, expected_version=expected,
                                               reason=body.reason if body else None))


@router.post("/{appointment_id}/no-show")
def no_show(appointment_id: AppointmentId, if_match: IfMatch = None, me: Principal = Depends(signed_in),
            db: Database = Depends(database)) -> wire.Appointment:
    expected = _version(if_match, required=False)
    with db.transaction() as s:
        return views.one(s, transitions.no_show(s, appointment_id=appointment_id, me=me, expected_version=expected))


@router.post("/{appointment_id}/complete")
def complete(appointment_id: AppointmentId, if_match: IfMatch = None, me: Principal = Depends(signed_in),
             db: Database = Depends(database)) -> wire.Appointment:
    expected = _version(if_match, required=False)
    with db.transaction() as s:
        return views.one(s, transitions.complete(s, appointment_id=appointment_id, me=me, expected_version=expected))


@customer_router.get("/{customer_id}/appointments")
def upcoming(
    customer_id: Annotated[str, Path(max_length=wire.ID_MAX, pattern=wire.ID_PATTERN)],
    on_or_after: Annotated[dt.date, Query(alias="from", ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 30),
                                          description="First business day to include (org time zone).")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    _: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> list[wire.Appointment]:
    with db.read_session() as s:
        get_customer(s, customer_id)
        return views.upcoming(s, customer_id=customer_id, on_or_after=on_or_after, limit=limit)
