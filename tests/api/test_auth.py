"""Sign-in, tokens and roles, against PINs hashed at the product's own argon2 cost: the other API
tests' demo accounts keep cheap hashes of the same PINs (tests/support/quick_pins.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from argon2 import Type, extract_parameters, profiles
from sqlalchemy import select

from desk_tui.server import admin
from desk_tui.server.reference.models import Staff
from tests.support.api_client import assert_problem, login
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def api(engine, new_db_url):
    """The demo salon as the product seeds it: its accounts' PINs at the product's cost."""
    with LiveServer(new_db_url(engine), demo=True, product_pins=True) as server:
        yield server


def test_pins_are_kept_as_argon2id_at_the_products_cost(api):
    """The product's hasher is argon2-cffi's default, RFC 9106's low-memory profile (t=3, 64 MiB,
    p=4): the demo's accounts and one made by `admin` both. A cheaper cost is a decision, not a slip."""
    admin.create_staff(api.db_url, username=f"cost{uuid.uuid4().hex[:8]}", name="Cost Test", role="reception",
                       pin="4321", locations=["Downtown"])
    with api.database.read_session() as s:
        hashes = list(s.scalars(select(Staff.pin_hash).where(Staff.pin_hash.is_not(None))))
    assert len(hashes) >= 4
    for pin_hash in hashes:
        parameters = extract_parameters(pin_hash)
        assert parameters.type is Type.ID
        assert parameters == profiles.RFC_9106_LOW_MEMORY, parameters


def test_login_returns_token_staff_and_location(api):
    r = httpx.post(f"{api.url}/v1/auth/login", json={"username": "reception", "pin": "1111"})
    assert r.status_code == 200
    body = r.json()
    assert body["staff"]["role"] == "reception" and body["staff"]["name"] == "Réka Tóth"
    assert body["location"]["name"] == "Downtown"
    assert datetime.fromisoformat(body["expires_at"]).tzinfo is not None
    me = httpx.get(f"{api.url}/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["staff"]["username"] == "reception"


def test_token_is_bound_to_the_chosen_location(api):
    with login(api.url, "manager", location_id="loc_riverside") as c:
        assert c.get("/me").json()["location"]["id"] == "loc_riverside"


def test_unknown_location_for_staff_is_refused(api):
    r = httpx.post(f"{api.url}/v1/auth/login", json={"username": "manager", "pin": "2222", "location_id": "loc_nowhere"})
    assert_problem(r, 403, "forbidden_role")


def test_wrong_pin_is_401_with_a_sentence(api):
    r = httpx.post(f"{api.url}/v1/auth/login", json={"username": "owner", "pin": "0000"})
    body = assert_problem(r, 401, "invalid_credentials")
    assert "do not match" in body["detail"]


def test_no_token_and_bad_token_are_401(api):
    assert_problem(httpx.get(f"{api.url}/v1/me"), 401, "unauthenticated")
    assert_problem(httpx.get(f"{api.url}/v1/me", headers={"Authorization": "Bearer nope"}), 401, "unauthenticated")
    assert_problem(httpx.get(f"{api.url}/v1/services", headers={"Authorization": "Basic x"}), 401, "unauthenticated")


def test_a_bad_token_is_401_before_anything_else_is_refused(api):
    """The calendar, search and wallet check the token in the route's own thread (deps.PendingSignIn):
    a request FastAPI refuses before its route runs, or one the route would refuse, still answers
    401 first for a token that is not good, as when the check ran before everything else."""
    with login(api.url, "reception") as c:
        revoked = c.headers["Authorization"]
        assert c.post("/auth/logout").status_code == 204
    with login(api.url, "reception") as good:
        refused = [("/appointments", {"date": "not-a-date"}, 422, "validation_error"),
                   ("/appointments", {"date": "2031-03-03", "staff_id": "x" * 500}, 422, "validation_error"),
                   ("/customers", {"q": "x" * 300}, 422, "validation_error"),
                   ("/customers/cus_nobody/wallet", {}, 404, "not_found")]
        for path, params, status, code in refused:
            assert_problem(good.get(path, params=params), status, code)
            for token in (revoked, "Bearer nope"):
                r = httpx.get(f"{api.url}/v1{path}", params=params, headers={"Authorization": token})
                assert_problem(r, 401, "unauthenticated")
        for path, params in (("/appointments", {"date": "2031-03-03"}), ("/customers", {"q": "anna"})):
            assert good.get(path, params=params).status_code == 200
            assert_problem(httpx.get(f"{api.url}/v1{path}", params=params, headers={"Authorization": revoked}),
                           401, "unauthenticated")


def test_logout_revokes_the_token(api):
    c = login(api.url, "reception")
    assert c.get("/me").status_code == 200
    assert c.post("/auth/logout").status_code == 204
    assert_problem(c.get("/me"), 401, "unauthenticated")


def test_five_wrong_pins_lock_the_account_for_a_while(api):
    username = f"temp{uuid.uuid4().hex[:8]}"
    admin.create_staff(api.db_url, username=username, name="Temp", role="reception", pin="4321", locations=["Downtown"])
    url = f"{api.url}/v1/auth/login"
    for _ in range(5):
        assert_problem(httpx.post(url, json={"username": username, "pin": "9999"}), 401, "invalid_credentials")
    # Even the right PIN is refused during the lock-out: guessing gains nothing.
    body = assert_problem(httpx.post(url, json={"username": username, "pin": "4321"}), 429, "too_many_attempts")
    assert "minutes" in body["detail"]
    # Other accounts are unaffected.
    assert httpx.post(url, json={"username": "owner", "pin": "3333"}).status_code == 200


def test_roles_are_enforced_by_the_server(api):
    body = {"name": "Lash Lift", "category": "Lashes", "duration_min": 45, "price": 9000, "location_ids": ["loc_downtown"]}
    with login(api.url, "reception") as c:
        assert_problem(c.post("/services", json=body), 403, "forbidden_role")
        assert_problem(c.post("/products", json={"name": "Comb", "price": 900}), 403, "forbidden_role")
    with login(api.url, "manager") as c:
        r = c.post("/services", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["location_ids"] == ["loc_downtown"]


def test_admin_set_pin_changes_the_pin(api):
    username = f"pin{uuid.uuid4().hex[:8]}"
    admin.create_staff(api.db_url, username=username, name="Pin Test", role="manager", pin="1234", locations=["Riverside"])
    admin.set_pin(api.db_url, username=username, pin="5678")
    url = f"{api.url}/v1/auth/login"
    assert httpx.post(url, json={"username": username, "pin": "1234"}).status_code == 401
    ok = httpx.post(url, json={"username": username, "pin": "5678"})
    assert ok.status_code == 200 and ok.json()["location"]["name"] == "Riverside"
