"""What a cart holds, and letting go of it: the sale lock, the idle clock and closing a cart.

Holds are card units (a ``reserve`` entry in the card's ledger made for the sale) and membership
credits (held in the memberships domain by ``(sale_id, sale_line_id)``). Every change to a cart
moves its idle clock (``last_change_at``) and pushes the credit holds' expiry with it. A cart
left alone for the hold timeout is closed by :func:`sweep`, which housekeeping runs every minute
and every sales read runs first (in its own short transaction, so the till then sees the cart
already closed); a write to such a cart is refused before it touches it.

A package line that came with an appointment is held by the appointment's reservation, not by
the sale: closing the cart leaves it alone (the appointment is still booked), and completing the
sale redeems it through the appointment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.customers.service import record_activity
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.sales import membership
from desk_tui.server.sales.models import Sale, SaleLine

log = logging.getLogger("desk_tui.server.sales")

DEFAULT_TIMEOUT = timedelta(minutes=30)
#: carts closed per sweep: a backlog is worked off in batches, never in one request
SWEEP_BATCH = 20


#: The one rule for finding a sale by id: at the token's location, as ``GET /sales`` lists them.
#:
#: Another location's cart is "not found" (404), not "forbidden" (403): this till's list does not
#: have it, and a 403 would tell a caller that the id exists elsewhere. Its lines are reached
#: through it, so they follow the same rule.
#:
#: Built once with its values as parameters (every cart write locks the cart, and a statement
#: built per request is built and keyed again each time); _LOCKED: locked, with lines and payments.
_HERE = select(Sale).where(Sale.id == bindparam("sale_id"), Sale.location_id == bindparam("location_id"))
_LOCKED = (_HERE.options(joinedload(Sale.lines), joinedload(Sale.payments)).with_for_update(of=Sale, key_share=True)
           .execution_options(populate_existing=True))
_SALE = Sale.__table__.c
_APPOINTMENT_OF = DriverStatement(select(_SALE.appointment_id).where(_SALE.id == bindparam("sale_id"),
                                                                    _SALE.location_id == bindparam("location_id")))


def appointment_of(s: Session, sale_id: str, *, me: Principal) -> str | None:
    """The sale's appointment, if any, read without a lock (it never changes)."""
    found: str | None = _APPOINTMENT_OF.scalar(s, {"sale_id": sale_id, "location_id": me.location_id})
    return found


def find(s: Session, sale_id: str, *, me: Principal) -> Sale:
    sale = s.scalar(_HERE, {"sale_id": sale_id, "location_id": me.location_id})
    if sale is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such sale at this location.")
    return sale


def lock_sale(s: Session, sale_id: str, *, me: Principal) -> Sale:
    """The sale row ``FOR NO KEY UPDATE``: every write to a cart queues here (SQLite: BEGIN IMMEDIATE)."""
    # its lines and payments come with it (every write reads them), the lock on the sale's row alone
    sale = s.scalars(_LOCKED, {"sale_id": sale_id, "location_id": me.location_id}).unique().first()
    if sale is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such sale at this location.")
    return sale


def expires_at(sale: Sale, timeout: timedelta) -> datetime:
    return sale.last_change_at + timeout


def idle_words(timeout: timedelta) -> str:
    minutes = int(timeout.total_seconds() // 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def touch(s: Session, sale: Sale, *, now: datetime, timeout: timedelta) -> None:
    """A change to the cart: its holds live another ``timeout`` from now."""
    sale.last_change_at = max(now, sale.last_change_at)
    # Only a line covered by a membership credit holds one (removing or releasing the line gives
    # it back): a cart without one does not look for credits to extend (a statement per change).
    if any(x.redeem_kind == "membership" and x.hold_state == "held" for x in sale.lines):
        membership.extend_holds(s, sale_id=sale.id, expires_at=expires_at(sale, timeout), now=now)


def owns_hold(line: SaleLine) -> bool:
    """The sale itself made this hold (and may release it); an appointment's package line is the
    appointment's."""
    return line.redeem_kind is not None and line.hold_state == "held" and not line.held_by_appointment


def release_line(s: Session, line: SaleLine, *, sale: Sale, me: Principal, now: datetime, note: str) -> bool:
    """Give back what the line holds; False when it held nothing of the sale's own."""
    if not owns_hold(line):
        return False
    if line.redeem_kind == "card":
        # a card hold names its card and its reservation (lines.redeem_line)
        assert line.card_id is not None and line.reserve_tx_id is not None
        try:
            booking.release(s, card_id=line.card_id, reservation_id=line.reserve_tx_id, me=me, note=note, now=now)
        except DomainError as exc:
            # A manager undid the hold from the card's history meanwhile: nothing left to give back.
            if exc.code != ProblemCode.INVALID_TRANSITION:
                raise
    else:
        membership.release(s, sale_id=sale.id, sale_line_id=line.id, me=me, now=now)
    line.hold_state = "released"
    return True


def system_principal(sale: Sale, now: datetime) -> Principal:
    """Who the idle sweep acts as: nobody in particular, at the cart's location."""
    return Principal(staff_id=None, staff_name="idle timeout", role="reception",  # type: ignore[arg-type]
                     location_id=sale.location_id, token_hash="", expires_at=now)


def close(s: Session, sale: Sale, *, me: Principal, now: datetime, reason: str, idle: bool) -> list[SaleLine]:
    """Abandon an open cart (the caller has locked it): every hold of its own is released."""
    released = [line for line in sale.lines
                if release_line(s, line, sale=sale, me=me, now=now, note=f"checkout closed: {reason}")]
    # Credit holds the sale made on lines since removed, if any, go too.
    membership.release(s, sale_id=sale.id, me=me, now=now)
    sale.status = "abandoned"
    sale.abandoned_at = now
    sale.abandoned_by = None if idle else me.staff_id
    sale.abandoned_reason = reason
    sale.closed_idle = idle
    sale.last_change_at = max(now, sale.last_change_at)
    if sale.customer_id is not None:
        what = "; released " + ", ".join(f"{x.name} ({x.source_name})" for x in released) if released else ""
        record_activity(s, at=now, customer_id=sale.customer_id, kind="sale_abandoned", me=me, sale_id=sale.id,
                        appointment_id=sale.appointment_id,
                        summary=f"Checkout closed without a sale ({reason}){what}")
    s.flush()
    return released


def sweep(s: Session, *, now: datetime, timeout: timedelta, limit: int = SWEEP_BATCH) -> int:
    """Close carts idle past ``timeout`` (reason "left idle for 30 minutes"); returns how many.

    ``SKIP LOCKED`` on PostgreSQL: a cart someone is working on right now is not idle, and the
    sweep never waits on (or deadlocks with) a terminal's own transaction."""
    stale = list(s.scalars(
        select(Sale).where(Sale.status == "open", Sale.last_change_at < now - timeout)
        .order_by(Sale.last_change_at, Sale.id).limit(limit)
        .with_for_update(skip_locked=True, key_share=True).execution_options(populate_existing=True)))
    closed = 0
    for sale in stale:
        try:
            # A savepoint per cart: one that cannot be closed (logged) never blocks the others,
            # nor the request that happened to run the sweep.
            with s.begin_nested():
                close(s, sale, me=system_principal(sale, now), now=now,
                      reason=f"left idle for {idle_words(timeout)}", idle=True)
            closed += 1
        except DomainError:
            log.exception("could not close idle sale %s", sale.id)
    return closed


def has_stale(s: Session, *, now: datetime, timeout: timedelta) -> bool:
    return s.scalar(select(Sale.id).where(Sale.status == "open", Sale.last_change_at < now - timeout)
                    .limit(1)) is not None
