from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from desk_tui.contract import packages as wire
from desk_tui.contract.common import Page
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database
from desk_tui.server.deps import database, manager, signed_in
from desk_tui.server.errors import DomainError
from desk_tui.server.packages import service
from desk_tui.server.pagination import Cursor, Limit

router = APIRouter(prefix="/packages", tags=["packages"])


@router.get("")
def list_packages(
    active: Annotated[bool | None, Query(description="Only active (for sale) or only inactive templates.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    _: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> Page[wire.Package]:
    with db.read_session() as s:
        items, next_cursor = service.list_packages(s, active=active, limit=limit, cursor=cursor)
    return Page[wire.Package](items=items, next_cursor=next_cursor)


@router.post("", status_code=201)
def create_package(body: wire.PackageCreate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Package:
    with db.transaction() as s:
        return service.create_package(s, data=body)


@router.get("/{package_id}")
def get_package(package_id: str, _: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Package:
    with db.read_session() as s:
        return service.to_wire(s, service.get_package(s, package_id))


@router.patch("/{package_id}")
def update_package(package_id: str, body: wire.PackageUpdate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Package:
    with db.transaction() as s:
        return service.update_package(s, package_id=package_id, data=body)


@router.delete("/{package_id}", status_code=405, responses={405: {"description": "Packages are never deleted."}})
def delete_package(package_id: str, _: Principal = Depends(signed_in)) -> None:
    raise DomainError(ProblemCode.METHOD_NOT_ALLOWED,
                      "Packages are never deleted: make it inactive (active: false) to stop selling it; issued cards stay as they are.")
