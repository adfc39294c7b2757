"""The appointment endpoints, ``client.appointments`` of DeskClient.

A calendar day is cached and revalidated with its ETag, so switching back to a day already
seen costs a 304 and the screen can draw it from disk before the network answers.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from desk_tui.contract.appointments import (
    Appointment,
    AppointmentCreate,
    AppointmentDay,
    AppointmentUpdate,
    CancelRequest,
    CheckInResult,
)

if TYPE_CHECKING:
    from desk_tui.client.core import ClientCore


class AppointmentCalls:
    """``client.appointments`` of a :class:`~desk_tui.client.api.DeskClient`."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        """The client's one transport, cache and intent journal, which every domain shares."""

    async def day(self, day: date, *, staff_id: str | None = None) -> AppointmentDay:
        return await self._core.get_model("/appointments", AppointmentDay, params=day_params(day, staff_id), cache=True)

    async def appointment(self, appointment_id: str) -> Appointment:
        return await self._core.get_model(f"/appointments/{appointment_id}", Appointment)

    async def book(self, data: AppointmentCreate, *, idempotency_key: str | None = None) -> Appointment:
        return await self._core.write("POST", "/appointments", json=data.model_dump(mode="json", exclude_none=True),
                                model=Appointment, idempotency_key=idempotency_key)

    async def update_appointment(self, appointment_id: str, data: AppointmentUpdate, *, version: int,
                                 idempotency_key: str | None = None) -> Appointment:
        return await self._core.write("PATCH", f"/appointments/{appointment_id}",
                                json=data.model_dump(mode="json", exclude_unset=True), model=Appointment,
                                idempotency_key=idempotency_key, if_match=version)

    async def upcoming(self, customer_id: str, *, on_or_after: date, limit: int = 10) -> list[Appointment]:
        """The customer's next appointments at any location, soonest first (not cancelled)."""
        return await self._core.get_model(f"/customers/{customer_id}/appointments", list[Appointment],
                                    params={"from": on_or_after.isoformat(), "limit": limit})

    async def check_in(self, appointment_id: str) -> CheckInResult:
        return await self._core.write("POST", f"/appointments/{appointment_id}/check-in", model=CheckInResult)

    async def cancel_appointment(self, appointment_id: str, *, reason: str | None = None) -> Appointment:
        return await self._core.write("POST", f"/appointments/{appointment_id}/cancel",
                                json=CancelRequest(reason=reason).model_dump(exclude_none=True), model=Appointment)

    async def no_show(self, appointment_id: str) -> Appointment:
        return await self._core.write("POST", f"/appointments/{appointment_id}/no-show", model=Appointment)

    async def complete(self, appointment_id: str) -> Appointment:
        return await self._core.write("POST", f"/appointments/{appointment_id}/complete", model=Appointment)


def day_params(day: date, staff_id: str | None = None) -> dict[str, str]:
    """The query of one calendar day: the cache knows the day by it too."""
    params = {"date": day.isoformat()}
    if staff_id:
        params["staff_id"] = staff_id
    return params
