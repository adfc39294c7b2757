"""A manager's approval at the till: a manager or owner types their username and PIN on the
receptionist's terminal to approve one act (a price or a discount beyond the organisation's limit).

The PIN is checked as at sign-in — the same argon2 hash, the same failure count and lock-out per
username, so approvals are no way round sign-in's limit for guessing a manager's PIN — but no
token is made: the approval covers the one request that carries it. The hash is verified outside
any write transaction (argon2 is slow on purpose; SQLite has one writer).
"""

from __future__ import annotations

from dataclasses import dataclass

from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.reference import ROLE_RANK
from desk_tui.contract.sales import ManagerApproval
from desk_tui.server.auth import throttle
from desk_tui.server.auth.pins import verify_pin
from desk_tui.server.auth.principal import Principal
from desk_tui.server.auth.service import normal_username
from desk_tui.server.database import Database, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Staff


@dataclass(frozen=True, slots=True)
class Approver:
    """The manager or owner who approved, for the record."""

    staff_id: str
    name: str


def approver(db: Database, approval: ManagerApproval | None, *, me: Principal, address: str) -> Approver | None:
    """Who approved, or None when the request carries no approval. A wrong PIN, a username that
    is not a manager's or one that does not work at the till's location is refused with
    ``manager_approval_required`` (403: the request is not approved; the caller's own session is
    fine); a username paused by wrong PINs with ``too_many_attempts``, exactly as at sign-in.

    Call it before the request writes anything: the attempt is reserved and settled in
    transactions of its own, which must stand whatever the request's answer."""
    if approval is None:
        return None
    username = normal_username(approval.username)
    with db.own_transaction() as s:
        reservation = throttle.reserve(s, username=username, address=address, now=utcnow())
    if not verify_pin(reservation.pin_hash, approval.pin):
        # The reserved attempt stays: it counts with sign-in's wrong PINs.
        raise DomainError(ProblemCode.MANAGER_APPROVAL_REQUIRED,
                          "That manager's username and PIN do not match; nothing was changed.")
    with db.own_transaction() as s:
        throttle.forget_typos(s, reservation)
        staff = s.get(Staff, reservation.staff_id)
        assert staff is not None  # the PIN matched this staff member's hash
        who = (staff.id, staff.name, staff.role, staff.location_ids)
    staff_id, name, role, location_ids = who
    if ROLE_RANK[role] < ROLE_RANK["manager"]:
        raise DomainError(ProblemCode.MANAGER_APPROVAL_REQUIRED, f"{name} is not a manager: a manager or the owner must approve.")
    if me.location_id not in location_ids:
        raise DomainError(ProblemCode.MANAGER_APPROVAL_REQUIRED, f"{name} does not work at this location.")
    return Approver(staff_id=staff_id, name=name)
