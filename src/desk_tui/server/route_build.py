"""Every route's parameter and response fields built at start-up, not inside a desk's first request.

FastAPI (0.16x) builds an included router's routes lazily: the first request whose path reaches
a router builds the fields of *all* its routes (pydantic schemas for every parameter, body and
response model) before it is answered. A worker's first liability report took 90–140 ms more
than its second for that alone (the reports router's seven routes and their models), and every
router's first request pays the same in each worker (docs/performance.md, session 13). Built
here once, before ``heap.settle()`` freezes what start-up made, so they are also out of the
collector's sight.

Only FastAPI's own caches are filled (``effective_candidates`` of each included router, what its
``matches`` reads); a FastAPI without them (older or newer) is left as it is.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def build_routes(app: FastAPI) -> int:
    """Builds every included router's routes now; returns how many routers were built."""
    pending: list[Any] = list(app.router.routes)
    built = 0
    while pending:
        route = pending.pop()
        # an _IncludedRouter's own methods (a built route delegates unknown names to its endpoint's route)
        candidates = type(route).__dict__.get("effective_candidates")
        if candidates is None:
            continue
        pending.extend(candidates(route))
        if (low_priority := type(route).__dict__.get("effective_low_priority_routes")) is not None:
            low_priority(route)
        built += 1
    return built
