"""The member's benefits a cart opened from an appointment starts with (the help centre: "shown
automatically" at checkout): every paid service line a membership credit covers is covered by it (on hold,
as Redeem would), and the highest membership discount is given to the other service lines (as
Apply would). Reception takes either off with the usual keys (u gives a credit back, e edits a
line), and nothing is used until the sale completes.

Only for an appointment's cart, at the moment it is made: the visit is booked and the customer
is at the desk, so the credit is theirs to use this month; a cart for a walk-in or an open cart
reopened is left as staff made it. A package line of the appointment is already covered by its
booking, and a paid line is never switched to a package card unasked: that is the customer's choice,
made at check-in or by Use package.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from desk_tui.server.auth.principal import Principal
from desk_tui.server.errors import DomainError
from desk_tui.server.sales import benefits, membership
from desk_tui.server.sales.lines import hold_credit
from desk_tui.server.sales.models import Sale

WHY = " automatically when checkout opened"


def apply_member_benefits(s: Session, sale: Sale, *, me: Principal, now: datetime, timeout: timedelta) -> None:
    """On a new, locked appointment cart: credits first (a covered line needs no discount), then discounts."""
    if sale.customer_id is None or sale.appointment_id is None or sale.status != "open":
        return
    paid = [x for x in sale.lines if x.kind == "service" and x.service_id is not None and x.redeem_kind is None]
    offers = membership.credit_offers(s, customer_id=sale.customer_id, now=now, sale_id=sale.id,
                                      renewed=membership.renewed(sale),
                                      service_ids=sorted({x.service_id for x in paid if x.service_id}))
    left = {(o["enrollment_id"], o["service_id"]): o["remaining"] for o in offers}
    for line in paid:
        for (enrollment_id, service_id), remaining in left.items():
            if service_id != line.service_id or remaining < line.quantity:
                continue
            try:
                hold_credit(s, sale, line, enrollment_id=enrollment_id, me=me, now=now, timeout=timeout, why=WHY)
            except DomainError:
                continue  # taken meanwhile at another desk (nothing was written): the line stays paid
            left[(enrollment_id, service_id)] = remaining - line.quantity
            break
    benefits.give_discounts(s, sale, me=me, now=now, why=WHY)
    s.flush()
