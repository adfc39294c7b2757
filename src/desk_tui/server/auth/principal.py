from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desk_tui.contract.reference import ROLE_RANK


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, and at which location: every write is attributed to it."""

    staff_id: str
    staff_name: str
    role: str
    location_id: str
    token_hash: str
    expires_at: datetime

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


#: the ASGI scope key under which the idempotency middleware leaves the principal it looked up to
#: scope a write's key, so the route's ``signed_in`` does not look the token up a second time
SCOPE_KEY = "desk_tui.principal"
