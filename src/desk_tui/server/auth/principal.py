from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from desk_tui.contract.reference import ROLE_RANK, Settings


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, and at which location: every write is attributed to it."""

    staff_id: str
    staff_name: str
    role: str
    location_id: str
    token_hash: str
    expires_at: datetime
    #: the location's name and the organisation's settings, read by the sign-in check's own
    #: statement, so the request that follows reads neither again (None: not read with it)
    location_name: str | None = None
    settings: Settings | None = None

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


#: the ASGI scope key of the request's sign-in check (deps.PendingSignIn), made once, where it is
#: first needed: by ``signed_in``, or in the route's own thread; a write's Idempotency-Key is
#: looked up with it (idempotency_keys.KeyLookup, left there by the idempotency middleware)
PENDING_KEY = "desk_tui.pending_sign_in"

#: the signed-in principal of the request being answered (set by ``deps.signed_in`` on the
#: request's own task, so the route's worker thread sees it; None outside a signed-in request)
_asking: ContextVar[Principal | None] = ContextVar("desk_tui_asking", default=None)


def asking() -> Principal | None:
    return _asking.get()


def set_asking(principal: Principal) -> None:
    _asking.set(principal)
