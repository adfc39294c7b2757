from __future__ import annotations

from datetime import datetime

from pydantic import Field

from desk_tui.contract.common import Line, Request, Wire
from desk_tui.contract.reference import Location, Staff


class LoginRequest(Request):
    username: Line = Field(min_length=1, max_length=100)
    pin: Line = Field(min_length=1, max_length=64)
    location_id: Line | None = Field(default=None, max_length=100)


class LoginResponse(Wire):
    token: str
    expires_at: datetime
    staff: Staff
    location: Location


class Me(Wire):
    staff: Staff
    location: Location
    expires_at: datetime | None = None
