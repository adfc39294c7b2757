"""The membership endpoints, ``client.memberships``: plans, a customer's enrolments, cancelling, freezing."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from desk_tui.contract.common import Page
from desk_tui.contract.memberships import (
    Enrollment,
    EnrollmentCancel,
    EnrollmentCreate,
    FreezeCreate,
    Plan,
    PlanCreate,
    PlanUpdate,
)

if TYPE_CHECKING:
    from desk_tui.client.core import ClientCore


def _id(value: str) -> str:
    return quote(value, safe="")


class MembershipCalls:
    """``client.memberships`` of a :class:`~desk_tui.client.api.DeskClient`."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        """The client's one transport, cache and intent journal, which every domain shares."""

    async def membership_plans(self) -> list[Plan]:
        page = await self._core.get_model("/membership-plans", Page[Plan], params={"limit": 500}, cache=True)
        return page.items

    async def of_customer(self, customer_id: str) -> list[Enrollment]:
        """Every enrolment of the customer, newest first, with this month's credits."""
        page = await self._core.get_model(f"/customers/{_id(customer_id)}/memberships", Page[Enrollment],
                                    params={"limit": 500}, cache=True)
        return page.items

    async def enrol(self, customer_id: str, data: EnrollmentCreate, *, idempotency_key: str | None = None) -> Enrollment:
        """A membership given without a sale: managers and owners, with ``data.reason``; due from its
        first month unless ``data.complimentary`` (the till sells memberships through a cart)."""
        return await self._core.write("POST", f"/customers/{_id(customer_id)}/memberships",
                                json=data.model_dump(mode="json", exclude_none=True), model=Enrollment,
                                idempotency_key=idempotency_key)

    async def cancel_membership(self, enrollment_id: str, data: EnrollmentCancel, *,
                                idempotency_key: str | None = None) -> Enrollment:
        return await self._core.write("POST", f"/memberships/{_id(enrollment_id)}/cancel",
                                json=data.model_dump(mode="json", exclude_none=True), model=Enrollment,
                                idempotency_key=idempotency_key)

    async def freeze_membership(self, enrollment_id: str, data: FreezeCreate, *,
                                idempotency_key: str | None = None) -> Enrollment:
        """Managers and owners: no benefits, credits or dues from ``data.starts_on`` to ``data.ends_on``."""
        return await self._core.write("POST", f"/memberships/{_id(enrollment_id)}/freezes",
                                json=data.model_dump(mode="json", exclude_none=True), model=Enrollment,
                                idempotency_key=idempotency_key)

    async def end_freeze(self, enrollment_id: str, freeze_id: str, *,
                         idempotency_key: str | None = None) -> Enrollment:
        """Managers and owners: benefits are back from today (a freeze not begun is called off)."""
        return await self._core.write("POST", f"/memberships/{_id(enrollment_id)}/freezes/{_id(freeze_id)}/end",
                                json={}, model=Enrollment, idempotency_key=idempotency_key)

    async def create_plan(self, data: PlanCreate, *, idempotency_key: str | None = None) -> Plan:
        return await self._core.write("POST", "/membership-plans", json=data.model_dump(mode="json"), model=Plan,
                                idempotency_key=idempotency_key)

    async def update_plan(self, plan_id: str, data: PlanUpdate, *,
                          idempotency_key: str | None = None) -> Plan:
        return await self._core.write("PATCH", f"/membership-plans/{_id(plan_id)}",
                                json=data.model_dump(mode="json", exclude_unset=True), model=Plan,
                                idempotency_key=idempotency_key)
