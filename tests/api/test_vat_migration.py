"""Migration 0022 gives sales completed before VAT rates existed a rate of 0 and their line totals
as net (half up, 0 when covered), so the sales report reads old and new sales alike; open carts'
lines are left to be worked out when they complete."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from desk_tui.server import migrate
from desk_tui.server.database import Database
from desk_tui.server.reports.sales import sales_vat
from desk_tui.server.sales.models import SaleLine
from tests.conftest import ENGINES
from tests.support.old_schema import salon_before

REVISION = "0022"


@pytest.mark.parametrize("engine_name", ENGINES)
def test_completed_sales_get_their_totals_as_net_at_rate_zero(engine_name, new_db_url):
    db = Database(new_db_url(engine_name))
    try:
        before, tables = salon_before(db, REVISION)
        at = datetime(2026, 11, 2, 10, tzinfo=UTC)
        with db.engine.begin() as conn:
            sale = {"location_id": "loc_old", "opened_by": "stf_old", "opened_at": at, "last_change_at": at,
                    "closed_idle": False, "completed_at": None, "completed_by": None}
            conn.execute(tables.tables["sales"].insert(), [
                sale | {"id": "sal_done", "status": "completed", "completed_at": at, "completed_by": "stf_old"},
                sale | {"id": "sal_open", "status": "open"}])
            line = {"kind": "product", "quantity": 1, "discount_percent": 0, "held_by_appointment": False,
                    "redeem_kind": None, "hold_state": None}
            conn.execute(tables.tables["sale_lines"].insert(), [
                # 3 × 1 005 at 15 % off = 2 562.75 → 2 563
                line | {"id": "sln_paid", "sale_id": "sal_done", "position": 0, "name": "Oil", "quantity": 3,
                        "unit_price": 1005, "discount_percent": 15},
                line | {"id": "sln_covered", "sale_id": "sal_done", "position": 1, "name": "Manicure",
                        "kind": "service", "unit_price": 8000, "redeem_kind": "card", "hold_state": "redeemed"},
                line | {"id": "sln_open", "sale_id": "sal_open", "position": 0, "name": "Oil", "unit_price": 1000}])
        migrate.upgrade(db.engine, "head")
        with db.read_session() as s:
            got = {x.id: (x.vat_basis_points, x.net_amount, x.vat_amount) for x in s.scalars(select(SaleLine))}
            assert got == {"sln_paid": (0, 2563, 0), "sln_covered": (0, 0, 0), "sln_open": (0, None, None)}
            day = date(2026, 11, 2)
            report = sales_vat(s, start=day, end=day)
        assert (report.sales, report.net, report.vat, report.gross) == (1, 2563, 0, 2563)
        assert [(r.rate, r.gross) for r in report.rates] == [(0, 2563)]
        migrate.downgrade(db.engine, before)  # and back, with the data in place
    finally:
        db.dispose()
