from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response

from desk_tui.contract import auth as wire
from desk_tui.server.auth import service, throttle
from desk_tui.server.auth.gate import SignInGate
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database, utcnow
from desk_tui.server.deps import database, owner, signed_in
from desk_tui.server.errors import DomainError

T = TypeVar("T")

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
async def login(body: wire.LoginRequest, request: Request, db: Database = Depends(database)) -> wire.LoginResponse:
    # Three short transactions around the PIN check, never one around it: argon2 takes tens of
    # milliseconds of CPU, and a write transaction held that long (SQLite's one write lock, a
    # PostgreSQL connection) is what let a flood of sign-ins stall the till. See throttle.py.
    gate: SignInGate = request.app.state.sign_in_gate
    username = service.normal_username(body.username)
    address = request.client.host if request.client else ""
    async with gate.entered():
        reservation = await gate.in_database(_in_transaction, db, throttle.reserve, username=username,
                                             address=address, now=utcnow())
        try:
            right = await gate.verify(reservation.pin_hash, body.pin)
        except DomainError:  # busy: the PIN was never checked, so the attempt must not count
            await gate.in_database(_in_transaction, db, throttle.give_back, reservation, patient=True)
            raise
        if not right:
            raise service.wrong_pin(reservation)  # its reservation stays: it counts as a failure
        await gate.in_database(_in_transaction, db, throttle.forget_typos, reservation, patient=True)
        return await gate.in_database(_in_transaction, db, service.issue_token, reservation=reservation,
                                      location_id=body.location_id, patient=True,
                                      token_ttl=request.app.state.settings.token_ttl)


@router.post("/staff/{staff_id}/unlock", status_code=204)
def unlock(staff_id: str, _: Principal = Depends(owner), db: Database = Depends(database)) -> Response:
    """The owner lets a locked-out username sign in again (every address's wrong PINs forgotten)."""
    with db.transaction() as s:
        service.unlock(s, staff_id=staff_id)
    return Response(status_code=204)


@router.post("/auth/logout", status_code=204)
def logout(me: Principal = Depends(signed_in), db: Database = Depends(database)) -> Response:
    with db.transaction() as s:
        service.logout(s, me=me)
    return Response(status_code=204)


@router.get("/me")
def get_me(me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Me:
    with db.read_session() as s:
        return service.me(s, me=me)


def _in_transaction(db: Database, step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with db.transaction() as s:
        return step(s, *args, **kwargs)
