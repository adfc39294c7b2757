"""The demo salon's membership plans and members, for `--demo`.

Written through the same service functions the API uses (with a back-dated clock). Ids are fixed;
dates are relative to the day the demo is seeded, so every "active" membership is active on first
start. No credits are taken: the month starts fresh, like a real salon on the 1st.

Plans
  mpl_demo_gold        Gold membership   19 900 HUF/month  10% off all services, 20% off Massage,
                                                           2× Deep Tissue Massage credits a month
  mpl_demo_nail_club   Nail Club          9 900 HUF/month  15% off Nails, 1× Manicure credit a month
  mpl_demo_silver      Silver (old)      14 900 HUF/month  10% off all services, 1× Swedish Massage
                                                           credit a month; retired (no new members)

Members
  cus_demo0001  Flóra Simon  Gold, since 100 days ago
  cus_demo0002               Nail Club, since 60 days ago
  cus_demo0005               Gold, since 30 days ago
  cus_demo0008               Nail Club, since 200 days ago
  cus_demo0009               Silver (old), since 300 days ago (joined before it was retired)
  cus_demo0011               Gold, cancelled 20 days ago ("Moved away")
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from desk_tui.contract import memberships as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from desk_tui.server.memberships import plans, service
from desk_tui.server.memberships.models import MembershipPlan, PlanCredit, PlanDiscount

DOWNTOWN = "loc_downtown"

#: id, name, price, description, active, discounts [(scope, target, percent)], credits [(service, per month)]
#: id, name, price, description, active, discounts (scope, target, percent), credits (service, per month)
PLANS: list[tuple[str, str, int, str, bool, list[tuple[str, str | None, int]], list[tuple[str, int]]]] = [
    ("mpl_demo_gold", "Gold membership", 19900, "Our best value for regulars: two deep tissue massages a month.",
     True, [("all", None, 10), ("category", "Massage", 20)], [("svc_deep_tissue", 2)]),
    ("mpl_demo_nail_club", "Nail Club", 9900, "A manicure every month and 15% off all nail care.",
     True, [("category", "Nails", 15)], [("svc_manicure", 1)]),
    ("mpl_demo_silver", "Silver (old)", 14900, "Replaced by Gold; existing members keep it.",
     False, [("all", None, 10)], [("svc_swedish", 1)]),
]

#: enrolment id, customer, plan, days ago
MEMBERS = [
    ("mem_demo_0001", "cus_demo0001", "mpl_demo_gold", 100),
    ("mem_demo_0002", "cus_demo0002", "mpl_demo_nail_club", 60),
    ("mem_demo_0005", "cus_demo0005", "mpl_demo_gold", 30),
    ("mem_demo_0008", "cus_demo0008", "mpl_demo_nail_club", 200),
    ("mem_demo_0009", "cus_demo0009", "mpl_demo_silver", 300),
    ("mem_demo_0011", "cus_demo0011", "mpl_demo_gold", 90),
]


def _principal(staff_id: str, name: str, role: str, now: datetime) -> Principal:
    return Principal(staff_id=staff_id, staff_name=name, role=role, location_id=DOWNTOWN, token_hash="demo-seed",
                     expires_at=now)


def seed_memberships(s: Session) -> None:
    now = utcnow()
    for plan_id, name, price, description, _, discounts, credits in PLANS:
        plan = MembershipPlan(id=plan_id, name=name, price=price, description=description, active=True,
                              created_at=now - timedelta(days=400))
        plan.discounts = [PlanDiscount(id=f"mdc_{plan_id[4:]}_{n}", plan_id=plan_id, position=n, scope=scope,
                                       target=target, percent=percent)
                          for n, (scope, target, percent) in enumerate(discounts)]
        plan.credits = [PlanCredit(plan_id=plan_id, service_id=sid, position=n, per_period=per)
                        for n, (sid, per) in enumerate(credits)]
        s.add(plan)
    s.flush()
    reception = _principal("stf_reception", "Réka Tóth", "reception", now)
    manager = _principal("stf_manager", "Márton Kiss", "manager", now)
    for enrollment_id, customer_id, plan_id, days in MEMBERS:
        service.enrol(s, customer_id=customer_id, data=wire.EnrollmentCreate(plan_id=plan_id, note="Paid monthly"),
                      me=reception, now=now - timedelta(days=days), enrollment_id=enrollment_id)
    service.cancel(s, enrollment_id="mem_demo_0011", data=wire.EnrollmentCancel(reason="Moved away"), me=manager,
                   now=now - timedelta(days=20))
    # Retired plans were sold while active and retired later, like in real life.
    for plan_id, *_, active, _discounts, _credits in PLANS:
        plans.get_plan(s, plan_id).active = active
    s.flush()
