"""A chain's customers and cards made by PostgreSQL itself (``INSERT … SELECT generate_series``),
not through the API: 100,000 customers in seconds. Used by ``make bench-api`` and by the test that
reads the plans of the desk's busiest statements (tests/api/test_hot_path_plans.py).

Customer ``cus_b<n>`` is named "<first> <last> <n>" from ten first and ten last names (so each
name word matches a tenth of the chain: "anna ko" is a search where every word is common) and
holds card ``crd_b<n>``; the first half of them hold a second card, ``crd_b<n + customers>``.
Their sort names are what the server writes (the name, lower case: "anna kovacs 7"), so a search
meets the chain in the order it would meet a real one; each card says what it owes as the ledger
would have it (its 1,000 units, worth its price).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# plain letters: the search terms are written by SQL here, not by the server's own normaliser
FIRST = ["Anna", "Eszter", "Reka", "Zsofia", "Katalin", "Julia", "Petra", "Dora", "Nora", "Lilla"]
LAST = ["Kovacs", "Toth", "Szabo", "Horvath", "Varga", "Kiss", "Molnar", "Nemeth", "Farkas", "Balogh"]

#: bookable staff added at the demo's Downtown: a chain's location has about twenty (the demo has
#: four there, and fifty desks booking four people wait for each other's lock on them)
STAFF = [f"stf_b{n}" for n in range(1, 21)]

_CHAIN = """
INSERT INTO staff (id, name, username, pin_hash, role, bookable, active)
SELECT 'stf_b' || g, 'Stylist ' || g, NULL, NULL, 'reception', true, true FROM generate_series(1, 20) AS g;
INSERT INTO staff_locations (staff_id, location_id) SELECT 'stf_b' || g, 'loc_downtown' FROM generate_series(1, 20) AS g;
INSERT INTO customers (id, name, sort_name, phone, email, store_credit, created_at)
SELECT 'cus_b' || g, f.n || ' ' || l.n || ' ' || g, lower(f.n || ' ' || l.n || ' ' || g), '+3630' || lpad(g::text, 7, '0'),
       NULL, 0, now()
FROM generate_series(1, :customers) AS g
JOIN (SELECT n, row_number() OVER () - 1 AS i FROM unnest(CAST(:first AS text[])) AS n) f ON f.i = g % 10
JOIN (SELECT n, row_number() OVER () - 1 AS i FROM unnest(CAST(:last AS text[])) AS n) l ON l.i = (g / 10) % 10;
INSERT INTO customer_search_terms (customer_id, term, sort_name)
SELECT id, t, sort_name FROM customers, unnest(string_to_array(lower(name), ' ')) AS t WHERE id LIKE 'cus_b%'
ON CONFLICT DO NOTHING;
INSERT INTO cards (id, package_id, package_name, unit_type, customer_id, issued_at, issued_by, issued_location_id,
                   expires_on, price_paid, status, last_seq, owed_units, owed_value)
SELECT 'crd_b' || g, 'pkg_demo_5x_manicure', '5x Manicure', 'sessions', 'cus_b' || (1 + (g - 1) % :customers), now(),
       'stf_manager', 'loc_downtown', CURRENT_DATE + 365, 36000, 'active', 1, 1000, 36000
FROM generate_series(1, :cards) AS g;
INSERT INTO card_entitlements (id, card_id, position, weight)
SELECT 'ent_b' || g, 'crd_b' || g, 0, 36000 FROM generate_series(1, :cards) AS g;
INSERT INTO card_entitlement_services (card_entitlement_id, service_id, unit_cost)
SELECT 'ent_b' || g, 'svc_manicure', 1 FROM generate_series(1, :cards) AS g;
INSERT INTO card_transactions (id, card_id, seq, at, kind, entitlement_id, units, initial_delta, adjust_delta,
                               used_delta, booked_delta, customer_id, staff_id, location_id, amount)
SELECT 'ctx_b' || g, 'crd_b' || g, 1, now(), 'issue', 'ent_b' || g, 1000, 1000, 0, 0, 0,
       'cus_b' || (1 + (g - 1) % :customers), 'stf_manager', 'loc_downtown', 36000
FROM generate_series(1, :cards) AS g;
ANALYZE
"""


def fill(conn: Connection, customers: int) -> int:
    """Adds ``customers`` customers and 1.5 cards each (one ledger entry per card) to a database
    that holds the demo salon (its package, service, staff and location); returns the cards made."""
    cards = customers * 3 // 2
    for statement in filter(str.strip, _CHAIN.split(";")):
        conn.execute(text(statement), {"customers": customers, "cards": cards, "first": FIRST, "last": LAST})
    return cards
