from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.contract.common import Page
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.answers import json_answer
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import family, imports, lifecycle, queries, service
from desk_tui.server.cards.models import CardTransaction
from desk_tui.server.database import Database
from desk_tui.server.deps import database, manager, one_thread, owner, signed_in
from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import Cursor, Limit

router = APIRouter(tags=["cards"])

Status = Literal["active", "fully_used", "expired", "refunded", "void"]


def _change(s: Session, tx: CardTransaction, me: Principal) -> wire.CardChange:
    return wire.CardChange(transaction=queries.transaction_of(s, tx, me=me),
                           card=queries.card_view(s, queries.get_card(s, tx.card_id), me=me))


@router.get("/cards")
def list_cards(
    q: Annotated[str | None, Query(max_length=200, description="Client name or card number.")] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Status | None = None,
    package_id: Annotated[str | None, Query(max_length=40)] = None,
    shared: Annotated[bool, Query(description="With customer_id: the last page also lists other customers' "
                                              "active cards shared with them as a family member.")] = False,
    limit: Limit = 50,
    cursor: Cursor = None,
    me: Principal = Depends(signed_in),
    db: Database = Depends(database),
) -> Page[wire.Card]:
    with db.read_session() as s:
        items, next_cursor = queries.list_cards(s, me=me, q=q, customer_id=customer_id, status=status,
                                                package_id=package_id, limit=limit, cursor=cursor, shared=shared)
    return Page[wire.Card](items=items, next_cursor=next_cursor)


@router.post("/cards", status_code=201)
def give_card(body: wire.CardCreate, me: Principal = Depends(manager), db: Database = Depends(database)) -> wire.Card:
    """A card issued without a sale (managers and owners, with a ``reason``); the till sells
    cards through a cart."""
    with db.transaction() as s:
        return queries.card_view(s, service.give(s, data=body, me=me), me=me)


@router.post("/cards/extend")
def extend_cards(body: wire.BulkExtendRequest, me: Principal = Depends(manager),
                 db: Database = Depends(database)) -> wire.BulkExtendResult:
    with db.transaction() as s:
        return lifecycle.extend_all(s, data=body, me=me)


@router.post("/cards/expire")
def expire_cards(me: Principal = Depends(manager), db: Database = Depends(database)) -> wire.ExpireResult:
    """Write an ``expire`` entry for every card past its expiry with units left (for the books)."""
    with db.transaction() as s:
        return wire.ExpireResult(count=lifecycle.expire_overdue(s, me=me))


@router.get("/cards/{card_id}")
def get_card(card_id: str, me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Card:
    with db.read_session() as s:
        return queries.card_view(s, queries.get_card(s, card_id), me=me)


@router.patch("/cards/{card_id}")
def update_card(card_id: str, body: wire.CardUpdate, me: Principal = Depends(signed_in),
                db: Database = Depends(database)) -> wire.Card:
    with db.transaction() as s:
        return queries.card_view(s, lifecycle.update_card(s, card_id=card_id, data=body, me=me), me=me)


@router.get("/cards/{card_id}/transactions")
def card_transactions(card_id: str, limit: Limit = 50, cursor: Cursor = None, me: Principal = Depends(signed_in),
                      db: Database = Depends(database)) -> Page[wire.Transaction]:
    """The card's ledger, oldest first, a page at a time."""
    with db.read_session() as s:
        items, next_cursor = queries.transactions(s, card_id=card_id, me=me, limit=limit, cursor=cursor)
        return Page[wire.Transaction](items=items, next_cursor=next_cursor)


@router.post("/cards/{card_id}/redemptions", status_code=201, response_model=wire.CardChange)
@one_thread
def redeem(card_id: str, body: wire.RedemptionCreate, me: Principal = Depends(signed_in),
           db: Database = Depends(database)) -> Response:
    with db.transaction() as s:
        tx = service.redeem(s, card_id=card_id, service_id=body.service_id, quantity=body.quantity,
                            entitlement_id=body.entitlement_id, sale_id=body.sale_id, note=body.note, me=me,
                            for_customer_id=body.for_customer_id)
        return json_answer(_change(s, tx, me), 201)


@router.post("/cards/{card_id}/transactions/{transaction_id}/undo", status_code=201)
def undo(card_id: str, transaction_id: str, body: wire.UndoRequest, me: Principal = Depends(manager),
         db: Database = Depends(database)) -> wire.CardChange:
    with db.transaction() as s:
        tx = service.undo(s, card_id=card_id, transaction_id=transaction_id, reason=body.reason, me=me)
        return _change(s, tx, me)


@router.post("/cards/{card_id}/adjustments", status_code=201)
def adjust(card_id: str, body: wire.AdjustmentCreate, me: Principal = Depends(manager),
           db: Database = Depends(database)) -> wire.CardChange:
    with db.transaction() as s:
        tx = service.adjust(s, card_id=card_id, entitlement_id=body.entitlement_id, units=body.units,
                            reason=body.reason, me=me, for_customer_id=body.for_customer_id)
        return _change(s, tx, me)


@router.post("/cards/{card_id}/refund")
def refund(card_id: str, body: wire.RefundRequest, me: Principal = Depends(manager),
           db: Database = Depends(database)) -> wire.Card:
    with db.transaction() as s:
        return queries.card_view(s, lifecycle.refund(s, card_id=card_id, reason=body.reason, me=me,
                                                     for_customer_id=body.for_customer_id), me=me)


@router.post("/cards/{card_id}/members", status_code=201)
def add_member(card_id: str, body: wire.CardMemberAdd, me: Principal = Depends(signed_in),
               db: Database = Depends(database)) -> wire.Card:
    """List a family member who may use the card (an existing customer); anyone at the desk, at
    the owner's request. In both customers' activity logs."""
    with db.transaction() as s:
        return queries.card_view(s, family.add(s, card_id=card_id, customer_id=body.customer_id, me=me), me=me)


@router.delete("/cards/{card_id}/members/{customer_id}")
def remove_member(card_id: str, customer_id: str, me: Principal = Depends(signed_in),
                  db: Database = Depends(database)) -> wire.Card:
    """Stop sharing the card with a family member (refused while they have sessions booked from it)."""
    with db.transaction() as s:
        return queries.card_view(s, family.remove(s, card_id=card_id, customer_id=customer_id, me=me), me=me)


@router.get("/customers/{customer_id}/wallet", tags=["customers"], response_model=wire.Wallet)
@one_thread
def wallet(customer_id: str, me: Principal = Depends(signed_in), db: Database = Depends(database)) -> Response:
    with db.read_session() as s:
        return json_answer(queries.wallet(s, customer_id=customer_id, me=me))


#: a previous system's export of MAX_ROWS cards with long notes; every other route takes 1 MiB
#: (server/body_limit.py, which holds this route to the same figure before the body is read)
IMPORT_MAX_BYTES = 20 * 1024 * 1024


async def _csv_body(request: Request) -> str:
    size = 0
    chunks = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > IMPORT_MAX_BYTES:
            raise DomainError(ProblemCode.PAYLOAD_TOO_LARGE, f"The file is larger than {IMPORT_MAX_BYTES // 1024 // 1024} MiB; "
                                                   "split it.")
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The file is not UTF-8 text; save it as CSV UTF-8.") from None


def _import(db: Database, text: str, dry_run: bool, me: Principal) -> wire.ImportResult:
    with db.transaction() as s:
        return imports.import_cards(s, text=text, dry_run=dry_run, me=me)


@router.post("/imports/cards", tags=["imports"],
             openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_cards(request: Request, dry_run: bool = True, me: Principal = Depends(owner),
                       db: Database = Depends(database)) -> wire.ImportResult:
    """Cards from a previous system (see cards/imports.py for the columns). A dry run is the default."""
    text = await _csv_body(request)
    return await anyio.to_thread.run_sync(_import, db, text, dry_run, me)
