from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, true, update
from sqlalchemy.orm import Session

from desk_tui.contract import auth as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth import throttle
from desk_tui.server.auth.models import AuthToken
from desk_tui.server.auth.pins import new_token, token_digest
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import rowcount, utcnow
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.models import Location, OrgSettings, Staff


def normal_username(username: str) -> str:
    return username.strip().lower()


def wrong_pin(reservation: throttle.Reservation) -> DomainError:
    return DomainError(ProblemCode.INVALID_CREDENTIALS,
                       "That username and PIN do not match." + throttle.wrong_pin_hint(reservation))


def issue_token(s: Session, *, reservation: throttle.Reservation, location_id: str | None,
                token_ttl: timedelta) -> wire.LoginResponse:
    """The PIN was right: a token for the chosen location (the staff member's first by default)."""
    staff = s.get(Staff, reservation.staff_id) if reservation.staff_id else None
    if staff is None or not staff.active:  # deactivated while the PIN was being checked
        raise DomainError(ProblemCode.INVALID_CREDENTIALS, "That username and PIN do not match.")
    location_ids = staff.location_ids
    location_id = location_id or (location_ids[0] if location_ids else None)
    if location_id is None or location_id not in location_ids:
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, f"{staff.name} does not work at that location.")
    location = s.get(Location, location_id)
    assert location is not None  # one of the staff member's locations (a foreign key)
    token = new_token()
    now = utcnow()
    expires = now + token_ttl
    s.add(AuthToken(token_hash=token_digest(token), staff_id=staff.id, location_id=location_id,
                    created_at=now, expires_at=expires))
    return wire.LoginResponse(token=token, expires_at=expires, staff=reference.staff_wire(staff),
                              location=reference.location_wire(location))


def revoke_tokens(s: Session, *, staff_id: str, now: datetime | None = None) -> int:
    """Every signed-in terminal of this staff member is signed out: after a PIN change or a
    deactivation an old token must not keep working until it expires."""
    return rowcount(s.execute(update(AuthToken).where(AuthToken.staff_id == staff_id, AuthToken.revoked.is_(False),
                                             AuthToken.expires_at > (now or utcnow()))
                     .values(revoked=True)))


def unlock(s: Session, *, staff_id: str) -> int:
    staff = s.get(Staff, staff_id)
    if staff is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such staff member.")
    if staff.username is None:  # never signs in, so has no failures to forget
        return 0
    return throttle.unlock(s, username=staff.username)


def authenticate(s: Session, token: str) -> Principal:
    """The token's principal, in one statement: every request of the day starts here."""
    return principal_of(_SIGN_IN.first(s, sign_in_params(token)))


def _sign_in_check() -> Select[*tuple[Any, ...]]:
    """The sign-in check's statement. It reads the location's name and the organisation's settings
    too, which nearly every request needs next (money words, the business day), so the request
    reads neither again; a caller may join more to it (the idempotency key of a write).

    Of the tables' columns, not the mapped classes': a select of ORM attributes is executed through
    the ORM's machinery even when it returns plain rows, which cost the check two to three times
    the CPU of the same select in SQLAlchemy Core (≈ 0.2 ms of every request)."""
    token, staff, location, settings = (t.__table__ for t in (AuthToken, Staff, Location, OrgSettings))
    T, St, S = token.c, staff.c, settings.c
    return (select(T.token_hash, T.location_id, T.expires_at, T.revoked,
                   St.id, St.name, St.role, St.active, location.c.name.label("location_name"),
                   S.id.label("settings_id"), S.currency, S.currency_decimals, S.timezone, S.business_name,
                   S.max_discount_percent_without_manager, S.phone_region, S.membership_grace_days,
                   S.prices_include_tax, S.vat_basis_points)
            .select_from(token.join(staff, St.id == T.staff_id)
                         .join(location, location.c.id == T.location_id)
                         .outerjoin(settings, true()))
            .where(T.token_hash == bindparam("token_hash"))
            .order_by(S.id).limit(1))


#: Built once, the token a parameter (:func:`sign_in_params`): SQLAlchemy remembers a statement
#: object's cache key, and building this select and working out its key again cost every request
#: more CPU than anything else it did before its route.
SIGN_IN_CHECK = _sign_in_check()
_SIGN_IN = DriverStatement(SIGN_IN_CHECK)


def sign_in_params(token: str) -> dict[str, str]:
    return {"token_hash": token_digest(token)}


def principal_of(row: Any) -> Principal:
    """The principal from a row of :func:`sign_in_check` (None: no such token)."""
    if row is None or row.revoked or row.expires_at <= utcnow():
        raise DomainError(ProblemCode.UNAUTHENTICATED, "Your session has ended. Please sign in again.")
    if not row.active:
        raise DomainError(ProblemCode.UNAUTHENTICATED, "This staff account is no longer active.")
    settings = None if row.settings_id is None else reference.settings_of(row)
    return Principal(staff_id=row.id, staff_name=row.name, role=row.role, location_id=row.location_id,
                     token_hash=row.token_hash, expires_at=row.expires_at, location_name=row.location_name,
                     settings=settings)


def logout(s: Session, *, me: Principal) -> None:
    row = s.get(AuthToken, me.token_hash)
    if row is not None:
        row.revoked = True


def me(s: Session, *, me: Principal) -> wire.Me:
    # the token's staff member and location: its foreign keys, checked when it was accepted
    staff, location = s.get(Staff, me.staff_id), s.get(Location, me.location_id)
    assert staff is not None and location is not None
    return wire.Me(staff=reference.staff_wire(staff),
                   location=reference.location_wire(location),
                   expires_at=me.expires_at)
