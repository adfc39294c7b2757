"""The desk's busiest routes take their threads from a few of their own in each worker
(server/desk_threads.py): neither they nor the other routes wait for a thread the other holds."""

from __future__ import annotations

from datetime import date

import anyio
import pytest

from desk_tui.server.app import request_threads
from desk_tui.server.database import Database
from desk_tui.server.desk_threads import desk_threads
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer


def _holding(limiter_of):
    """A step for LiveServer.in_loop that takes every thread of a limiter and returns a step giving them back."""
    async def take():
        limiter = limiter_of()
        owners = [object() for _ in range(int(limiter.total_tokens))]
        for owner in owners:
            await limiter.acquire_on_behalf_of(owner)
        assert limiter.available_tokens == 0

        async def give_back():
            for owner in owners:
                limiter.release_on_behalf_of(owner)
        return give_back
    return take


def test_the_desk_answers_while_every_other_routes_thread_is_held(new_db_url):
    """As while reports, imports or backups hold the shared pool: the desk's reads and writes go on."""
    with LiveServer(new_db_url("sqlite")) as server, login(server.url, "reception") as desk:
        customer = desk.get("/customers", params={"q": "kov"}).json()["items"][0]
        give_back = server.in_loop(_holding(anyio.to_thread.current_default_thread_limiter))
        try:
            assert desk.get("/customers", params={"q": "kov"}).status_code == 200
            assert desk.get(f"/customers/{customer['id']}/wallet").status_code == 200
            assert desk.get("/appointments", params={"date": date.today().isoformat()}).status_code == 200
            opened = desk.post("/sales", json={"customer_id": customer["id"]}, headers=key())
            assert opened.status_code == 201, opened.text
        finally:
            server.in_loop(give_back)


def test_other_routes_answer_while_every_desk_thread_is_held(new_db_url):
    """And the other way round: the desk's threads all busy, the rest of the API still answers."""
    with LiveServer(new_db_url("sqlite")) as server, login(server.url, "manager") as manager:
        give_back = server.in_loop(_holding(desk_threads))
        try:
            assert manager.get("/settings").status_code == 200
            assert manager.get("/reports/memberships-due", params={"limit": 10}).status_code == 200
        finally:
            server.in_loop(give_back)


@pytest.mark.postgres
@pytest.mark.parametrize("connections, asked, total, desk, shared",
                         [(24, 4, 12, 4, 8), (24, 20, 12, 11, 1), (2, 3, 2, 1, 1)])
def test_the_desk_threads_come_out_of_the_pooled_connections(new_db_url, monkeypatch, connections, asked, total,
                                                             desk, shared):
    """Both limiters together never have more threads than the worker has connections (a thread
    without a connection only waits for one), and each keeps at least one: with a pool of one
    connection the two share it rather than leave the other routes without a thread."""
    monkeypatch.setenv("DESK_DB_CONNECTIONS", str(connections))
    db = Database(new_db_url("postgresql"), workers=2)
    try:
        async def threads() -> tuple[int, int, int]:
            total = request_threads(db, asked)
            return total, int(desk_threads().total_tokens), int(anyio.to_thread.current_default_thread_limiter().total_tokens)

        assert anyio.run(threads) == (total, desk, shared)
    finally:
        db.dispose()
