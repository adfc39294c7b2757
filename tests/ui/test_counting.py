"""Counts in words: one of a thing is said in the singular ("1 sessions" read oddly on F7)."""

from __future__ import annotations

import pytest

from desk_tui.ui.counting import plural, units_text


@pytest.mark.parametrize(("n", "unit_type", "said"), [
    (1, "sessions", "1 session"), (0, "sessions", "0 sessions"), (4, "sessions", "4 sessions"),
    (1, "units", "1 unit"), (90, "minutes", "90 min"), (1, "minutes", "1 min"), (-1, "sessions", "-1 session"),
])
def test_units_are_said_as_reception_reads_them(n, unit_type, said):
    assert units_text(n, unit_type) == said


def test_plural():
    assert [plural(n, "card") for n in (0, 1, 2)] == ["0 cards", "1 card", "2 cards"]
