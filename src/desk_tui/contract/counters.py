"""How a card's pool is counted in words, the same on every screen and in every server sentence.

"1 used, 1 booked, 3 left": what was taken, what an appointment holds, what can still be
booked — so the profile, the check-in question and the Cards table never disagree about a
booked session ("2 of 5 used — 2 left" did). Plain Python, no pydantic: the client's first
frame may draw it.
"""

from __future__ import annotations

#: short unit words after a count ("240 of 360 min left")
UNIT_SHORT = {"minutes": "min", "sessions": "sessions", "units": "units", "hours": "h"}


def counter_words(used: int, booked: int, remaining: int, *, unit: str | None = None) -> str:
    """"1 used, 1 booked, 3 left" (booked only when some are); with ``unit`` — a pool counted in
    minutes or units — "60 min used, 300 min left"."""
    parts = [f"{_count(used, unit)} used"]
    if booked:
        parts.append(f"{_count(booked, unit)} booked")
    parts.append(f"{_count(max(remaining, 0), unit)} left")
    return ", ".join(parts)


def _count(n: int, unit: str | None) -> str:
    """"3", or with a unit "60 min", "2 sessions" — and "1 session", never "1 sessions"."""
    if not unit:
        return str(n)
    word = UNIT_SHORT.get(unit, unit)
    return f"{n} {word[:-1] if abs(n) == 1 and word.endswith('s') else word}"
