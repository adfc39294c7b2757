from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from desk_tui.contract import reports as wire
from desk_tui.contract.cards import LAST_DATE
from desk_tui.contract.common import Page
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import Database
from desk_tui.server.deps import database, manager
from desk_tui.server.given import service as given
from desk_tui.server.pagination import Cursor, Limit
from desk_tui.server.reports import dues, service
from desk_tui.server.reports import liability as liability_report
from desk_tui.server.reports import sales as sales_report

router = APIRouter(prefix="/reports", tags=["reports"])

#: the earliest day a report range may start (as for every date the API takes)
FIRST_DAY = date(2000, 1, 1)


@router.get("/liability")
def liability(_: Principal = Depends(manager), db: Database = Depends(database)) -> wire.Liability:
    with db.read_session() as s:
        return liability_report.liability(s)


@router.get("/expiring")
def expiring(
    within_days: Annotated[int, Query(ge=0, le=3650, description="Expiring today (0) up to this many days ahead.")] = 30,
    limit: Limit = 50,
    cursor: Cursor = None,
    _: Principal = Depends(manager),
    db: Database = Depends(database),
) -> Page[wire.ExpiringCard]:
    with db.read_session() as s:
        items, next_cursor = service.expiring(s, within_days=within_days, limit=limit, cursor=cursor)
    return Page[wire.ExpiringCard](items=items, next_cursor=next_cursor)


@router.get("/memberships-due")
def memberships_due(limit: Limit = 50, cursor: Cursor = None, _: Principal = Depends(manager),
                    db: Database = Depends(database)) -> Page[wire.MembershipDue]:
    """Active memberships whose months paid at the till have run out, longest overdue first."""
    with db.read_session() as s:
        items, next_cursor = dues.memberships_due(s, limit=limit, cursor=cursor)
    return Page[wire.MembershipDue](items=items, next_cursor=next_cursor)


@router.get("/given-without-sale")
def given_without_sale(
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DATE,
                                        description="First business day (inclusive).")] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DATE,
                                      description="Last business day (inclusive).")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    me: Principal = Depends(manager),
    db: Database = Depends(database),
) -> Page[wire.GivenWithoutSale]:
    """Cards issued and memberships enrolled outside a sale (by a manager with a reason, or the
    owner's import), newest first: who, when, what, the price on record and why."""
    with db.read_session() as s:
        items, next_cursor = given.report(s, me=me, start=start, end=end, limit=limit, cursor=cursor)
    return Page[wire.GivenWithoutSale](items=items, next_cursor=next_cursor)


@router.get("/sales")
def sales(
    start: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DATE,
                                        description="First business day (inclusive); default today.")] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DATE,
                                      description="Last business day (inclusive); default today.")] = None,
    location_id: Annotated[str | None, Query(max_length=40, description=(
        "That location's sales only. The owner: any location, or every location when left out; a "
        "manager: the location they signed in at (the default), no other."))] = None,
    me: Principal = Depends(manager),
    db: Database = Depends(database),
) -> wire.SalesVat:
    """Completed sales of those days at a location, or at every location (the owner): net, VAT
    and gross per VAT rate."""
    with db.read_session() as s:
        where = sales_report.location_in_scope(s, location_id, me=me)
        return sales_report.sales_vat(s, start=start, end=end, location_id=where)


@router.get("/card-transactions.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "One row per ledger entry."}})
def card_transactions_csv(
    start: Annotated[date | None, Query(alias="from", description="First business day (inclusive).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last business day (inclusive).")] = None,
    me: Principal = Depends(manager),
    db: Database = Depends(database),
) -> StreamingResponse:
    service.check_range(start, end)
    name = f"card-transactions-{start or 'start'}-{end or 'today'}.csv"
    return StreamingResponse(service.transactions_csv(db, me=me, start=start, end=end), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
