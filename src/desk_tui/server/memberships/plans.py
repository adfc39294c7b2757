"""Membership plans: create, edit, retire. A plan is never deleted; ``active = False`` stops new
enrolments and leaves existing ones working.

Enrolments follow their plan's *current* benefits, so an edit here reaches every member at once
(a credit added today is usable today; a credit removed stops being offered).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_tui.contract import memberships as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.memberships import status, wording
from desk_tui.server.memberships.models import (
    Enrollment,
    MembershipPlan,
    PlanCredit,
    PlanDiscount,
)
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.models import Service


def service_names(s: Session, ids: set[str]) -> dict[str, str]:
    ids = {x for x in ids if x}
    return dict(s.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all()) if ids else {}


def names_of(s: Session, plans: list[MembershipPlan]) -> dict[str, str]:
    """Names of every service a plan's benefits mention (credit services and service-scoped discounts)."""
    ids = {c.service_id for p in plans for c in p.credits}
    ids |= {d.target for p in plans for d in p.discounts if d.scope == "service" and d.target}
    return service_names(s, ids)


def discount_wire(d: PlanDiscount, names: dict[str, str]) -> wire.Discount:
    target_name = names.get(d.target, d.target) if d.scope == "service" and d.target is not None else d.target
    return wire.Discount(scope=d.scope, target=d.target, percent=d.percent,
                         label=wording.discount_label(d.percent, d.scope, target_name))


def plan_wire(plan: MembershipPlan, names: dict[str, str], members: int = 0) -> wire.Plan:
    return wire.Plan(
        id=plan.id, name=plan.name, price=plan.price, active=plan.active, description=plan.description,
        discounts=[discount_wire(d, names) for d in plan.discounts],
        credits=[wire.PlanCredit(service_id=c.service_id, service_name=names.get(c.service_id),
                                 per_period=c.per_period) for c in plan.credits],
        members=members, rollover_months=plan.rollover_months,
    )


def _members(s: Session, plan_ids: list[str]) -> dict[str, int]:
    """Enrolments per plan that are active or scheduled today."""
    if not plan_ids:
        return {}
    today = status.today(s)
    rows = s.execute(select(Enrollment.plan_id, func.count()).where(
        Enrollment.plan_id.in_(plan_ids), status.current_or_scheduled(today)).group_by(Enrollment.plan_id)).all()
    return dict(rows)


def to_wire(s: Session, plan: MembershipPlan) -> wire.Plan:
    return plan_wire(plan, names_of(s, [plan]), _members(s, [plan.id]).get(plan.id, 0))


def get_plan(s: Session, plan_id: str) -> MembershipPlan:
    plan = s.get(MembershipPlan, plan_id)
    if plan is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such membership plan.")
    return plan


def list_plans(s: Session, *, active: bool | None, limit: int, cursor: str | None
               ) -> tuple[list[wire.Plan], str | None]:
    stmt = select(MembershipPlan)
    if active is not None:
        stmt = stmt.where(MembershipPlan.active.is_(active))
    rows, next_cursor = keyset_page(s, stmt, order_by=[MembershipPlan.name, MembershipPlan.id],
                                    key=lambda p: (p.name, p.id), limit=limit, cursor=cursor)
    names = names_of(s, rows)
    members = _members(s, [p.id for p in rows])
    return [plan_wire(p, names, members.get(p.id, 0)) for p in rows], next_cursor


def _check_discounts(s: Session, discounts: list[wire.DiscountIn]) -> None:
    seen: set[tuple[str, str | None]] = set()
    for d in discounts:
        if (d.scope, d.target) in seen:
            what = "all services" if d.scope == "all" else f"{d.scope} {d.target}"
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"discounts: {what} is listed twice; keep one percentage.")
        seen.add((d.scope, d.target))
    # DiscountIn: a category or service discount names its target
    categories = {d.target for d in discounts if d.scope == "category" and d.target is not None}
    if categories:
        known = set(s.scalars(select(Service.category).where(Service.category.in_(categories)).distinct()))
        missing = sorted(categories - known)
        if missing:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"discounts: no service is in the category {missing[0]!r}.")
    services = {d.target for d in discounts if d.scope == "service" and d.target is not None}
    if services:
        missing = sorted(services - set(service_names(s, services)))
        if missing:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"discounts: unknown service {missing[0]}.")


def _check_credits(s: Session, credits: list[wire.PlanCreditIn]) -> None:
    ids = [c.service_id for c in credits]
    twice = sorted({x for x in ids if ids.count(x) > 1})
    if twice:
        raise DomainError(ProblemCode.VALIDATION_ERROR,
                          f"credits: {twice[0]} is listed twice; give each service one row with its credits per month.")
    missing = sorted(set(ids) - set(service_names(s, set(ids))))
    if missing:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"credits: unknown service {missing[0]}.")


def _set_discounts(s: Session, plan: MembershipPlan, discounts: list[wire.DiscountIn]) -> None:
    _check_discounts(s, discounts)
    plan.discounts = [PlanDiscount(id=new_id("mdc"), plan_id=plan.id, position=n, scope=d.scope,
                                   target=d.target if d.scope != "all" else None, percent=d.percent)
                      for n, d in enumerate(discounts)]


def _set_credits(s: Session, plan: MembershipPlan, credits: list[wire.PlanCreditIn]) -> None:
    _check_credits(s, credits)
    existing = {c.service_id: c for c in plan.credits}
    kept = []
    for n, c in enumerate(credits):
        row = existing.get(c.service_id) or PlanCredit(plan_id=plan.id, service_id=c.service_id)
        row.position, row.per_period = n, c.per_period
        kept.append(row)
    plan.credits = kept


def create_plan(s: Session, *, data: wire.PlanCreate) -> wire.Plan:
    plan = MembershipPlan(id=new_id("mpl"), name=data.name, price=data.price, description=data.description,
                          active=data.active, created_at=utcnow(), rollover_months=data.rollover_months)
    s.add(plan)
    s.flush()
    _set_discounts(s, plan, data.discounts)
    _set_credits(s, plan, data.credits)
    s.flush()
    events.record(s, kind="catalogue.changed", location_id=None, me=None, plan_id=plan.id, summary="plan added")
    return to_wire(s, plan)


def update_plan(s: Session, *, plan_id: str, data: wire.PlanUpdate) -> wire.Plan:
    plan = get_plan(s, plan_id)
    for field, value in data.model_dump(exclude_unset=True, exclude={"discounts", "credits"}).items():
        if value is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"{field}: may not be null.")
        setattr(plan, field, value)
    if "discounts" in data.model_fields_set:
        _set_discounts(s, plan, data.discounts or [])
    if "credits" in data.model_fields_set:
        _set_credits(s, plan, data.credits or [])
    s.flush()
    events.record(s, kind="catalogue.changed", location_id=None, me=None, plan_id=plan.id, summary="plan changed")
    return to_wire(s, plan)
