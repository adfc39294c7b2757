"""A read request ends its transaction with COMMIT, so PostgreSQL keeps what psycopg prepared.

psycopg forgets every statement it has prepared on a connection when a transaction ends in
ROLLBACK, and with it the count towards preparing one (five runs): every read request ended that
way, so nothing was ever prepared and PostgreSQL parsed and planned each statement on every
request (a name search's PostgreSQL CPU was mostly planning its rounds).
"""

from __future__ import annotations

from sqlalchemy import select, text

from desk_tui.server.customers.models import Customer
from tests.api.arrange_cards import new_customer
from tests.support.api_client import login
from tests.support.live_server import LiveServer


def prepared(server: LiveServer) -> list[str]:
    """The statements prepared on the server's idle pooled connections."""
    engine = server.database.engine
    conns = [engine.connect() for _ in range(engine.pool.checkedin())]  # type: ignore[attr-defined]
    try:
        return [row[0] for conn in conns
                for row in conn.execute(text("SELECT statement FROM pg_prepared_statements"))]
    finally:
        for conn in conns:
            conn.close()


def test_reads_repeated_run_prepared_on_postgresql(new_db_url):
    with LiveServer(new_db_url("postgresql"), demo=True) as server, login(server.url, "reception") as desk:
        customer = new_customer(desk)
        for _ in range(8):
            assert desk.get("/customers", params={"q": "kov"}).status_code == 200
            assert desk.get(f"/customers/{customer['id']}/wallet").status_code == 200
        statements = prepared(server)
    assert any("auth_tokens" in x for x in statements), statements  # the sign-in check, every request's
    assert any("customer_search_terms" in x for x in statements), statements
    assert any("FROM cards" in x for x in statements), statements


def test_a_read_session_still_drops_changes_it_never_wrote(api):
    """A read that changed an object (none should) has it rolled back, not committed."""
    with login(api.url, "reception") as desk:
        customer = new_customer(desk, "Unchanged Name")
    with api.database.read_session() as s:
        s.get_one(Customer, customer["id"]).name = "Changed In A Read"
    with api.database.read_session() as s:
        assert s.scalar(select(Customer.name).where(Customer.id == customer["id"])) == "Unchanged Name"
    # … also once a later query has flushed the change to the database (autoflush)
    with api.database.read_session() as s:
        s.get_one(Customer, customer["id"]).name = "Flushed In A Read"
        assert s.scalar(select(Customer.name).where(Customer.id == customer["id"])) == "Flushed In A Read"
    with api.database.read_session() as s:
        assert s.scalar(select(Customer.name).where(Customer.id == customer["id"])) == "Unchanged Name"
