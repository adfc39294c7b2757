from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from desk_tui.contract import auth as wire
from desk_tui.server.auth import service
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database
from desk_tui.server.deps import database, signed_in

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
def login(body: wire.LoginRequest, request: Request, db: Database = Depends(database)) -> wire.LoginResponse:
    # Not one transaction: a failed attempt must be recorded even though the request fails.
    with db.write_session() as s:
        result = service.login(s, data=body, token_ttl=request.app.state.settings.token_ttl)
        s.commit()
        return result


@router.post("/auth/logout", status_code=204)
def logout(me: Principal = Depends(signed_in), db: Database = Depends(database)) -> Response:
    with db.transaction() as s:
        service.logout(s, me=me)
    return Response(status_code=204)


@router.get("/me")
def get_me(me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Me:
    with db.read_session() as s:
        return service.me(s, me=me)
