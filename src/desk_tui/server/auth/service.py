from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desk_tui.contract import auth as wire
from desk_tui.server.auth.models import AuthToken, LoginAttempt
from desk_tui.server.auth.pins import new_token, token_digest, verify_pin
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.models import Location, Staff

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)


def login(s: Session, *, data: wire.LoginRequest, token_ttl: timedelta) -> wire.LoginResponse:
    username = data.username.strip().lower()
    now = utcnow()
    recent = s.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.at > now - LOCKOUT
        )
    )
    if recent >= MAX_FAILURES:
        raise DomainError(
            "too_many_attempts",
            f"Too many wrong PINs for {username}. Wait {int(LOCKOUT.total_seconds() // 60)} minutes and try again.",
            retry_after=int(LOCKOUT.total_seconds()),
        )
    staff = s.scalar(select(Staff).where(Staff.username == username, Staff.active.is_(True)))
    if not verify_pin(staff.pin_hash if staff else None, data.pin):
        s.add(LoginAttempt(username=username, at=now))
        s.commit()
        left = MAX_FAILURES - recent - 1
        hint = f" {left} tries left before a {int(LOCKOUT.total_seconds() // 60)}-minute pause." if left else ""
        raise DomainError("invalid_credentials", "That username and PIN do not match." + hint)

    location_ids = staff.location_ids
    location_id = data.location_id or (location_ids[0] if location_ids else None)
    if location_id is None or location_id not in location_ids:
        raise DomainError("forbidden_role", f"{staff.name} does not work at that location.")
    location = s.get(Location, location_id)
    s.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    token = new_token()
    expires = now + token_ttl
    s.add(AuthToken(token_hash=token_digest(token), staff_id=staff.id, location_id=location_id,
                    created_at=now, expires_at=expires))
    return wire.LoginResponse(token=token, expires_at=expires, staff=reference.staff_wire(staff),
                              location=reference.location_wire(location))


def authenticate(s: Session, token: str) -> Principal:
    row = s.get(AuthToken, token_digest(token))
    if row is None or row.revoked or row.expires_at <= utcnow():
        raise DomainError("unauthenticated", "Your session has ended. Please sign in again.")
    staff = s.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        raise DomainError("unauthenticated", "This staff account is no longer active.")
    return Principal(staff_id=staff.id, staff_name=staff.name, role=staff.role, location_id=row.location_id,
                     token_hash=row.token_hash, expires_at=row.expires_at)


def logout(s: Session, *, me: Principal) -> None:
    row = s.get(AuthToken, me.token_hash)
    if row is not None:
        row.revoked = True


def me(s: Session, *, me: Principal) -> wire.Me:
    return wire.Me(staff=reference.staff_wire(s.get(Staff, me.staff_id)),
                   location=reference.location_wire(s.get(Location, me.location_id)),
                   expires_at=me.expires_at)

