"""Membership credits arranged through the service layer on the live server's own database, as a
route would, with explicit clocks (this module holds no tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_tui.contract import memberships as wire
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import credits, queries, service
from tests.api.arrange_cards import new_customer, tag
from tests.api.arrange_memberships import make_plan, me

DEEP = "svc_deep_tissue"


def member(api, m, *, credits_=None, discounts=None, since: datetime | None = None) -> tuple[str, str, dict]:
    """A new customer enrolled (at ``since``, default now) in a new plan: (customer_id, enrollment_id, plan)."""
    plan = make_plan(m, credits=credits_ or [{"service_id": DEEP, "per_period": 2}], discounts=discounts or [])
    cus = new_customer(m)["id"]
    with api.database.transaction() as s:
        e = service.enrol(s, customer_id=cus, data=wire.EnrollmentCreate(plan_id=plan["id"]), me=me(),
                          now=since or utcnow())
    return cus, e.id, plan


def hold(api, enrollment_id: str, now: datetime, *, sale_id: str | None = None, service_id: str = DEEP,
         minutes: int = 30, **kw) -> list[str]:
    with api.database.transaction() as s:
        return credits.hold(s, enrollment_id=enrollment_id, service_id=service_id, sale_id=sale_id or f"sal_{tag()}",
                            sale_line_id=kw.pop("sale_line_id", f"sln_{tag()}"), me=me(), now=now,
                            expires_at=now + timedelta(minutes=minutes), **kw)


def call(api, fn, **kw):
    with api.database.transaction() as s:
        return fn(s, **kw)


def refused(api, fn, **kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(api, fn, **kw)
    return err.value


def credit(api, enrollment_id: str, now: datetime) -> dict:
    with api.database.read_session() as s:
        view = queries.enrollment_view(s, enrollment_id, now=now)
    return view.credits[0].model_dump(include={"used", "on_hold", "remaining"})
