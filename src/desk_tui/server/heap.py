"""The API process's garbage collector, settled once start-up is over.

By the time the server answers, the heap holds some hundred thousand long-lived objects (modules,
SQLAlchemy's mappers and compiled-statement caches, pydantic's validators). Every generation-2
collection walked all of them again: about 100 ms added to whichever request happened to trigger
it (the calendar's p99 was 113–133 ms with a single client). ``gc.freeze()`` moves what exists
after start-up out of the collector's sight for good, and larger thresholds let the young
generations absorb a request's garbage (most of it is freed by reference counting anyway)
before a full collection is due.

Not too large, though: a young collection stops every request in its worker, and its cost grows
with what it has to walk. At 20,000 allocations one took a median 27 ms of CPU (up to 52 ms, the
whole of a request's 50 ms budget) under make bench-api's desks; at 5,000 a median 6 ms (up to
17 ms), four times as often, for ≈ 0.07 ms more collector CPU per request (docs/performance.md,
session 11).
"""

from __future__ import annotations

import gc

#: allocations before a young collection (default 700): a request allocates thousands of objects
YOUNG = 5_000
#: young collections per middle one, middle ones per full one (defaults 10 and 10)
MIDDLE = 20
FULL = 50


def settle() -> None:
    """Collect what start-up left behind, freeze the rest, and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, FULL)
