"""What every screen works with once someone is signed in: one object, nothing optional.

The app builds a :class:`Session` when a sign-in is confirmed (and again at each ctrl+s), with
the organisation's settings already known, and screens read it as ``self.session``: the client
to ask, who is signed in and where, the salon's currency and time zone, and its "today". Before
that, nothing but the sign-in screen (and the calendar drawn from the cache while the sign-in it
opened on is checked) runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo  # at its first use, not on the sign-in's first frame

    # The wire models (pydantic) are not imported for the first frame (tests/ui/test_startup_imports.py):
    # a Session exists only once a sign-in has been confirmed, by then they are loaded.
    from desk_tui.client.api import DeskClient
    from desk_tui.contract.reference import Location, Settings, Staff
    from desk_tui.ui.session import SessionApp


@dataclass(frozen=True)
class Session:
    client: DeskClient
    staff: Staff
    location: Location
    org: Settings
    """The organisation's settings: currency, time zone, the manager's discount limit."""
    clock: Callable[[], datetime]
    """The app's clock (tests and snapshots fix it); "now" and "today" come from it."""

    @property
    def role(self) -> str:
        return self.staff.role

    def at_least(self, role: str) -> bool:
        """Whether the signed-in staff member's role is ``role`` or above (reception < manager < owner)."""
        from desk_tui.contract.reference import ROLE_RANK

        return ROLE_RANK.get(self.staff.role, 0) >= ROLE_RANK[role]

    @property
    def zone(self) -> ZoneInfo:
        """The salon's time zone: business days, expiry dates and times on screen are in it."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.org.timezone)

    def now(self) -> datetime:
        return self.clock().astimezone(self.zone)

    def today(self) -> date:
        """Today in the salon's time zone, whatever this terminal's own zone is."""
        return self.now().date()


def session_of(node: DOMNode) -> Session:
    """The session of the app ``node`` runs in: for screens and widgets, as ``self.session``."""
    return cast("SessionApp", node.app).session
