from __future__ import annotations

from fastapi import APIRouter, Depends

from desk_tui.contract import reference as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database
from desk_tui.server.deps import database, manager, signed_in
from desk_tui.server.reference import service

router = APIRouter(tags=["reference"])


@router.get("/settings")
def get_settings(_: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Settings:
    with db.read_session() as s:
        return service.settings(s)


@router.get("/locations")
def list_locations(db: Database = Depends(database)) -> list[wire.Location]:
    # Public: the login screen offers the locations before anyone has signed in.
    with db.read_session() as s:
        return service.locations(s)


@router.get("/staff")
def list_staff(_: Principal = Depends(signed_in), db: Database = Depends(database)) -> list[wire.Staff]:
    with db.read_session() as s:
        return service.staff(s)


@router.get("/services")
def list_services(_: Principal = Depends(signed_in), db: Database = Depends(database)) -> list[wire.Service]:
    with db.read_session() as s:
        return service.services(s)


@router.post("/services", status_code=201)
def create_service(body: wire.ServiceCreate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Service:
    with db.transaction() as s:
        return service.create_service(s, data=body)


@router.patch("/services/{service_id}")
def update_service(service_id: str, body: wire.ServiceUpdate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Service:
    with db.transaction() as s:
        return service.update_service(s, service_id=service_id, data=body)


@router.get("/products")
def list_products(_: Principal = Depends(signed_in), db: Database = Depends(database)) -> list[wire.Product]:
    with db.read_session() as s:
        return service.products(s)


@router.post("/products", status_code=201)
def create_product(body: wire.ProductCreate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Product:
    with db.transaction() as s:
        return service.create_product(s, data=body)


@router.patch("/products/{product_id}")
def update_product(product_id: str, body: wire.ProductUpdate, _: Principal = Depends(manager),
                   db: Database = Depends(database)) -> wire.Product:
    with db.transaction() as s:
        return service.update_product(s, product_id=product_id, data=body)
