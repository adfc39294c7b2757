"""Session credits and discounts at checkout: the functions the sales work calls inside ITS transaction.

They never commit; they take the caller's session, lock the enrolment row (``SELECT … FOR
UPDATE``; on SQLite the caller's ``Database.transaction()`` has already taken the write lock with
``BEGIN IMMEDIATE``), read the month's counts *after* the lock, and raise :class:`DomainError`
with a stable code (docs/api.md), which rolls the caller's whole transaction back.

A credit is one ``membership_credits`` row: ``held`` by an open sale (counts as ``on_hold`` only
until its ``expires_at``: an idle cart stops blocking it even before anyone sweeps it), then
``used`` when the sale completes or ``released`` when it is abandoned. While held it counts in the
calendar month (organisation time zone) in which it was held; once used, in the month the sale
completed (a credit is deducted when the sale is recorded). Credits reset on the 1st unless the
plan carries them over (``rollover_months``, balances.py: the oldest valid credit is used first).
A frozen membership, or one whose payment is overdue beyond the grace, gives no credits and no
discounts (standing.py) — except in a sale that pays its next month.

Signatures (all keyword-only after the session)::

    hold(s, *, enrollment_id: str, service_id: str, quantity: int = 1, sale_id: str,
         sale_line_id: str | None, me: Principal, now: datetime, expires_at: datetime,
         customer_id: str | None = None, renewed: Collection[str] = ()) -> list[str]
        Puts ``quantity`` credits on hold for a sale line; returns the hold ids. ``renewed``: the
        enrolments whose next month the sale pays.
        404 not_found (no such membership); 409 invalid_transition (membership not active today,
        or the plan has no credit for that service, or ``customer_id`` given and not the member);
        409 membership_frozen; 409 membership_unpaid (overdue beyond the grace, not renewed here);
        409 credit_exhausted ("No Deep Tissue Massage credit left this month (2 of 2 used)");
        422 validation_error (quantity < 1, expires_at not after now).

    release(s, *, sale_id: str, sale_line_id: str | None = None, me: Principal | None,
            now: datetime) -> int
        held → released for the whole sale or one line; returns how many.

    consume(s, *, sale_id: str, me: Principal | None, now: datetime, renewed: Collection[str] = ()) -> int
        held → used when the sale completes, in the month of ``now``; one activity entry per
        membership and service. A hold that expired, or was held in an earlier month, is used only
        if a credit of ``now``'s month is still free (else 409 credit_exhausted).

    extend_holds(s, *, sale_id: str, expires_at: datetime, now: datetime | None = None) -> None
        The sale was touched: its holds live until ``expires_at``. An already expired hold is
        revived only while its credit is still free (otherwise consume will refuse it).

    holds(s, *, sale_id: str) -> list[dict]
        {hold_id, enrollment_id, service_id, sale_line_id, state, expires_at} of a sale, by line.

    credit_offers(s, *, customer_id: str, service_ids, now: datetime, sale_id: str | None = None,
                  renewed: Collection[str] = ()) -> list[dict]
        The checkout banner's credits: per (active enrolment, credit service in ``service_ids``)
        with remaining > 0: {enrollment_id, plan_name, service_id, service_name, remaining,
        per_period, used, on_hold, held_here, label}. Holds of ``sale_id`` count as taken
        (``remaining`` is what is still free); ``held_here`` says how many of them are this sale's.

    best_discount(s, *, customer_id: str, service_id: str, now: datetime, renewed=()) -> dict | None
        The highest percent among active enrolments' discounts that match the service (all, its
        category, or the service itself): {enrollment_id, plan_name, percent, label, scope, target}.
        On a tie the narrower scope wins (service, then category, then all), then the older enrolment.

    usage_label(s, *, enrollment_id: str, service_id: str, now: datetime) -> str
        For a receipt: "Gold membership credit (2 of 2 used this month)".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import balances, plans, standing, status, wording
from desk_tui.server.memberships.models import CreditUse, Enrollment, PlanDiscount
from desk_tui.server.memberships.queries import get_enrollment
from desk_tui.server.memberships.service import announce, lock_enrollment
from desk_tui.server.reference.models import Service

_SPECIFIC = {"service": 0, "category": 1, "all": 2}


def _per_period(e: Enrollment, service_id: str) -> int | None:
    return next((c.per_period for c in e.plan.credits if c.service_id == service_id), None)


def _service_name(s: Session, service_id: str) -> str:
    return plans.service_names(s, {service_id}).get(service_id, service_id)


def _count(s: Session, e: Enrollment, service_id: str, period: str, now: datetime) -> balances.Count:
    found = balances.counts(s, [e], period=period, now=now)
    return found.get((e.id, service_id)) or balances.Count(per_period=0)


def _exhausted(name: str, n: balances.Count) -> DomainError:
    return DomainError(ProblemCode.CREDIT_EXHAUSTED,
                       f"No {name} credit left this month {wording.month_count(n.used, n.allowance, n.on_hold)}.",
                       per_period=n.per_period, used=n.used, on_hold=n.on_hold, carried_in=n.carried_in)


def hold(s: Session, *, enrollment_id: str, service_id: str, quantity: int = 1, sale_id: str,
         sale_line_id: str | None, me: Principal, now: datetime, expires_at: datetime,
         customer_id: str | None = None, renewed: Collection[str] = ()) -> list[str]:
    if quantity < 1:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "quantity: must be at least 1.")
    if expires_at <= now:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "expires_at: a hold must outlive the moment it is taken.")
    e = lock_enrollment(s, enrollment_id)
    if customer_id is not None and e.customer_id != customer_id:
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This membership belongs to another customer.")
    day = status.today(s, now)
    refused = standing.refusal(s, e, day, renewed=renewed)
    if refused is not None:
        raise refused
    name = _service_name(s, service_id)
    if _per_period(e, service_id) is None:
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"{e.plan.name} has no {name} credits.")
    period = status.period(day)
    n = _count(s, e, service_id, period, now)
    if n.remaining < quantity:
        raise _exhausted(name, n)
    ids = []
    for _ in range(quantity):
        row = CreditUse(id=new_id("mcr"), enrollment_id=e.id, service_id=service_id, period=period, state="held",
                        sale_id=sale_id, sale_line_id=sale_line_id, held_at=now, expires_at=expires_at,
                        staff_id=me.staff_id if me else None, location_id=me.location_id if me else None)
        s.add(row)
        ids.append(row.id)
    s.flush()
    announce(s, e, me=me, summary="credit held")
    return ids


def _held(s: Session, sale_id: str, sale_line_id: str | None = None) -> list[CreditUse]:
    stmt = select(CreditUse).where(CreditUse.sale_id == sale_id, CreditUse.state == "held")
    if sale_line_id is not None:
        stmt = stmt.where(CreditUse.sale_line_id == sale_line_id)
    return list(s.scalars(stmt.order_by(CreditUse.held_at, CreditUse.id)))


def _lock_all(s: Session, rows: Iterable[CreditUse]) -> dict[str, Enrollment]:
    """Lock the enrolments of these rows in id order, so two sales can never deadlock on them."""
    return {x: lock_enrollment(s, x) for x in sorted({r.enrollment_id for r in rows})}


def _still_free(s: Session, e: Enrollment, row: CreditUse, now: datetime) -> bool:
    """An expired hold no longer counts: may it count again without overdrawing its month?"""
    return _count(s, e, row.service_id, row.period, now).remaining >= 1


def release(s: Session, *, sale_id: str, sale_line_id: str | None = None, me: Principal | None,
            now: datetime) -> int:
    rows = _held(s, sale_id, sale_line_id)
    for row in rows:
        row.state, row.settled_at = "released", now
    s.flush()
    for enrollment_id in sorted({r.enrollment_id for r in rows}):
        announce(s, get_enrollment(s, enrollment_id), me=me, summary="credit released")
    return len(rows)


def consume(s: Session, *, sale_id: str, me: Principal | None, now: datetime, renewed: Collection[str] = ()) -> int:
    rows = _held(s, sale_id)
    if not rows:
        return 0
    locked = _lock_all(s, rows)
    rows = _held(s, sale_id)  # fresh after the locks
    # The credit is "deducted only when the sale is recorded", so it is the month of
    # the completion that pays, not the month of the hold: a cart held at 23:50 on the 31st and
    # completed at 00:10 uses the new month's credit (which must then be free).
    day = status.today(s, now)
    period = status.period(day)
    for row in rows:
        e = locked[row.enrollment_id]
        current = status.status_on(e, day)
        # A freeze or an overdue payment that began while the cart was open stops the credit too;
        # a month this sale paid was paid just before (sales.purchases.deliver).
        refused = standing.refusal(s, e, day, renewed=renewed) if current in ("active", "frozen") else None
        if refused is not None:
            raise refused
        if row.period != period and current != "active":
            raise DomainError(ProblemCode.INVALID_TRANSITION, f"{e.plan.name}: this membership has no credits this month "
                                                    f"({current}).")
        counted_here = row.period == period and row.expires_at > now
        if not counted_here and _count(s, e, row.service_id, period, now).remaining < 1:
            name = _service_name(s, row.service_id)
            raise _exhausted(name, _count(s, e, row.service_id, period, now))
        row.period, row.state, row.settled_at = period, "used", now
        s.flush()
    for (enrollment_id, service_id, period), n in Counter((r.enrollment_id, r.service_id, r.period)
                                                          for r in rows).items():
        e = locked[enrollment_id]
        name = _service_name(s, service_id)
        month = _count(s, e, service_id, period, now)
        label = name if n == 1 else f"{n}× {name}"
        record_activity(s, at=now, customer_id=e.customer_id, kind="membership_credit_used", me=me, sale_id=sale_id,
                        summary=f"Used {label} credit from {e.plan.name} "
                                f"({month.used} of {month.allowance} used in {period})")
    for e in locked.values():
        announce(s, e, me=me, summary="credit used")
    return len(rows)


def extend_holds(s: Session, *, sale_id: str, expires_at: datetime, now: datetime | None = None) -> None:
    now = now or utcnow()
    rows = _held(s, sale_id)
    expired = [r for r in rows if r.expires_at <= now]
    locked = _lock_all(s, expired)
    for row in rows:
        if row.expires_at > now or _still_free(s, locked[row.enrollment_id], row, now):
            row.expires_at = max(expires_at, row.expires_at)
            s.flush()


def holds(s: Session, *, sale_id: str) -> list[dict[str, Any]]:
    rows = s.scalars(select(CreditUse).where(CreditUse.sale_id == sale_id)
                     .order_by(CreditUse.sale_line_id, CreditUse.held_at, CreditUse.id))
    return [{"hold_id": r.id, "enrollment_id": r.enrollment_id, "service_id": r.service_id,
             "sale_line_id": r.sale_line_id, "state": r.state, "expires_at": r.expires_at} for r in rows]


def credit_offers(s: Session, *, customer_id: str, service_ids: Iterable[str], now: datetime,
                  sale_id: str | None = None, renewed: Collection[str] = ()) -> list[dict[str, Any]]:
    wanted = set(service_ids)
    enrollments = standing.with_benefits(s, customer_id=customer_id, now=now, renewed=renewed)
    if not wanted or not enrollments:
        return []
    period = status.period(status.today(s, now))
    found = balances.counts(s, enrollments, period=period, now=now)
    names = plans.service_names(s, wanted)
    here: Counter[tuple[str, str]] = Counter()
    if sale_id is not None:
        here = Counter(s.execute(select(CreditUse.enrollment_id, CreditUse.service_id).where(
            CreditUse.sale_id == sale_id, CreditUse.period == period, balances.counting(now))).all())
    offers = []
    for e in enrollments:
        for c in e.plan.credits:
            if c.service_id not in wanted:
                continue
            n = found[(e.id, c.service_id)]
            if n.remaining <= 0:
                continue
            name = names.get(c.service_id, c.service_id)
            offers.append({"enrollment_id": e.id, "plan_name": e.plan.name, "service_id": c.service_id,
                           "service_name": name, "remaining": n.remaining, "per_period": n.per_period,
                           "used": n.used, "on_hold": n.on_hold, "held_here": here[(e.id, c.service_id)],
                           "label": f"{e.plan.name} — {wording.credits_left(n.remaining, name)}"})
    return offers


def best_discount(s: Session, *, customer_id: str, service_id: str, now: datetime,
                  renewed: Collection[str] = ()) -> dict[str, Any] | None:
    service = s.get(Service, service_id)
    if service is None:
        return None
    best: tuple[tuple[int, int, int], Enrollment, PlanDiscount] | None = None
    for order, e in enumerate(standing.with_benefits(s, customer_id=customer_id, now=now, renewed=renewed)):
        for d in e.plan.discounts:
            matches = (d.scope == "all" or (d.scope == "category" and d.target == service.category)
                       or (d.scope == "service" and d.target == service_id))
            if matches:
                rank = (-d.percent, _SPECIFIC[d.scope], order)
                if best is None or rank < best[0]:
                    best = (rank, e, d)
    if best is None:
        return None
    _, e, d = best
    target_name = service.name if d.scope == "service" else d.target
    return {"enrollment_id": e.id, "plan_name": e.plan.name, "percent": d.percent, "scope": d.scope,
            "target": d.target, "label": wording.discount_label(d.percent, d.scope, target_name)}


def usage_label(s: Session, *, enrollment_id: str, service_id: str, now: datetime) -> str:
    e = s.get(Enrollment, enrollment_id)
    if e is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such membership.")
    n = _count(s, e, service_id, status.period(status.today(s, now)), now)
    return f"{e.plan.name} credit ({n.used} of {n.allowance} used this month)"

