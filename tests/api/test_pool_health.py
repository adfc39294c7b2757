"""Pooled PostgreSQL connections are handed out without a ping, and still never dead (pool_health.py).

A connection the server closed — a restart, ``pg_terminate_backend``, a crash — must not fail the
next request that gets it from the pool. Here every backend of the API's database is terminated
between two requests, the way a restart ends them, and the next requests are answered as usual.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event

from tests.api.arrange_cards import make_package, new_customer, sell
from tests.support.api_client import login
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def served(new_db_url) -> Iterator[LiveServer]:
    with LiveServer(new_db_url("postgresql")) as server:
        yield server


def _terminate_every_backend(db_url: str) -> int:
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        row = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def _wait_until_gone(db_url: str) -> None:
    """pg_terminate_backend only signals: wait until the backends have really gone."""
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        for _ in range(10_000):
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()
            if row is not None and row[0] == 0:
                return
    raise AssertionError("the terminated backends did not go")


def test_a_read_after_the_servers_connections_closed_is_answered(served):
    with login(served.url, "reception") as desk:
        customer = new_customer(desk)["id"]
        for _ in range(3):
            desk.get(f"/customers/{customer}/wallet").raise_for_status()
        assert _terminate_every_backend(served.db_url) >= 1
        _wait_until_gone(served.db_url)
        answers = [desk.get(f"/customers/{customer}/wallet").status_code for _ in range(3)]
    assert answers == [200, 200, 200]


def test_a_redemption_after_the_servers_connections_closed_happens_once(served):
    with login(served.url, "reception") as desk, login(served.url, "manager") as manager:
        card = sell(desk, make_package(manager)["id"])
        _terminate_every_backend(served.db_url)
        _wait_until_gone(served.db_url)
        headers = {"Idempotency-Key": "after-the-connections-closed"}
        first = desk.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=headers)
        again = desk.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=headers)
        history = desk.get(f"/cards/{card['id']}/transactions").json()
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert [t["kind"] for t in history["items"]].count("redeem") == 1


def test_a_request_checks_out_one_connection(served):
    """The sign-in check's session is the route's too (request_scope.HandedOver): a second checkout
    was a second BEGIN and ROLLBACK per request."""
    checkouts: list[object] = []

    def count(dbapi_conn, record, proxy) -> None:
        checkouts.append(record)

    with login(served.url, "reception") as desk, login(served.url, "manager") as manager:
        card = sell(desk, make_package(manager)["id"])
        event.listen(served.database.engine, "checkout", count)
        try:
            desk.get(f"/customers/{card['customer_id']}/wallet").raise_for_status()
            reading = len(checkouts)
            desk.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"},
                      headers={"Idempotency-Key": "one-checkout"}).raise_for_status()
        finally:
            event.remove(served.database.engine, "checkout", count)
    assert (reading, len(checkouts) - reading) == (1, 1)
