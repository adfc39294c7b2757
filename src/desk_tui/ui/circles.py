"""A course's circles: ● used, ◐ booked, ○ free — glyphs first, so they read without colour."""

from __future__ import annotations

from rich.text import Text

from desk_tui.contract.appointments import Counter

USED, BOOKED, FREE = "●", "◐", "○"
#: beyond this many units a pool is shown as "240 of 360 min left" rather than circles
MAX_CIRCLES = 12


def circles(used: int, booked: int, total: int) -> Text:
    text = Text()
    if total > MAX_CIRCLES:
        return text
    free = max(total - used - booked, 0)
    text.append(USED * used, style="red")
    text.append(BOOKED * booked, style="dark_orange")
    text.append(FREE * free, style="green")
    return text


def counter_label(counter: Counter, unit_type: str | None = None) -> str:
    """"3/5 used" for a handful of sessions, "240 of 360 min left" for a unit pool."""
    taken = counter.used + counter.booked
    if counter.total > MAX_CIRCLES:
        unit = {"minutes": "min"}.get(unit_type or "", unit_type or "units")
        return f"{counter.total - taken} of {counter.total} {unit} left"
    return f"{taken}/{counter.total} used"
