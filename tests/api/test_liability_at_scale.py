"""The liability report past 65,535 live cards: it used to send every card's id in one ``IN (…)``,
which PostgreSQL's driver refuses past 65,535 parameters (a 500 at about 170,000 customers).

The cards are built in bulk by the database itself (``INSERT … SELECT generate_series``), not
through the API: a chain's worth of cards in about a second, each with what it owes as the ledger
below it says (what ``ledger.append`` keeps on a card; verify-ledger checks it on a real one).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.api.arrange_cards import FACIALS_AND_MASSAGES, make_package, new_customer, redeemed, sell
from tests.support.api_client import login
from tests.support.live_server import LiveServer

CARDS = 90_000  # 69,429 of them live: past 65,535
PRICE, UNITS = 1_000, 5

BULK = """
INSERT INTO cards (id, package_id, package_name, unit_type, customer_id, issued_at, issued_by, issued_location_id,
                   expires_on, price_paid, status, last_seq, owed_units, owed_value)
SELECT 'crd_bulk_' || g, :package_id, 'Bulk', 'sessions', :customer_id, now(), 'stf_manager', 'loc_downtown',
       CASE WHEN g % 10 = 0 THEN DATE '2001-01-01' END, :price, CASE WHEN g % 7 = 0 THEN 'refunded' ELSE 'active' END,
       CASE WHEN g % 2 = 0 THEN 2 ELSE 1 END, owed.units, :price * owed.units / :units
FROM generate_series(1, :cards) AS g, LATERAL (SELECT CASE WHEN g % 4 = 0 THEN :units - 2 ELSE :units END AS units) owed;
INSERT INTO card_entitlements (id, card_id, position, weight)
SELECT 'ent_bulk_' || g, 'crd_bulk_' || g, 0, :price FROM generate_series(1, :cards) AS g;
INSERT INTO card_entitlement_services (card_entitlement_id, service_id, unit_cost)
SELECT 'ent_bulk_' || g, 'svc_manicure', 1 FROM generate_series(1, :cards) AS g;
INSERT INTO card_transactions (id, card_id, seq, at, kind, entitlement_id, units, initial_delta, adjust_delta,
                               used_delta, booked_delta, customer_id, staff_id, location_id, amount)
SELECT 'ctx_bulk_issue_' || g, 'crd_bulk_' || g, 1, now(), 'issue', 'ent_bulk_' || g, :units, :units, 0, 0, 0,
       :customer_id, 'stf_manager', 'loc_downtown', :price
FROM generate_series(1, :cards) AS g;
INSERT INTO card_transactions (id, card_id, seq, at, kind, entitlement_id, service_id, units, initial_delta,
                               adjust_delta, used_delta, booked_delta, customer_id, staff_id, location_id)
SELECT 'ctx_bulk_use_' || g, 'crd_bulk_' || g, 2, now(), 'redeem', 'ent_bulk_' || g, 'svc_manicure', 2, 0, 0,
       CASE WHEN g % 4 = 0 THEN 2 ELSE 0 END, CASE WHEN g % 4 = 2 THEN 2 ELSE 0 END,
       :customer_id, 'stf_manager', 'loc_downtown'
FROM generate_series(2, :cards, 2) AS g;
ANALYZE cards; ANALYZE card_entitlements; ANALYZE card_transactions
"""


def _expected() -> tuple[int, int, int]:
    """Cards, units and value the report must show, worked out card by card."""
    cards = units = value = 0
    for g in range(1, CARDS + 1):
        if g % 10 == 0 or g % 7 == 0:  # expired, or refunded: owed nothing
            continue
        used = 2 if g % 4 == 0 else 0
        cards, units = cards + 1, units + UNITS - used  # booked units (g % 4 == 2) are still owed
        value += PRICE * (UNITS - used) // UNITS
    return cards, units, value


@pytest.mark.postgres
@pytest.mark.timeout(600)  # its own demo server and 90,000 cards: minutes when the shared machine is busy
def test_liability_is_right_past_65535_live_cards(new_db_url):
    with LiveServer(new_db_url("postgresql")) as server, login(server.url, "manager") as m:
        pkg = make_package(m, [{"units": UNITS, "services": [{"service_id": "svc_manicure"}]}], price=PRICE)
        customer = new_customer(m)
        bundle = make_package(m, FACIALS_AND_MASSAGES, price=60_001)
        card = sell(m, bundle["id"], customer["id"])
        card = redeemed(m, card["id"], "svc_facial")["card"]
        with server.database.engine.begin() as conn:
            for statement in filter(str.strip, BULK.split(";")):
                conn.execute(text(statement), {"package_id": pkg["id"], "customer_id": customer["id"],
                                               "price": PRICE, "units": UNITS, "cards": CARDS})
        started = time.perf_counter()
        r = m.get("/reports/liability", timeout=120)
        print(f"liability over {CARDS} cards: {time.perf_counter() - started:.3f} s")
        assert r.status_code == 200, r.text
        lines = {x["package_id"]: x for x in r.json()["items"]}
        cards, units, value = _expected()
        assert cards > 65_535
        assert (lines[pkg["id"]]["cards"], lines[pkg["id"]]["units_outstanding"],
                lines[pkg["id"]]["value_outstanding"]) == (cards, units, value)
        # a bundle's pools share its price: the same figure as the card's own refund quote
        assert lines[bundle["id"]]["value_outstanding"] == card["refund_value"] < 60_001
        assert lines[bundle["id"]]["units_outstanding"] == 4
