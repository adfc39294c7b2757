"""How many wrong PINs sign-in takes before it makes a caller wait, and for how long.

A sign-in first *reserves* its attempt: in one short transaction, serialised per username and
per address (PostgreSQL advisory locks; SQLite's ``BEGIN IMMEDIATE`` serialises every writer),
the recent failures are counted and, if no limit is reached, a row is written as if the PIN
were wrong. Only then, outside any transaction, is the PIN checked; a right PIN takes its row
back. So however many attempts arrive at once, on any engine and any number of workers, no
more PINs are checked than the limits allow: 60 at once for one username reserve 5 rows and the
other 55 are refused without a PIN check.

Four limits, each against its own attack:

* one username from one address: 5 wrong PINs, then a pause of 5 minutes that doubles with
  each further wrong PIN. The typo-prone receptionist waits a little; one address guessing
  slows down exponentially, but it does *not* lock the username for the other desks.
* one username from all addresses together: 20 wrong PINs an hour. A guesser spread over many
  addresses still tries at most 20 PINs an hour per username.
* one address for all usernames: 30 wrong PINs in 15 minutes (one PIN tried on every account).
* the whole server: 120 wrong PINs a minute.

The owner clears a username's failures (``POST /v1/staff/{id}/unlock`` or
``desk-tui admin unlock``). The address is the TCP peer: behind a reverse proxy every desk
has the proxy's address and the address limits then act as one.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, text, true
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.models import LoginAttempt
from desk_tui.server.database import rowcount
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Staff

PAIR_FREE = 5
PAIR_PAUSE = timedelta(minutes=5)
PAIR_PAUSE_MAX = timedelta(hours=24)
#: how long a wrong PIN counts towards the doubling pause (and the longest any row is kept)
MEMORY = timedelta(hours=24)
USERNAME_PER_HOUR = 20
ADDRESS_LIMIT, ADDRESS_WINDOW = 30, timedelta(minutes=15)
SERVER_PER_MINUTE = 120
#: rows of usernames nobody signs in as only feed the address and server limits
UNKNOWN_MEMORY = ADDRESS_WINDOW

# Advisory-lock namespaces (the two-key form), one per kind of key so a username and an
# address can never share a lock; always taken username first, so two sign-ins cannot deadlock.
_USERNAME_LOCKS = 0x51_60
_ADDRESS_LOCKS = 0x51_61


@dataclass(frozen=True, slots=True)
class Reservation:
    """A sign-in attempt written down as a failure until its PIN proves right."""

    id: int
    username: str
    address: str
    staff_id: str | None
    pin_hash: str | None
    #: wrong PINs from this address for this username before this one
    pair_failures: int


def reserve(s: Session, *, username: str, address: str, now: datetime) -> Reservation:
    """Count, decide and write the attempt down; raises ``too_many_attempts`` when a limit is reached."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": _USERNAME_LOCKS, "key": _lock_key(username)})
        s.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": _ADDRESS_LOCKS, "key": _lock_key(address)})
    pair_failures, last = s.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.address == address, LoginAttempt.at > now - MEMORY)
    ).one()
    if pair_failures >= PAIR_FREE:
        until = last + pause_after(pair_failures)
        if until > now:
            _refuse(f"Too many wrong PINs for {username}.", until - now)
    _refuse_when_full(s, LoginAttempt.username == username, USERNAME_PER_HOUR, timedelta(hours=1), now,
                      f"Too many wrong PINs for {username}.")
    _refuse_when_full(s, LoginAttempt.address == address, ADDRESS_LIMIT, ADDRESS_WINDOW, now,
                      "Too many wrong PINs from this terminal.")
    _refuse_when_full(s, true(), SERVER_PER_MINUTE, timedelta(minutes=1), now,
                      "Too many wrong PINs on this server right now.")
    staff = s.scalar(select(Staff).where(Staff.username == username, Staff.active.is_(True)))
    row = LoginAttempt(username=username, address=address, at=now)
    s.add(row)
    s.flush()
    return Reservation(id=row.id, username=username, address=address, staff_id=staff.id if staff else None,
                       pin_hash=staff.pin_hash if staff else None, pair_failures=pair_failures)


def pause_after(failures: int) -> timedelta:
    """The pause after ``failures`` wrong PINs from one address (at least PAIR_FREE): it doubles."""
    pause: timedelta = min(PAIR_PAUSE * 2 ** min(failures - PAIR_FREE, 16), PAIR_PAUSE_MAX)
    return pause


def wrong_pin_hint(reservation: Reservation) -> str:
    failures = reservation.pair_failures + 1
    left = PAIR_FREE - failures
    if left > 0:
        return f" {left} {'try' if left == 1 else 'tries'} left before a pause of {_words(pause_after(PAIR_FREE))}."
    return f" The next try must wait {_words(pause_after(failures))}."


def give_back(s: Session, reservation: Reservation) -> None:
    """The PIN was never checked (the server was busy): the attempt does not count."""
    s.execute(delete(LoginAttempt).where(LoginAttempt.id == reservation.id))


def forget_typos(s: Session, reservation: Reservation) -> None:
    """The PIN was right: this attempt and this desk's earlier typos no longer count. Wrong PINs
    from other addresses still do, so a guesser's hourly budget is not reset by the real user."""
    s.execute(delete(LoginAttempt).where(LoginAttempt.username == reservation.username,
                                         LoginAttempt.address == reservation.address))


def unlock(s: Session, *, username: str) -> int:
    """The owner's unlock: every failure of the username is forgotten, from every address."""
    return rowcount(s.execute(delete(LoginAttempt).where(LoginAttempt.username == username)))


def prune(s: Session, *, now: datetime) -> int:
    """Housekeeping: rows older than any limit looks back, and made-up usernames' rows once the
    address limit no longer needs them, so a flood of invented names cannot fill the table."""
    old = rowcount(s.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - MEMORY)))
    known = select(Staff.username).where(Staff.username.is_not(None))  # NOT IN a list with NULL matches nothing
    unknown = rowcount(s.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - UNKNOWN_MEMORY,
                                                            LoginAttempt.username.not_in(known))))
    return old + unknown


def _refuse_when_full(s: Session, where: ColumnElement[bool], limit: int, window: timedelta, now: datetime, sentence: str) -> None:
    count, oldest = s.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(where, LoginAttempt.at > now - window)).one()
    if count >= limit:
        _refuse(sentence, oldest + window - now)


def _refuse(sentence: str, wait: timedelta) -> None:
    raise DomainError(ProblemCode.TOO_MANY_ATTEMPTS, f"{sentence} Wait {_words(wait)} and try again.",
                      retry_after=max(1, math.ceil(wait.total_seconds())))


def _words(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    if minutes >= 120:
        return f"{math.ceil(minutes / 60)} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _lock_key(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=4).digest(), "big", signed=True)
