"""The "Membership benefits available" banner at checkout, and "Apply".

Per service line that is not redeemed: the best membership discount (what Apply would set), the
membership credits that could cover it, and the customer's cards that could (as at check-in).
The banner only speaks of benefits that match something in the cart: "20% discount on all
services", "2× Deep Tissue Massage credit"; a credit used up this month is not offered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import sales as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.customers.service import get_customer, record_activity
from desk_tui.server.database import utcnow
from desk_tui.server.memberships import standing, status
from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.models import Service
from desk_tui.server.sales import holds, membership
from desk_tui.server.sales.holds import DEFAULT_TIMEOUT
from desk_tui.server.sales.models import Sale, SaleLine
from desk_tui.server.sales.service import lock_open


def _eligible(sale: Sale) -> list[SaleLine]:
    return [x for x in sale.lines if x.kind == "service" and x.service_id is not None
            and not (x.redeem_kind is not None and x.hold_state == "held")]


def _best_discounts(s: Session, customer_id: str, lines: list[SaleLine], now: datetime,
                    renewed: set[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any] | None] = {}
    result = {}
    for line in lines:
        service_id = line.service_id
        assert service_id is not None  # _eligible keeps only lines with a service
        if service_id not in found:
            found[service_id] = membership.best_discount(s, customer_id=customer_id, service_id=service_id,
                                                         now=now, renewed=renewed)
        best = found[service_id]
        if best and best.get("percent", 0) > 0:
            result[line.id] = best
    return result


def benefits(s: Session, *, sale: Sale, now: datetime | None = None) -> wire.Benefits:
    now = now or utcnow()
    if sale.customer_id is None or sale.status != "open":
        store = get_customer(s, sale.customer_id).store_credit if sale.customer_id else 0
        return wire.Benefits(sale_id=sale.id, discounts=[], credits=[], cards=[], banner=[], store_credit=store)
    due = _payments_due(s, sale, business_date(s, now))
    lines = _eligible(sale)
    names = dict(s.execute(select(Service.id, Service.name).where(Service.id.in_({x.service_id for x in lines}))).all())

    discounts = [wire.DiscountOffer(line_id=line_id, enrollment_id=d["enrollment_id"], plan_name=d["plan_name"],
                                    percent=d["percent"], label=d.get("label") or f"{d['percent']}% discount")
                 for line_id, d in _best_discounts(s, sale.customer_id, lines, now, membership.renewed(sale)).items()]

    offers = membership.credit_offers(s, customer_id=sale.customer_id, service_ids=sorted(names), now=now,
                                      sale_id=sale.id, renewed=membership.renewed(sale))
    credits = []
    for line in lines:
        service_id = line.service_id
        assert service_id is not None  # _eligible keeps only lines with a service
        for o in offers:
            if o["service_id"] == service_id and o["remaining"] >= line.quantity:
                credits.append(wire.CreditOffer(
                    line_id=line.id, enrollment_id=o["enrollment_id"], service_id=o["service_id"],
                    plan_name=o["plan_name"], remaining=o["remaining"],
                    label=f"{o['remaining']}× {o.get('service_name') or names[service_id]} credit"))

    cards = []
    on = business_date(s, now)
    covering: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        service_id = line.service_id
        assert service_id is not None  # _eligible keeps only lines with a service
        if service_id not in covering:
            covering[service_id] = booking.covering_cards(s, customer_id=sale.customer_id,
                                                          service_id=service_id,
                                                          location_id=sale.location_id, on=on)
        found = covering[service_id]
        costs = booking.unit_costs(s, service_id=service_id,
                                   entitlement_ids=[x["entitlement_id"] for x in found])
        for x in found:
            available = x["remaining"] // costs.get(x["entitlement_id"], 1)
            if available >= line.quantity:
                cards.append(wire.CardOffer(line_id=line.id, card_id=x["card_id"], entitlement_id=x["entitlement_id"],
                                            label=x["label"], remaining=x["remaining"], available=available))

    banner: list[str] = []
    for text in [d.label for d in discounts] + [c.label for c in credits]:
        if text not in banner:
            banner.append(text)
    return wire.Benefits(sale_id=sale.id, discounts=discounts, credits=credits, cards=cards, banner=banner,
                         store_credit=get_customer(s, sale.customer_id).store_credit,
                         payments_due=[said for _, said, _ in due], suspended=[e for e, _, off in due if off],
                         frozen=_frozen(s, sale.customer_id, on))


def _payments_due(s: Session, sale: Sale, today: date) -> list[tuple[str, str, bool]]:
    """Memberships of the customer that owe a month, so the till can take it now (m):
    (enrollment id, words, benefits suspended)."""
    renewed = membership.renewed(sale)
    due = s.scalars(select(Enrollment).where(Enrollment.customer_id == sale.customer_id, status.active_on(today),
                                             Enrollment.paid_through < today)
                    .order_by(Enrollment.paid_through, Enrollment.id))
    grace = standing.grace_days(s)
    said: list[tuple[str, str, bool]] = []
    for e in due:
        since = status.due_since(e, today)
        if e.id in renewed or since is None:  # paid_through < today in the query: it has a due date
            continue
        stopped = status.suspended_from(e, today, grace)
        said.append((e.id, f"{e.plan.name}: payment due since {since.isoformat()}"
                            + (f"; benefits suspended from {stopped.isoformat()}" if stopped else ""), stopped is not None))
    return said


def _frozen(s: Session, customer_id: str, today: date) -> list[str]:
    frozen = s.scalars(select(Enrollment).where(Enrollment.customer_id == customer_id, status.frozen_on(today))
                       .order_by(Enrollment.starts_on, Enrollment.id))
    said = []
    for e in frozen:
        freeze = status.frozen_by(e, today)
        if freeze is not None and status.status_on(e, today) == "frozen":
            said.append(f"{e.plan.name} is frozen until {freeze.ends_on.isoformat()}: no discounts or credits")
    return said


def apply_discounts(s: Session, *, sale_id: str, me: Principal, now: datetime | None = None,
                    timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Give each eligible service line the highest membership discount that applies to it.

    A higher discount staff already typed is kept (Apply never makes a line dearer); products and
    redeemed lines are not eligible."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    give_discounts(s, sale, me=me, now=now)
    holds.touch(s, sale, now=now, timeout=timeout)
    s.flush()
    return sale


def give_discounts(s: Session, sale: Sale, *, me: Principal, now: datetime, why: str = "at checkout") -> None:
    """Apply's rule on a locked, open cart (it does not move the idle clock)."""
    changed = []
    if sale.customer_id is not None:
        lines = _eligible(sale)
        for line_id, best in _best_discounts(s, sale.customer_id, lines, now, membership.renewed(sale)).items():
            line = next(x for x in lines if x.id == line_id)
            if best["percent"] > line.discount_percent or (best["percent"] == line.discount_percent
                                                           and line.discount_source != "membership"):
                line.discount_percent, line.discount_source = best["percent"], "membership"
                changed.append(f"{line.name} {best['percent']}%")
    if changed and sale.customer_id is not None:  # changed only when the sale has a customer
        record_activity(s, at=now, customer_id=sale.customer_id, kind="sale_discounts_applied", me=me, sale_id=sale.id,
                        summary=f"Membership discounts applied {why}: " + ", ".join(changed))
