"""Counts in words, as reception reads them out: "1 card", "3 cards", "1 session", "30 min"."""

from __future__ import annotations

from desk_tui.contract.counters import UNIT_SHORT


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def units_text(n: int, unit_type: str) -> str:
    """"1 session", "4 sessions", "90 min": a plural unit type said in the singular for one."""
    word = UNIT_SHORT.get(unit_type, unit_type)
    if abs(n) == 1 and word.endswith("s"):
        word = word[:-1]
    return f"{n} {word}"
