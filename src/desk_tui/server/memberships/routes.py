"""HTTP only: membership plans and customers' enrolments (docs/api.md "Memberships")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from desk_tui.contract import memberships as wire
from desk_tui.contract.common import Page
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database
from desk_tui.server.deps import database, manager, signed_in
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import freezes, plans, queries, service
from desk_tui.server.pagination import Cursor, Limit

router = APIRouter(tags=["memberships"])


@router.get("/membership-plans")
def list_plans(
    active: Annotated[bool | None, Query(description="Only plans open to new members, or only retired ones.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    _: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> Page[wire.Plan]:
    with db.read_session() as s:
        items, next_cursor = plans.list_plans(s, active=active, limit=limit, cursor=cursor)
    return Page[wire.Plan](items=items, next_cursor=next_cursor)


@router.post("/membership-plans", status_code=201)
def create_plan(body: wire.PlanCreate, _: Principal = Depends(manager), db: Database = Depends(database)) -> wire.Plan:
    with db.transaction() as s:
        return plans.create_plan(s, data=body)


@router.get("/membership-plans/{plan_id}")
def get_plan(plan_id: str, _: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Plan:
    with db.read_session() as s:
        return plans.to_wire(s, plans.get_plan(s, plan_id))


@router.patch("/membership-plans/{plan_id}")
def update_plan(plan_id: str, body: wire.PlanUpdate, _: Principal = Depends(manager),
                db: Database = Depends(database)) -> wire.Plan:
    with db.transaction() as s:
        return plans.update_plan(s, plan_id=plan_id, data=body)


@router.delete("/membership-plans/{plan_id}", status_code=405,
               responses={405: {"description": "Membership plans are never deleted."}})
def delete_plan(plan_id: str, _: Principal = Depends(signed_in)) -> None:
    raise DomainError(ProblemCode.METHOD_NOT_ALLOWED,
                      "Membership plans are never deleted: make it inactive (active: false) to stop new "
                      "enrolments; existing members keep their benefits.")


@router.get("/customers/{customer_id}/memberships", tags=["customers"])
def customer_memberships(customer_id: str, limit: Limit = 50, cursor: Cursor = None,
                         _: Principal = Depends(signed_in), db: Database = Depends(database)) -> Page[wire.Enrollment]:
    """Every enrolment of the customer (any status), newest first, each with this month's credits."""
    with db.read_session() as s:
        items, next_cursor = queries.customer_enrollments(s, customer_id=customer_id, limit=limit, cursor=cursor)
    return Page[wire.Enrollment](items=items, next_cursor=next_cursor)


@router.post("/customers/{customer_id}/memberships", status_code=201, tags=["customers"])
def enrol(customer_id: str, body: wire.EnrollmentCreate, me: Principal = Depends(manager),
          db: Database = Depends(database)) -> wire.Enrollment:
    """An enrolment without a sale (managers and owners, with a ``reason``): due from its first
    month unless ``complimentary``. The till sells memberships through a cart."""
    with db.transaction() as s:
        return service.give(s, customer_id=customer_id, data=body, me=me)


@router.get("/memberships/{enrollment_id}")
def get_membership(enrollment_id: str, _: Principal = Depends(signed_in),
                   db: Database = Depends(database)) -> wire.Enrollment:
    with db.read_session() as s:
        return queries.enrollment_view(s, enrollment_id)


@router.post("/memberships/{enrollment_id}/cancel")
def cancel_membership(enrollment_id: str, body: wire.EnrollmentCancel, me: Principal = Depends(manager),
                      db: Database = Depends(database)) -> wire.Enrollment:
    with db.transaction() as s:
        return service.cancel(s, enrollment_id=enrollment_id, data=body, me=me)


@router.post("/memberships/{enrollment_id}/freezes")
def freeze_membership(enrollment_id: str, body: wire.FreezeCreate, me: Principal = Depends(signed_in),
                      db: Database = Depends(database)) -> wire.Enrollment:
    """Managers and owners: no benefits, credits or dues from ``starts_on`` through ``ends_on``;
    the paid-through date moves on by the frozen days."""
    with db.transaction() as s:
        return freezes.freeze(s, enrollment_id=enrollment_id, data=body, me=me)


@router.post("/memberships/{enrollment_id}/freezes/{freeze_id}/end")
def end_freeze(enrollment_id: str, freeze_id: str, me: Principal = Depends(signed_in),
               db: Database = Depends(database)) -> wire.Enrollment:
    """Managers and owners: benefits are back from today (a freeze not yet begun is called off)."""
    with db.transaction() as s:
        return freezes.end_freeze(s, enrollment_id=enrollment_id, freeze_id=freeze_id, me=me)
