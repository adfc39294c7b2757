"""Exactly once, whatever happens: retries, concurrent retries, other callers, and SIGKILL.

The Idempotency-Key's record is written in the same transaction as the request's changes, so a
retry finds either nothing (the request never happened: it runs) or the stored answer (it
replays), on SQLite and on PostgreSQL with two worker processes.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import threading
import uuid

import httpx
import pytest
from sqlalchemy import bindparam, create_engine, text

from desk_tui.server.idempotency import _fingerprint
from tests.api.arrange_appointments import at, booked, new_customer, paid, some_day
from tests.api.arrange_cards import (
    MANICURE_5,
    make_package,
    pool,
    sell,
)
from tests.conftest import ENGINES
from tests.support.api_client import PINS, TLS, assert_problem, key, login
from tests.support.crash import kill_and_verify


def _count(c: httpx.Client, q: str) -> int:
    return len(c.get("/customers", params={"q": q}).json()["items"])


def test_concurrent_retries_all_get_the_one_answer(served_api):
    """Eight copies of one request at once: one runs, seven wait for it and replay its answer."""
    tag = uuid.uuid4().hex[:8]
    with login(served_api.url, "reception") as c:
        headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": f"race-{tag}"}
        barrier = threading.Barrier(8)

        def post(_: int) -> httpx.Response:
            barrier.wait()
            return httpx.post(f"{served_api.url}/v1/customers", json={"name": f"Race {tag}"}, headers=headers,
                              timeout=60, verify=TLS)

        with concurrent.futures.ThreadPoolExecutor(8) as pool_:
            results = list(pool_.map(post, range(8)))
        assert [r.status_code for r in results] == [201] * 8, [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1
        assert sum(r.headers.get("idempotent-replayed") == "true" for r in results) == 7
        assert _count(c, tag) == 1


def test_a_key_belongs_to_the_staff_member_who_sent_it(served_api):
    tag = uuid.uuid4().hex[:8]
    body = {"name": f"Scoped {tag}"}
    headers = {"Idempotency-Key": f"scoped-{tag}"}
    with login(served_api.url, "reception") as reception, login(served_api.url, "manager") as manager:
        first = reception.post("/customers", json=body, headers=headers)
        assert first.status_code == 201
        # The same key and body with no token is not a replay of someone's answer: it is refused.
        anonymous = httpx.post(f"{served_api.url}/v1/customers", json=body, headers=headers)
        assert_problem(anonymous, 401, "unauthenticated")
        assert "Scoped" not in anonymous.text
        # Another staff member's request with the same key is their own request.
        other = manager.post("/customers", json=body, headers=headers)
        assert other.status_code == 201 and "idempotent-replayed" not in other.headers
        assert other.json()["id"] != first.json()["id"]
        again = reception.post("/customers", json=body, headers=headers)
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()


def test_a_sign_in_is_never_stored(served_api):
    r = httpx.post(f"{served_api.url}/v1/auth/login", json={"username": "reception", "pin": PINS["reception"]},
                   headers={"Idempotency-Key": f"login-{uuid.uuid4().hex}"})
    assert r.status_code == 200
    token = r.json()["token"]
    engine = create_engine(served_api.db_url)
    try:
        with engine.connect() as conn:
            bodies = conn.execute(text("SELECT body FROM idempotency_keys WHERE body IS NOT NULL")).scalars().all()
    finally:
        engine.dispose()
    assert not any(token.encode() in bytes(b) for b in bodies)


def test_deleting_a_cart_line_twice_with_one_key_replays(served_api):
    with login(served_api.url, "reception") as c:
        sale = c.post("/sales", json={}, headers=key()).json()
        sale = c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_manicure"}, headers=key()).json()
        line_id = sale["lines"][0]["id"]
        headers = key()
        first = c.delete(f"/sales/{sale['id']}/lines/{line_id}", headers=headers)
        second = c.delete(f"/sales/{sale['id']}/lines/{line_id}", headers=headers)
        assert first.status_code == 200 and first.json()["lines"] == []
        assert second.status_code == 200 and second.headers["idempotent-replayed"] == "true"
        assert second.json() == first.json()
        assert c.post(f"/sales/{sale['id']}/abandon", json={}, headers=key()).status_code == 200


def test_a_refused_request_is_replayed_as_refused_and_changes_nothing(served_api):
    with login(served_api.url, "manager") as m:
        card = sell(m, make_package(m, MANICURE_5)["id"])
        headers = key()
        body = {"service_id": "svc_manicure", "quantity": 6}
        first = m.post(f"/cards/{card['id']}/redemptions", json=body, headers=headers)
        assert_problem(first, 409, "insufficient_units")
        second = m.post(f"/cards/{card['id']}/redemptions", json=body, headers=headers)
        assert second.headers["idempotent-replayed"] == "true" and second.json() == first.json()
        assert pool(m.get(f"/cards/{card['id']}").json())["remaining"] == 5


def _fingerprints(db_url: str, staff_id: str, *keys: str) -> list[str]:
    scoped = [hashlib.sha256(f"{staff_id}\0{k}".encode()).hexdigest() for k in keys]
    engine_ = create_engine(db_url)
    try:
        with engine_.connect() as conn:
            found = dict(conn.execute(text("SELECT key, fingerprint FROM idempotency_keys WHERE key IN :keys")
                                      .bindparams(bindparam("keys", expanding=True)), {"keys": scoped}).all())
    finally:
        engine_.dispose()
    return [found[k] for k in scoped]


def test_a_stored_key_does_not_give_away_the_managers_pin(served_api):
    """A manager's PIN on a request must not be recoverable from the key's stored fingerprint: a
    hash of a body whose only unknown is four digits is 10,000 guesses away from the PIN. Someone
    who can read the table and knows everything else about the request, the server's code too,
    hashes each candidate PIN as the server would: the stored value must match all or none."""
    with login(served_api.url, "reception") as c:
        me = c.get("/me").json()["staff"]["id"]
        sale = c.post("/sales", json={}, headers=key()).json()
        sale = c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_facial"}, headers=key()).json()
        path = f"/v1/sales/{sale['id']}/lines/{sale['lines'][0]['id']}"

        def body(pin: str) -> bytes:
            return json.dumps({"price": 0, "approval": {"username": "manager", "pin": pin}}).encode()

        headers = key()
        r = c.patch(path.removeprefix("/v1"), content=body(PINS["manager"]),
                    headers=headers | {"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        (stored,) = _fingerprints(served_api.db_url, me, headers["Idempotency-Key"])
        scope = {"method": "PATCH", "path": path, "query_string": b"", "headers": []}
        matching = [pin for pin in (f"{n:04d}" for n in range(10_000)) if _fingerprint(scope, body(pin)) == stored]
        assert len(matching) in (0, 10_000), matching
        assert c.post(f"/sales/{sale['id']}/abandon", json={}, headers=key()).status_code == 200


def test_one_key_with_another_expected_version_is_another_request(served_api):
    """A move re-sent under the same key but expecting a newer version is not the first move
    replayed: it is refused as a reused key (the till makes a new intent for a new version)."""
    day = some_day()
    with login(served_api.url, "reception") as c:
        appt = booked(c, new_customer(c), at(day, 10), paid())
        headers = key()
        first = c.patch(f"/appointments/{appt['id']}", json={"start": at(day, 11)},
                        headers=headers | {"If-Match": str(appt["version"])})
        assert first.status_code == 200, first.text
        again = c.patch(f"/appointments/{appt['id']}", json={"start": at(day, 11)},
                        headers=headers | {"If-Match": str(first.json()["version"])})
        assert_problem(again, 422, "idempotency_key_reused")


def test_a_key_is_looked_up_before_anything_else_is_refused(served_api):
    """Opening a cart looks its key up in the route's own thread (idempotency_keys.KeyLookup), after
    FastAPI has read the request: a retry is still answered from its key first, whatever else would
    now be refused, and a bad token still gets 401 first, as when the middleware looked it up."""
    with login(served_api.url, "reception") as c:
        customer = new_customer(c)
        headers = key()
        first = c.post("/sales", json={"customer_id": customer}, headers=headers)
        assert first.status_code == 201, first.text
        again = c.post("/sales", json={"customer_id": customer}, headers=headers)
        assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
        assert again.headers.get("idempotent-replayed") == "true"
        # the same key with a body FastAPI refuses (not JSON, not an object) or the route would
        assert_problem(c.post("/sales", content=b"{not json", headers=headers | {"Content-Type": "application/json"}),
                       422, "idempotency_key_reused")
        assert_problem(c.post("/sales", json=[1], headers=headers), 422, "idempotency_key_reused")
        assert_problem(c.post("/sales", json={"customer_id": "cus_nobody"}, headers=headers),
                       422, "idempotency_key_reused")
        assert_problem(c.post("/sales", json=[1], headers=key()), 422, "validation_error")
        for token in ("Bearer nope", "Bearer " + "x" * 300):
            r = httpx.post(f"{served_api.url}/v1/sales", json=[1], verify=TLS,
                           headers=headers | {"Authorization": token})
            assert_problem(r, 401, "unauthenticated")


# --- SIGKILL in the middle of the traffic ------------------------------------------------------


@pytest.mark.timeout(400)
@pytest.mark.parametrize("engine", ENGINES)
def test_kill_9_mid_traffic_loses_and_doubles_nothing(engine, new_db_url):
    """Three terminals redeem while the server is killed with SIGKILL (see tests/support/crash.py):
    after a restart each acknowledged redemption replays, each one in flight happened once or not
    at all, no key is left pending, and the ledger holds one redemption per key."""
    report = kill_and_verify(new_db_url(engine), workers=1 if engine == "sqlite" else 2)
    assert report.rounds == 1 and report.acknowledged >= 30 and report.in_flight >= 1
    assert report.applied == report.keys == report.acknowledged + report.in_flight
