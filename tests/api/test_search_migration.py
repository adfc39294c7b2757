"""Migration 0013 indexes the customers already on file the new way: a salon that upgrades finds
its existing customers by a phone number's last digits, a hyphenated surname as written and a
card's last digits, and sees "already on file" for their phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, select

from desk_tui.server import migrate
from desk_tui.server.customers.service import search_customers
from desk_tui.server.database import Database
from tests.conftest import ENGINES
from tests.support.old_schema import salon_before

REVISION = "0013"


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_upgrade_indexes_existing_customers_and_cards(engine_name, new_db_url):
    db = Database(new_db_url(engine_name))
    try:
        _, tables = salon_before(db, REVISION)
        now = datetime(2026, 11, 1, 9, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(tables.tables["customers"].insert(), [
                {"id": "cus_old1", "name": "Anna Szabó-Kert", "sort_name": "anna szabo-kert",
                 "phone": "+36 20 987 6543", "email": None, "store_credit": 0, "created_at": now},
                {"id": "cus_old2", "name": "Béla Kiss", "sort_name": "bela kiss", "phone": "06 20 987 6543",
                 "email": None, "store_credit": 0, "created_at": now},
            ])
            # as the old code indexed them: name parts and the phone's digits
            conn.execute(tables.tables["customer_search_terms"].insert(), [
                {"customer_id": "cus_old1", "term": t} for t in ("anna", "szabo", "kert", "36209876543", "bs-1005")])
            conn.execute(tables.tables["packages"].insert(), {
                "id": "pkg_old", "name": "Old pack", "unit_type": "sessions", "price": 1000, "tax_inclusive": True,
                "expiry_days": None, "description": "", "active": True, "created_at": now})
            conn.execute(tables.tables["cards"].insert(), {
                "id": "crd_old", "number": "BS-1005", "number_key": "bs-1005", "package_id": "pkg_old",
                "package_name": "Old pack", "unit_type": "sessions", "customer_id": "cus_old1", "issued_at": now,
                "issued_by": "stf_old", "issued_location_id": "loc_old", "expires_on": None, "price_paid": 1000,
                "status": "active", "last_used_at": None, "last_seq": 0, "expire_recorded_for": None})
        migrate.upgrade(db.engine)
        tables = MetaData()
        tables.reflect(db.engine)
        with db.read_session() as s:
            for q in ("6543", "987 6543", "06 20 987 6543", "Szabó-Kert", "1005", "BS-1005"):
                ids = [c.id for c in search_customers(s, q=q, limit=50, cursor=None)[0]]
                assert "cus_old1" in ids, q
            assert {c.id for c in search_customers(s, q=None, phone="+36209876543", limit=50, cursor=None)[0]} == {
                "cus_old1", "cus_old2"}
            customers = tables.tables["customers"]
            assert set(s.execute(select(customers.c.phone_digits)).scalars()) == {"36209876543"}
            assert s.scalar(select(tables.tables["cards"].c.number_tail)) == "5001"
            assert s.scalar(select(tables.tables["org_settings"].c.phone_region)) == "HU"
    finally:
        db.dispose()
