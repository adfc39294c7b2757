"""Reading the disk cache into contract models, without the network stack.

The screens draw from the cache before the network answers; the calendar of a desk signed in
before is drawn before httpx is even imported (ui/session.py), so this is apart from the
DeskClient, which uses it too. Every body read here, from the network or the disk, is decoded
by :class:`Reader`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from desk_tui.client.cache import Cache
from desk_tui.contract.common import read_json

T = TypeVar("T")


class Reader(Generic[T]):
    """Decodes a response body as one contract type, with any control character in its text made
    visible first (contract.common.read_json): this is where the server's text enters the
    client, so no screen can ever hand an escape sequence to the terminal."""

    def __init__(self, model: type[T]) -> None:
        self._adapter = TypeAdapter(model)

    def validate_json(self, body: bytes | str) -> T:
        shown = read_json(body)
        return self._adapter.validate_json(body) if shown is None else self._adapter.validate_python(shown)


@lru_cache(maxsize=256)
def _cached_reader(model: type[Any]) -> Reader[Any]:
    return Reader(model)


def reader(model: type[T]) -> Reader[T]:
    # type[T] is hashable (a class or a generic alias such as list[Staff]), but mypy does not
    # see type.__hash__ through an unbounded TypeVar, so lru_cache's Hashable is not matched.
    return _cached_reader(model)  # type: ignore[arg-type]


def peek(cache: Cache, key: str, model: type[T]) -> T | None:
    """The cached value under ``key``, or None (missing, or no longer readable as ``model``)."""
    entry = cache.get(key)
    if entry is None:
        return None
    try:
        return reader(model).validate_json(entry.body)
    except ValueError:
        return None
