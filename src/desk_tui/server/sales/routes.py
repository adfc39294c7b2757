"""HTTP only: the checkout cart (docs/api.md "Sales").

Reads first close carts left idle past the hold timeout (in a short transaction of their own, see
:mod:`desk_tui.server.sales.holds`), so a till that looks at an idle cart sees it closed. Writes do
not: housekeeping closes idle carts every minute, and a write to a cart past its timeout is refused
(``check_open``) before it can touch it, so the till's every write no longer pays for a sweep.
Each write is one transaction and answers with the whole cart, so the client redraws from one
response.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from desk_tui.contract import sales as wire
from desk_tui.contract.appointments import ID_MAX, ID_PATTERN
from desk_tui.contract.common import Page
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.answers import json_answer
from desk_tui.server.auth import approval
from desk_tui.server.auth.approval import Approver
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database, utcnow
from desk_tui.server.deps import database, one_thread, signed_in
from desk_tui.server.errors import DomainError
from desk_tui.server.pagination import Cursor, Limit
from desk_tui.server.sales import automatic, benefits, holds, lines, service, views
from desk_tui.server.sales.models import Sale

router = APIRouter(prefix="/sales", tags=["sales"])

SaleId = Annotated[str, Path(max_length=ID_MAX, pattern=ID_PATTERN)]
LineId = Annotated[str, Path(max_length=ID_MAX, pattern=ID_PATTERN)]


def _timeout(request: Request) -> timedelta:
    timeout: timedelta = request.app.state.settings.sale_hold_timeout
    return timeout


def _sweep(db: Database, timeout: timedelta) -> None:
    """Close idle carts before the request looks at any (a no-op read when there are none)."""
    now = utcnow()
    with db.read_session() as r:
        if not holds.has_stale(r, now=now, timeout=timeout):
            return
    with db.transaction() as s:
        holds.sweep(s, now=now, timeout=timeout)


def _change(db: Database, request: Request, change: Callable[[Session, timedelta], Sale]) -> wire.Sale:
    """The shape of every cart write: change this one in one transaction, answer with it."""
    timeout = _timeout(request)
    with db.transaction() as s:
        return views.one(s, change(s, timeout), timeout=timeout)


def _approver(db: Database, body: wire.SaleLineCreate | wire.SaleLineUpdate, me: Principal,
              request: Request) -> Approver | None:
    """The manager who approved this price or discount, checked before anything else in the request:
    the PIN check (argon2, slow on purpose) and its failure count run in transactions of their own,
    outside the request's one transaction (which on SQLite holds the only write lock). The client
    sends an approval only after the server asked for one, so none is checked in vain."""
    if body.approval is None:
        return None
    return approval.approver(db, body.approval, me=me, address=request.client.host if request.client else "")


@router.post("", status_code=201, response_model=wire.Sale)
@one_thread
def open_sale(body: wire.SaleCreate, request: Request, me: Principal = Depends(signed_in),
              db: Database = Depends(database)) -> Response:
    """Open a cart. For an appointment that already has an open cart, that cart is returned (200)."""
    timeout = _timeout(request)
    with db.transaction() as s:
        sale, created = service.open_sale(s, data=body, me=me, timeout=timeout)
        if created:
            automatic.apply_member_benefits(s, sale, me=me, now=sale.opened_at, timeout=timeout)
        return json_answer(views.one(s, sale, timeout=timeout), 201 if created else 200)


@router.get("")
def list_sales(request: Request, status: Literal["open", "completed", "abandoned"] = "open", limit: Limit = 50,
               cursor: Cursor = None, me: Principal = Depends(signed_in),
               db: Database = Depends(database)) -> Page[wire.Sale]:
    """Carts at the token's location, newest first; ``status=open`` (the default) lists carts left open."""
    timeout = _timeout(request)
    _sweep(db, timeout)
    with db.read_session() as s:
        rows, next_cursor = service.list_sales(s, me=me, status=status, limit=limit, cursor=cursor)
        return Page[wire.Sale](items=[views.one(s, x, timeout=timeout) for x in rows], next_cursor=next_cursor)


@router.get("/{sale_id}")
def get_sale(sale_id: SaleId, request: Request, me: Principal = Depends(signed_in),
             db: Database = Depends(database)) -> wire.Sale:
    timeout = _timeout(request)
    _sweep(db, timeout)
    with db.read_session() as s:
        return views.one(s, service.get(s, sale_id, me=me), timeout=timeout)


@router.patch("/{sale_id}")
def update_sale(sale_id: SaleId, body: wire.SaleUpdate, request: Request, me: Principal = Depends(signed_in),
                db: Database = Depends(database)) -> wire.Sale:
    return _change(db, request, lambda s, timeout: service.update_sale(
        s, sale_id=sale_id, data=body, me=me, timeout=timeout))


@router.delete("/{sale_id}", status_code=405)
def delete_sale(sale_id: SaleId, _: Principal = Depends(signed_in)) -> None:
    raise DomainError(ProblemCode.METHOD_NOT_ALLOWED, "Sales are never deleted; abandon an open cart instead "
                                            "(its holds are released).")


@router.post("/{sale_id}/lines", status_code=201, response_model=wire.Sale)
@one_thread
def add_line(sale_id: SaleId, body: wire.SaleLineCreate, request: Request, me: Principal = Depends(signed_in),
             db: Database = Depends(database)) -> Response:
    approver = _approver(db, body, me, request)
    timeout = _timeout(request)
    with db.transaction() as s:
        sale, _line = lines.add_line(s, sale_id=sale_id, data=body, me=me, timeout=timeout, approver=approver)
        return json_answer(views.one(s, sale, timeout=timeout), 201)


@router.patch("/{sale_id}/lines/{line_id}")
def update_line(sale_id: SaleId, line_id: LineId, body: wire.SaleLineUpdate, request: Request,
                me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Sale:
    approver = _approver(db, body, me, request)
    return _change(db, request, lambda s, timeout: lines.update_line(
        s, sale_id=sale_id, line_id=line_id, data=body, me=me, timeout=timeout, approver=approver))


@router.delete("/{sale_id}/lines/{line_id}")
def remove_line(sale_id: SaleId, line_id: LineId, request: Request, me: Principal = Depends(signed_in),
                db: Database = Depends(database)) -> wire.Sale:
    return _change(db, request, lambda s, timeout: lines.remove_line(
        s, sale_id=sale_id, line_id=line_id, me=me, timeout=timeout))


@router.get("/{sale_id}/benefits")
def sale_benefits(sale_id: SaleId, request: Request, me: Principal = Depends(signed_in),
                  db: Database = Depends(database)) -> wire.Benefits:
    _sweep(db, _timeout(request))
    with db.read_session() as s:
        return benefits.benefits(s, sale=service.get(s, sale_id, me=me))


@router.post("/{sale_id}/apply-discounts")
def apply_discounts(sale_id: SaleId, request: Request, me: Principal = Depends(signed_in),
                    db: Database = Depends(database)) -> wire.Sale:
    return _change(db, request, lambda s, timeout: benefits.apply_discounts(
        s, sale_id=sale_id, me=me, timeout=timeout))


@router.post("/{sale_id}/lines/{line_id}/redeem")
def redeem_line(sale_id: SaleId, line_id: LineId, body: wire.LineRedeem, request: Request,
                me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Sale:
    return _change(db, request, lambda s, timeout: lines.redeem_line(
        s, sale_id=sale_id, line_id=line_id, data=body, me=me, timeout=timeout))


@router.post("/{sale_id}/lines/{line_id}/release")
def release_line(sale_id: SaleId, line_id: LineId, request: Request, me: Principal = Depends(signed_in),
                 db: Database = Depends(database)) -> wire.Sale:
    """Undo a redeem on an open cart: the credit or package units go back, the line is charged again."""
    return _change(db, request, lambda s, timeout: lines.release_line(
        s, sale_id=sale_id, line_id=line_id, me=me, timeout=timeout))


@router.post("/{sale_id}/complete", response_model=wire.Sale)
@one_thread
def complete(sale_id: SaleId, body: wire.SaleComplete, request: Request, me: Principal = Depends(signed_in),
             db: Database = Depends(database)) -> Response:
    return json_answer(_change(db, request, lambda s, timeout: service.complete(
        s, sale_id=sale_id, data=body, me=me, timeout=timeout)))


@router.post("/{sale_id}/abandon")
def abandon(sale_id: SaleId, request: Request, body: wire.SaleAbandon | None = None,
            me: Principal = Depends(signed_in), db: Database = Depends(database)) -> wire.Sale:
    return _change(db, request, lambda s, timeout: service.abandon(
        s, sale_id=sale_id, me=me, reason=body.reason if body else None, timeout=timeout))
