"""Appointments and booking from packages (docs/api.md "Appointments", docs/design.md §2).

A line either takes the service's price (a paid line) or names a card as its ``source``: then its
price is 0, its units are reserved on the card the moment the appointment is saved, and its
``counter`` shows the pool after that change ("3/5"). Cancelling releases the reservation,
a no-show or completion redeems it.

Edits carry the appointment's ``version`` in ``If-Match``; a stale one gets 412 ``version_conflict``.

Booking a staff member who is busy then is refused with 409 ``staff_double_booked`` whose
``conflicts`` name the appointments in the way (:class:`Overlap`). ``allow_overlap: true`` books
anyway, for that one request only: the appointment keeps no "may overlap" state, so a later edit
that moves it (time, date, staff or services) into another busy slot is refused again unless that
edit says ``allow_overlap`` too. ``overlap_ids`` narrows the override to the appointments the
receptionist was shown: one booked meanwhile on another terminal is refused again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, AwareDatetime, Field, field_validator

from desk_tui.contract.common import CONTROL_CLASS, Request, Text, Wire

AppointmentStatus = Literal["booked", "checked_in", "completed", "cancelled", "no_show"]
#: the state of a package line's units: reserved on save, redeemed at no-show or completion,
#: released at cancellation (or when the line is switched back to paid or removed)
RedemptionState = Literal["reserved", "redeemed", "released"]

#: an appointment has at least one and at most this many lines
LINES_MAX = 20
ID_MAX = 40
#: ids are opaque, but never contain control characters (PostgreSQL refuses NUL in text)
ID_PATTERN = rf"^[^{CONTROL_CLASS}]+$"

Id = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN)]


class LineSource(Wire):
    """Where a package line's units come from."""

    card_id: str
    entitlement_id: str | None = None
    #: extras for drawing the badge without another request
    package_name: str | None = None
    card_number: str | None = None
    unit_type: str | None = None
    expires_on: date | None = None
    #: a family card: its owner, when the card is another customer's than the appointment's
    owner_id: str | None = None
    owner_name: str | None = None


class Counter(Wire):
    """The card pool behind a package line, as it stands now: "3/5" is ``used + booked`` of ``total``."""

    used: int
    booked: int
    total: int
    #: extras: total − used − booked, and how many units this line takes from the pool
    remaining: int = 0
    units: int = 1


class AppointmentLine(Wire):
    id: str
    service_id: str
    service_name: str
    #: 0 for a package line; the service's price at booking time for a paid line
    price: int
    duration_min: int
    source: LineSource | None = None
    redemption: RedemptionState | None = None
    counter: Counter | None = None


class Appointment(Wire):
    id: str
    #: increments on every change; send it back as ``If-Match`` when editing
    version: int
    location_id: str
    staff_id: str
    staff_name: str | None = None
    customer_id: str
    customer_name: str
    start: datetime
    end: datetime
    status: AppointmentStatus
    lines: list[AppointmentLine]
    #: true when any line is booked from a package (the calendar's box icon)
    from_package: bool
    #: extras
    note: str | None = None
    #: sum of the line prices (what is left to pay at checkout before discounts)
    total: int = 0
    created_at: datetime | None = None
    cancel_reason: str | None = None


class Overlap(Wire):
    """An appointment in the way: one item of a 409 ``staff_double_booked`` problem's ``conflicts``."""

    appointment_id: str
    customer_name: str
    staff_name: str
    start: datetime
    end: datetime
    #: the staff member may be busy at another location of the chain
    location_id: str


#: at most this many conflicts are named in one 409 (a receptionist needs the first, not all)
OVERLAPS_MAX = 10


class AppointmentDay(Wire):
    """``GET /v1/appointments?date=``: the whole business day at the token's location in one response.

    Page-shaped (``items``, ``next_cursor``) like every list, but a day is never split into pages:
    ``next_cursor`` is always null, so the calendar draws from one call.
    """

    date: date
    location_id: str
    items: list[Appointment]
    next_cursor: str | None = None


def _bounded(v: datetime) -> datetime:
    if not 2000 <= v.year <= 2999:
        raise ValueError("must be between the years 2000 and 2999")
    return v


#: ``allow_double_booking`` is the field's first name, still understood from older desks
_ALLOW_OVERLAP = AliasChoices("allow_overlap", "allow_double_booking")


class LineSourceCreate(Request):
    card_id: Id
    #: may be left out: the first pool of the card that includes the service and can pay is used
    entitlement_id: Id | None = None


class AppointmentLineCreate(Request):
    service_id: Id
    #: null (or absent) for a paid line
    source: LineSourceCreate | None = None
    #: PATCH only: an existing line of this appointment to keep (its reservation is kept too when
    #: its service and source are unchanged). Without it, an unchanged line is matched by service
    #: and source; anything else is a new line.
    id: Id | None = None


class AppointmentCreate(Request):
    customer_id: Id
    staff_id: Id
    #: with an offset; the end is start + the lines' durations
    start: AwareDatetime
    lines: list[AppointmentLineCreate] = Field(min_length=1, max_length=LINES_MAX)
    #: book even when the staff member already has an appointment then (this request only)
    allow_overlap: bool = Field(False, validation_alias=_ALLOW_OVERLAP)
    #: with ``allow_overlap``: only these appointments may be overlapped (the ones the desk showed)
    overlap_ids: list[Id] | None = Field(None, max_length=OVERLAPS_MAX)
    note: Text | None = None

    _start = field_validator("start")(_bounded)


class AppointmentUpdate(Request):
    """``PATCH /v1/appointments/{id}`` with ``If-Match: <version>``; absent fields stay as they are.

    ``lines`` replaces the whole list: reservations follow it exactly (removed or re-sourced lines
    are released, new package lines reserved).
    """

    start: AwareDatetime | None = None
    staff_id: Id | None = None
    lines: list[AppointmentLineCreate] | None = Field(default=None, min_length=1, max_length=LINES_MAX)
    note: Text | None = None
    #: this edit may overlap another appointment of the staff member; like on POST, it is never
    #: remembered: the next edit that moves the appointment is checked again
    allow_overlap: bool = Field(False, validation_alias=_ALLOW_OVERLAP)
    overlap_ids: list[Id] | None = Field(None, max_length=OVERLAPS_MAX)

    @field_validator("start")
    @classmethod
    def _start(cls, v: datetime | None) -> datetime | None:
        return None if v is None else _bounded(v)


class CancelRequest(Request):
    """Optional body of ``POST …/cancel``."""

    reason: Text | None = None


class RedeemSource(Wire):
    """Something the customer holds that could cover a paid line: a card (or, later, a membership credit)."""

    card_id: str | None = None
    enrollment_id: str | None = None
    entitlement_id: str | None = None
    #: "5x Manicure #BS-1001 (2 of 5 used)"
    label: str
    #: units left in that pool, in the card's unit type (sessions, minutes…)
    remaining: int
    #: extra: how many more times this line's service can be taken from it
    available: int | None = None


class Redeemable(Wire):
    line_id: str
    service_id: str
    sources: list[RedeemSource]


class CheckInResult(Appointment):
    """``POST …/check-in``: the appointment, plus the "Redeem service from course?" suggestions."""

    redeemable: list[Redeemable] = Field(default_factory=list)
