"""A clash with another booking, said by name, and the one question that lets a save overlap it.

The server refuses a busy slot (409 ``staff_double_booked``) and names the appointments in the
way. The desk asks about exactly those ("Anna Szabó is with Kiss Éva 14:00–15:00. Book anyway?");
a yes is sent as ``allow_overlap`` with their ids on that one save and is then forgotten, so a
save after any change of time, date, staff or service is checked, and asked about, afresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from textual.screen import Screen

from desk_tui.client.errors import ApiError
from desk_tui.contract.appointments import Overlap
from desk_tui.ui.screens.confirm import ConfirmScreen


def overlaps_of(exc: ApiError) -> list[Overlap]:
    """The appointments a ``staff_double_booked`` refusal names (none from an older server)."""
    try:
        return [Overlap.model_validate(x) for x in exc.extra.get("conflicts") or []]
    except ValidationError:
        return []


def describe(overlap: Overlap, tz: ZoneInfo, *, location_id: str, day: date | None = None) -> str:
    """"Anna Szabó is with Kiss Éva 14:00–15:00" (with the date when it is another day)."""
    start, end = overlap.start.astimezone(tz), overlap.end.astimezone(tz)
    on = "" if day is None or start.date() == day else f"{start:%a %d %b} "
    where = "" if overlap.location_id == location_id else " at another location"
    return f"{overlap.staff_name} is with {overlap.customer_name} {on}{start:%H:%M}–{end:%H:%M}{where}"


def clash_sentence(exc: ApiError, tz: ZoneInfo, *, location_id: str, day: date | None = None) -> str:
    """The refusal as one line for a status bar: the names when the server gave them."""
    overlaps = overlaps_of(exc)
    if not overlaps:
        return exc.sentence
    more = f" (and {len(overlaps) - 1} more)" if len(overlaps) > 1 else ""
    return describe(overlaps[0], tz, location_id=location_id, day=day) + more + "."


async def confirm_overlap(screen: Screen[Any], exc: ApiError, tz: ZoneInfo, *, location_id: str, day: date | None,
                          doing: str) -> dict[str, object] | None:
    """Ask whether ``doing`` ("Book Nagy Béla", "Move Nagy Béla") may overlap the appointments the
    refusal names. On a yes, the fields that say so on the next request (that one only); None on a no."""
    overlaps = overlaps_of(exc)
    if not overlaps:
        question = f"{exc.sentence}\n\n{doing} anyway?"
    else:
        lines = "\n".join(describe(x, tz, location_id=location_id, day=day) + "." for x in overlaps)
        question = f"{lines}\n\n{doing} anyway, overlapping {'it' if len(overlaps) == 1 else 'them'}?"
    yes = await screen.app.push_screen_wait(ConfirmScreen(question, title="Double booking", yes="Book anyway",
                                                          no="Back"))
    if not yes:
        return None
    return {"allow_overlap": True, "overlap_ids": [x.appointment_id for x in overlaps] or None}
