"""`desk-tui admin list-staff` and `reset-pin`: who can sign in, and a new PIN when one is forgotten.

A reset is the owner's word: the command asks for an owner's username and PIN, as the salon's
owner would approve it at the desk, and the new PIN is drawn at random and shown once — nobody
chooses it for the staff member, who is signed out of every terminal and may sign in at once
(wrong PINs of the forgotten one are forgotten too).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.admin import _open, _staff
from desk_tui.server.auth import service as auth
from desk_tui.server.auth import throttle
from desk_tui.server.auth.models import AuthToken
from desk_tui.server.auth.pins import hash_pin, verify_pin
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Location, Staff

#: the length of a PIN drawn by reset-pin: within the 4–12 digits a PIN may have
RESET_PIN_DIGITS = 6


@dataclass(frozen=True)
class StaffRow:
    username: str | None
    name: str
    role: str
    active: bool
    locations: list[str]
    #: terminals signed in right now (tokens neither expired nor revoked)
    sessions: int


def list_staff(db_url: str) -> list[StaffRow]:
    db = _open(db_url)
    try:
        with db.read_session() as s:
            names = {loc.id: loc.name for loc in s.scalars(select(Location))}
            sessions = dict(s.execute(
                select(AuthToken.staff_id, func.count())
                .where(AuthToken.revoked.is_(False), AuthToken.expires_at > utcnow())
                .group_by(AuthToken.staff_id)).all())
            staff = s.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name)).all()
            return [StaffRow(username=m.username, name=m.name, role=m.role, active=m.active,
                             locations=sorted(names[x] for x in m.location_ids), sessions=sessions.get(m.id, 0))
                    for m in staff]
    finally:
        db.dispose()


def reset_pin(db_url: str, *, username: str, owner: str, owner_pin: str) -> tuple[str, int]:
    """Returns the new PIN and how many sessions ended."""
    db = _open(db_url)
    try:
        with db.transaction() as s:
            approver = s.scalar(select(Staff).where(Staff.username == owner.strip().lower()))
            if approver is None or not verify_pin(approver.pin_hash, owner_pin):
                raise DomainError(ProblemCode.INVALID_CREDENTIALS, "The owner's username and PIN do not match.")
            if approver.role != "owner" or not approver.active:
                raise DomainError(ProblemCode.FORBIDDEN_ROLE, f"{approver.username} is not an active owner; "
                                                              "only an owner can reset a PIN.")
            staff = _staff(s, username)
            if staff.username is None:
                raise DomainError(ProblemCode.VALIDATION_ERROR, f"{staff.name} does not sign in.")
            pin = "".join(secrets.choice("0123456789") for _ in range(RESET_PIN_DIGITS))
            staff.pin_hash = hash_pin(pin)
            ended = auth.revoke_tokens(s, staff_id=staff.id)
            throttle.unlock(s, username=staff.username)
            return pin, ended
    finally:
        db.dispose()
