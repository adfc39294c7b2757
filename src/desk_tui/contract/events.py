"""What `GET /v1/events` streams: which thing changed, never the thing itself.

Each server-sent event's ``event:`` field is the ``kind`` and its ``data:`` an :class:`Event`
as JSON; its ``id:`` is the event's ``id``, which a client sends back as ``Last-Event-ID`` when
it reconnects to receive what it missed. Clients refetch what they show (ETags make that cheap).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from desk_tui.contract.common import Wire

#: changes the server announces
CHANGES = ("appointment.created", "appointment.changed", "appointment.cancelled", "appointment.checked_in",
           "card.changed", "sale.completed", "membership.changed", "catalogue.changed")
#: what the stream itself says: ``ready`` once connected (its id is where the stream stands),
#: ``reset`` when what was missed is older than the replay window (reload everything shown)
STREAM = ("ready", "reset")

EventKind = Literal["appointment.created", "appointment.changed", "appointment.cancelled",
                    "appointment.checked_in", "card.changed", "sale.completed", "membership.changed",
                    "catalogue.changed", "ready", "reset"]


class Event(Wire):
    id: int
    kind: str
    """One of :data:`CHANGES` or :data:`STREAM`; a kind this client does not know is ignored."""
    at: datetime
    location_id: str | None = None
    """The location the change belongs to; None for what every location shares (cards,
    memberships, the catalogue)."""
    appointment_id: str | None = None
    customer_id: str | None = None
    card_id: str | None = None
    sale_id: str | None = None
    enrollment_id: str | None = None
    package_id: str | None = None
    plan_id: str | None = None
    version: int | None = None
    """The appointment's new version (what If-Match compares), or the card's ledger position."""
    day: date | None = None
    """An appointment's business day after the change, so a calendar knows whether it cares."""
    staff_name: str | None = None
    """Who made the change; only when they made it at the location of this stream (staff names show only where the entry was made)."""
    location_name: str | None = None
    """Where the change was made."""
    summary: str | None = None
    """A short description, e.g. "moved to 15:30"."""
