"""A manager's approval at the till: a manager or owner types their username and PIN on the
receptionist's terminal to approve one act (a price or a discount beyond the organisation's limit).

The PIN is checked as at sign-in — the same argon2 hash, the same failure count and lock-out per
username, so approvals are no way round sign-in's limit for guessing a manager's PIN — but no
token is made: the approval covers the one request that carries it. The hash is verified outside
any write transaction (argon2 is slow on purpose; SQLite has one writer).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from desk_tui.contract.sales import ManagerApproval
from desk_tui.contract.reference import ROLE_RANK
from desk_tui.server.auth.models import LoginAttempt
from desk_tui.server.auth.pins import verify_pin
from desk_tui.server.auth.principal import Principal
from desk_tui.server.auth.service import LOCKOUT, MAX_FAILURES
from desk_tui.server.database import Database, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Staff


@dataclass(frozen=True, slots=True)
class Approver:
    """The manager or owner who approved, for the record."""

    staff_id: str
    name: str


def approver(db: Database, approval: ManagerApproval | None, *, me: Principal) -> Approver | None:
    """Who approved, or None when the request carries no approval. A wrong PIN, a username that
    is not a manager's or one that does not work at the till's location is refused with
    ``manager_approval_required`` (403: the request is not approved; the caller's own session is
    fine); a username locked by wrong PINs with ``too_many_attempts``."""
    if approval is None:
        return None
    username = approval.username.strip().lower()
    now = utcnow()
    with db.read_session() as s:
        recent = s.scalar(select(func.count()).select_from(LoginAttempt)
                          .where(LoginAttempt.username == username, LoginAttempt.at > now - LOCKOUT))
        staff = s.scalar(select(Staff).where(Staff.username == username, Staff.active.is_(True)))
        pin_hash, role = (staff.pin_hash, staff.role) if staff else (None, None)
        who = (staff.id, staff.name, staff.location_ids) if staff else None
    if recent >= MAX_FAILURES:
        raise DomainError("too_many_attempts", f"Too many wrong PINs for {username}. Wait "
                                               f"{int(LOCKOUT.total_seconds() // 60)} minutes and try again.",
                          retry_after=int(LOCKOUT.total_seconds()))
    if not verify_pin(pin_hash, approval.pin):
        # Counted with sign-in's failures, in its own transaction: the request itself fails.
        with db.write_session() as s:
            s.add(LoginAttempt(username=username, at=now))
            s.commit()
        raise DomainError("manager_approval_required",
                          "That manager's username and PIN do not match; nothing was changed.")
    staff_id, name, location_ids = who
    if ROLE_RANK[role] < ROLE_RANK["manager"]:
        raise DomainError("manager_approval_required", f"{name} is not a manager: a manager or the owner must approve.")
    if me.location_id not in location_ids:
        raise DomainError("manager_approval_required", f"{name} does not work at this location.")
    return Approver(staff_id=staff_id, name=name)
