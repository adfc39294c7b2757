from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from desk_tui.contract import customers as wire
from desk_tui.contract.common import Page
from desk_tui.server.answers import json_answer
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers import service
from desk_tui.server.database import Database
from desk_tui.server.deps import database, one_thread, signed_in
from desk_tui.server.pagination import Cursor, Limit

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=Page[wire.Customer])
@one_thread
def search_customers(
    q: Annotated[str | None, Query(max_length=200, description=(
        "Name (a hyphenated surname as written or either part), phone (any form, or its last "
        "digits), email, or card number (or its last digits)."))] = None,
    phone: Annotated[str | None, Query(max_length=40, description=(
        "Only customers with this phone number, however either was typed: is it already on file?"))] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    _: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> Response:
    with db.read_session() as s:
        items, next_cursor = service.search_customers(s, q=q, phone=phone, limit=limit, cursor=cursor)
    return json_answer(Page[wire.Customer](items=items, next_cursor=next_cursor))


@router.post("", status_code=201)
def create_customer(body: wire.CustomerCreate, me: Principal = Depends(signed_in),
                    db: Database = Depends(database)) -> wire.CustomerCreated:
    with db.transaction() as s:
        return service.create_customer(s, data=body, me=me)


@router.get("/{customer_id}")
def get_customer(customer_id: str, _: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Customer:
    with db.read_session() as s:
        return service.customer_wire(service.get_customer(s, customer_id))


@router.get("/{customer_id}/activity")
def customer_activity(customer_id: str, limit: Limit = 50, cursor: Cursor = None, me: Principal = Depends(signed_in),
                      db: Database = Depends(database)) -> Page[wire.ActivityEntry]:
    with db.read_session() as s:
        items, next_cursor = service.activity(s, customer_id=customer_id, me=me, limit=limit, cursor=cursor)
    return Page[wire.ActivityEntry](items=items, next_cursor=next_cursor)
