"""A py-spy profile's samples by layer of the server (`make bench-api-cpu ARGS="--profile NAME"`).

Each sample goes to the first frame of a known layer found walking its stack up from the leaf, so
a standard-library helper (json, hashlib, contextlib…) counts for the layer that called it, and a
thread hand-off (anyio, ``threading``, ``queue``) for itself. docs/performance.md, session 14,
multiplies each share by the endpoint's CPU per request to say where a request's milliseconds go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

#: (a piece of the frame's file path, its layer): the first that matches wins
RULES = (
    ("sqlalchemy/orm/loading", "SQLAlchemy ORM: loading rows into objects"),
    ("sqlalchemy/orm/strategies", "SQLAlchemy ORM: loading rows into objects"),
    ("sqlalchemy/orm/context", "SQLAlchemy ORM: loading rows into objects"),
    ("sqlalchemy/orm/unitofwork", "SQLAlchemy ORM: unit of work flush"),
    ("sqlalchemy/orm/persistence", "SQLAlchemy ORM: unit of work flush"),
    ("sqlalchemy/orm/dependency", "SQLAlchemy ORM: unit of work flush"),
    ("sqlalchemy/orm/", "SQLAlchemy ORM: session, attributes, events"),
    ("sqlalchemy/", "SQLAlchemy Core: compile, execute, results"),
    ("psycopg", "psycopg"),
    ("pydantic", "pydantic (wire models built and dumped)"),
    ("desk_tui/contract", "pydantic (wire models built and dumped)"),
    ("fastapi/dependencies", "FastAPI dependency solving"),
    ("starlette/concurrency", "thread hand-offs"),
    ("anyio/", "thread hand-offs"),
    ("concurrent/futures", "thread hand-offs"),
    ("threading.py", "thread hand-offs"),
    ("queue.py", "thread hand-offs"),
    ("fastapi/", "Starlette/FastAPI routing, request, response"),
    ("starlette/", "Starlette/FastAPI routing, request, response"),
    ("uvicorn/", "uvicorn, asyncio loop"),
    ("asyncio/", "uvicorn, asyncio loop"),
    ("uvloop", "uvicorn, asyncio loop"),
    ("desk_tui/server/idempotency", "our middlewares"),
    ("desk_tui/server/logs", "our middlewares"),
    ("desk_tui/server/etag", "our middlewares"),
    ("desk_tui/server/body_limit", "our middlewares"),
    ("desk_tui/server/request_scope", "our middlewares"),
    ("desk_tui/server/deps", "sign-in check"),
    ("desk_tui/server/auth/", "sign-in check"),
    ("desk_tui/server/events", "live events"),
    ("logging/", "logging"),
    ("desk_tui/server/database", "our sessions (database.py)"),
    ("desk_tui/", "our service code"),
)


def layer_of(path: str) -> str | None:
    return next((name for piece, name in RULES if piece in path), None)


def samples(doc: dict[str, Any]) -> Iterator[tuple[list[int], float]]:
    """Each sample of a speedscope document with a stack: its frames (root first) and its weight."""
    for prof in doc["profiles"]:
        for stack, weight in zip(prof["samples"], prof["weights"], strict=True):
            if stack:
                yield stack, weight


def by_layer(doc: dict[str, Any]) -> tuple[Counter[str], float]:
    """Sample weight per layer of a speedscope document, and the total."""
    frames = doc["shared"]["frames"]
    layers: Counter[str] = Counter()
    total = 0.0
    for stack, weight in samples(doc):
        total += weight
        found = (layer_of(frames[i].get("file", "")) for i in reversed(stack))
        layers[next((name for name in found if name), "other (standard library)")] += weight
    return layers, total
