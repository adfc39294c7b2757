"""Counts in words: one of a thing is said in the singular ("1 sessions" read oddly on F7)."""

from __future__ import annotations

import pytest

from desk_tui.contract.counters import counter_words
from desk_tui.ui.counting import plural, units_text


@pytest.mark.parametrize(("n", "unit_type", "said"), [
    (1, "sessions", "1 session"), (0, "sessions", "0 sessions"), (4, "sessions", "4 sessions"),
    (1, "units", "1 unit"), (90, "minutes", "90 min"), (1, "minutes", "1 min"), (-1, "sessions", "-1 session"),
])
def test_units_are_said_as_reception_reads_them(n, unit_type, said):
    assert units_text(n, unit_type) == said


def test_plural():
    assert [plural(n, "card") for n in (0, 1, 2)] == ["0 cards", "1 card", "2 cards"]


@pytest.mark.parametrize(("counts", "unit", "said"), [
    ((1, 1, 0), "sessions", "1 session used, 1 session booked, 0 sessions left"),  # a bundle's pool (F5 said "1 sessions")
    ((2, 0, 3), None, "2 used, 3 left"),
    ((60, 0, 300), "minutes", "60 min used, 300 min left"),
    ((1, 0, 1), "units", "1 unit used, 1 unit left"),
])
def test_a_pool_is_counted_in_the_singular_for_one(counts, unit, said):
    assert counter_words(*counts, unit=unit) == said
