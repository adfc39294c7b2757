"""The desk's busiest requests read the chain's big tables by index, never end to end.

A wallet once asked for ``customer_id = x OR id IN (cards shared with x)``, which PostgreSQL can
only answer by reading every card: 110–280 ms per wallet at 150,000 cards, and the desk stalled
at 50 receptionists. Such a plan shows on a small data set as well as a big one, so here a chain
of 20,000 customers and 30,000 cards is made by the database itself (tests/support/bulk_chain.py),
each request is answered over real HTTP, and every SELECT it sent is EXPLAINed with its own
parameters on the same database. No timing is measured: the plan alone says whether a statement
grows with the chain.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.api.arrange_sales import add, completed, opened
from tests.support.api_client import login
from tests.support.bulk_chain import fill
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.xdist_group("hot_path_plans")  # one worker builds its module fixtures: tests/conftest.py

CUSTOMERS = 20_000
#: the tables that grow with the chain; a small table (staff, settings, an empty family list) may
#: well be read whole
BIG = {"customers", "customer_search_terms", "cards", "card_entitlements", "card_entitlement_services",
       "card_transactions"}


@pytest.fixture(scope="module")
def chain(new_db_url) -> Iterator[LiveServer]:
    with LiveServer(new_db_url("postgresql")) as server:
        with server.database.engine.begin() as conn:
            fill(conn, CUSTOMERS)
        yield server


def _sent(server: LiveServer, request: Callable[[], object]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    event.listen(server.database.engine, "before_cursor_execute", record)
    try:
        answer = request()
        if isinstance(answer, httpx.Response):
            answer.raise_for_status()
    finally:
        event.remove(server.database.engine, "before_cursor_execute", record)
    return seen


def _scans(plan: dict[str, Any]) -> Iterator[str]:
    if plan["Node Type"] == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _read_whole(server: LiveServer, request: Callable[[], object]) -> list[str]:
    """Each SELECT of the request that reads a big table whole, with the table it reads."""
    found = []
    with server.database.engine.connect() as conn:
        for statement, parameters in _sent(server, request):
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or "INSERT" in statement.upper():
                continue
            plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar_one()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            found += [f"{table}: {' '.join(statement.split())[:300]}"
                      for table in _scans(plan[0]["Plan"]) if table in BIG]
        conn.rollback()
    return found


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture(scope="module")
def desk(chain) -> Iterator[httpx.Client]:
    with login(chain.url, "reception") as c:
        # a family card, so the wallet's shared half has something to find
        c.post("/cards/crd_b8/members", json={"customer_id": "cus_b7"}, headers=_key()).raise_for_status()
        yield c


@pytest.mark.postgres
@pytest.mark.timeout(600)  # 20,000 customers built in bulk: a minute when the shared machine is busy
@pytest.mark.parametrize("what, request_of", [
    ("wallet", lambda c: c.get("/customers/cus_b7/wallet")),
    ("the booking form's cards, own and shared", lambda c: c.get("/cards", params={
        "customer_id": "cus_b7", "shared": "true", "limit": 100})),
    ("search, every word common", lambda c: c.get("/customers", params={"q": "anna ko"})),
    ("search, one word rare", lambda c: c.get("/customers", params={"q": "anna 1234"})),
    ("search by phone", lambda c: c.get("/customers", params={"q": "0630 000 1234"})),
    ("redemption", lambda c: c.post("/cards/crd_b9/redemptions", json={"service_id": "svc_manicure"},
                                    headers=_key())),
    ("redemption from a family card", lambda c: c.post(
        "/cards/crd_b8/redemptions", json={"service_id": "svc_manicure", "for_customer_id": "cus_b7"},
        headers=_key())),
])
def test_the_desk_never_reads_a_big_table_whole(chain, desk, what, request_of):
    assert _read_whole(chain, lambda: request_of(desk)) == [], what


@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_a_sale_never_reads_a_big_table_whole(chain, desk):
    sale = add(desk, opened(desk, customer_id="cus_b11")["id"], "prd_gift_box")
    assert _read_whole(chain, lambda: completed(desk, sale["id"], ("cash", sale["total"]))) == []
