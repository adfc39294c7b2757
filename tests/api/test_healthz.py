"""`GET /healthz`: for load balancers and `desk-tui doctor`, no token."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.support.api_client import assert_problem
from tests.support.live_server import LiveServer


def test_healthz_says_the_server_and_its_database_answer(api):
    r = httpx.get(f"{api.url}/healthz", timeout=30)  # no Authorization header
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok", "database": "ok"}


@pytest.mark.postgres
def test_healthz_is_503_when_the_database_cannot_be_reached(pg_cluster):
    url = pg_cluster.create_database()
    with LiveServer(url, demo=False) as server:
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(pg_cluster.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # its connections are ended too
        r = httpx.get(f"{server.url}/healthz", timeout=30)
        body = assert_problem(r, 503, "database_unavailable")
        assert body["detail"] == "The database cannot be reached."
