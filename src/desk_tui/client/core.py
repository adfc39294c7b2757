"""What the per-domain calls (``client.cards``, ``.sales``, ``.memberships``, ``.appointments``,
``.reports``) use of the client: its one transport, cache and intent journal.

Each domain object is built by :class:`~desk_tui.client.api.DeskClient` with the client itself
as its ``core``; this protocol names the building blocks they call, with the same signatures,
so the domain modules need not import api.py (which imports them). mypy checks that
``DeskClient`` satisfies it where each is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar, overload

from desk_tui.client.intents import Written

T = TypeVar("T")

#: Query parameters; a None value is left out of the URL.
Params = Mapping[str, str | int | float | bool | None]


class ClientCore(Protocol):
    async def get_model(self, path: str, model: type[T], *, params: Params | None = None,
                        cache: bool = False) -> T: ...

    async def get_bytes(self, path: str, *, params: Params | None = None) -> bytes: ...

    def peek(self, path: str, model: type[T], *, params: Params | None = None) -> T | None: ...

    @overload
    async def write(self, method: str, path: str, *, json: Any = None, model: type[T],
                    idempotency_key: str | None = None, if_match: int | str | None = None,
                    params: Params | None = None, content: bytes | None = None,
                    content_type: str | None = None) -> T: ...

    @overload
    async def write(self, method: str, path: str, *, json: Any = None, model: None = None,
                    idempotency_key: str | None = None, if_match: int | str | None = None,
                    params: Params | None = None, content: bytes | None = None,
                    content_type: str | None = None) -> None: ...

    @overload
    async def write_intent(self, method: str, path: str, *, json: Any = None, model: type[T],
                           idempotency_key: str | None = None, if_match: int | str | None = None,
                           params: Params | None = None, content: bytes | None = None,
                           content_type: str | None = None) -> Written[T]: ...

    @overload
    async def write_intent(self, method: str, path: str, *, json: Any = None, model: None = None,
                           idempotency_key: str | None = None, if_match: int | str | None = None,
                           params: Params | None = None, content: bytes | None = None,
                           content_type: str | None = None) -> Written[None]: ...
