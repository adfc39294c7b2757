"""Sign-in cannot be guessed, flooded or used against the salon (issue 13), over real HTTP against
`desk-tui serve` (two workers on PostgreSQL).

The PINs the bursts and the flood race against are hashed at the product's argon2 cost (their
staff member made by `admin`, made-up usernames checked against the product's dummy hash, the
servers started here keeping the demo's own hashes: ``product_pins``), so that checks overlap as
they do at a real desk. The tests that count one sign-in after another (a guesser, an address,
an unlock) make their staff member's hash at argon2's lightest cost (``quick=True``): a check's
cost changes nothing they assert, and they check some thirty-five PINs per engine, about 0.3 s of
CPU each at the product's cost (argon2 runs four lanes, so on two cores it stalls the other worker).

All test traffic is local, so the callers at different addresses are clients bound to other
loopback addresses (Linux routes all of 127/8 to lo). Each test has its own staff member and its
own addresses, so the limits one test reaches never touch another's.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from desk_tui.server import admin, housekeeping
from desk_tui.server.auth import throttle
from desk_tui.server.auth.models import LoginAttempt
from desk_tui.server.database import utcnow
from tests.support.api_client import TLS, assert_problem, key, login
from tests.support.live_server import LiveServer
from tests.support.quick_pins import staff_made_quickly
from tests.support.served import ServedAPI


def _from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address, verify=TLS), timeout=30)


def _new_staff(db_url: str, pin: str = "4321", role: str = "reception", *, quick: bool = False) -> str:
    username = f"lim{uuid.uuid4().hex[:8]}"
    with staff_made_quickly() if quick else contextlib.nullcontext():
        admin.create_staff(db_url, username=username, name="Limit Test", role=role, pin=pin, locations=["Downtown"])
    return username


def _sign_in(server, username: str, pin: str, address: str) -> httpx.Response:
    with _from(address) as c:
        return c.post(f"{server.url}/v1/auth/login", json={"username": username, "pin": pin})


def _all_at_once(count: int, attempt) -> list[httpx.Response]:
    """``count`` calls of ``attempt`` released together, so they really race."""
    gate = threading.Barrier(count)

    def one(i: int) -> httpx.Response:
        gate.wait(30)
        return attempt(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_a_burst_of_wrong_pins_checks_no_more_than_the_limit(served_api):
    username = _new_staff(served_api.db_url)
    address = "127.0.0.10"
    burst = _all_at_once(40, lambda _: _sign_in(served_api, username, "0000", address))
    statuses = sorted(r.status_code for r in burst)
    # At most the limit got a PIN check; every other attempt was refused without one: 429, or on
    # a machine too busy to serve it in time, 503 (the PIN unchecked, the attempt not counted).
    assert statuses.count(401) <= throttle.PAIR_FREE, statuses
    assert 429 in statuses and set(statuses) <= {401, 429, 503}, statuses
    for r in burst:
        if r.status_code == 429:
            assert_problem(r, 429, "too_many_attempts")
            assert int(r.headers["Retry-After"]) > 0
    # The right PIN, alone or in a burst of its own, gains nothing once the limit is reached.
    assert_problem(_sign_in(served_api, username, "4321", address), 429, "too_many_attempts")
    right = _all_at_once(20, lambda _: _sign_in(served_api, username, "4321", address))
    assert [r.status_code for r in right] == [429] * 20


def test_wrong_pins_from_one_address_do_not_lock_out_another(served_api):
    username = _new_staff(served_api.db_url, quick=True)
    for _ in range(throttle.PAIR_FREE):
        assert_problem(_sign_in(served_api, username, "0000", "127.0.0.11"), 401, "invalid_credentials")
    body = assert_problem(_sign_in(served_api, username, "4321", "127.0.0.11"), 429, "too_many_attempts")
    assert "5 minutes" in body["detail"]
    # The reception desk next door still signs in …
    assert _sign_in(served_api, username, "4321", "127.0.0.12").status_code == 200
    # … and that does not reset the pause of the address that guessed.
    assert_problem(_sign_in(served_api, username, "4321", "127.0.0.11"), 429, "too_many_attempts")


def test_a_guesser_on_many_addresses_is_bounded_and_the_owner_unlocks(served_api):
    username = _new_staff(served_api.db_url, quick=True)
    addresses = [f"127.0.0.{20 + i}" for i in range(throttle.USERNAME_PER_HOUR // throttle.PAIR_FREE + 1)]
    statuses = [_sign_in(served_api, username, "0000", a).status_code
                for a in addresses for _ in range(throttle.PAIR_FREE)]
    assert statuses.count(401) == throttle.USERNAME_PER_HOUR, statuses
    assert statuses.count(429) == len(statuses) - throttle.USERNAME_PER_HOUR
    # The hourly limit of the username holds at an address that never tried.
    fresh = "127.0.0.30"
    assert_problem(_sign_in(served_api, username, "4321", fresh), 429, "too_many_attempts")

    staff_id = next(s["id"] for s in login(served_api.url, "owner").get("/staff").json() if s["username"] == username)
    with login(served_api.url, "manager") as manager:
        assert_problem(manager.post(f"/staff/{staff_id}/unlock"), 403, "forbidden_role")
    assert_problem(_sign_in(served_api, username, "4321", fresh), 429, "too_many_attempts")
    with login(served_api.url, "owner") as owner:
        assert owner.post(f"/staff/{staff_id}/unlock").status_code == 204
        assert_problem(owner.post("/staff/stf_nobody/unlock"), 404, "not_found")
    assert _sign_in(served_api, username, "4321", fresh).status_code == 200
    assert _sign_in(served_api, username, "4321", addresses[0]).status_code == 200


def test_admin_unlock_lets_a_locked_username_sign_in(served_api):
    username = _new_staff(served_api.db_url, quick=True)
    for _ in range(throttle.PAIR_FREE):
        _sign_in(served_api, username, "0000", "127.0.0.31")
    assert_problem(_sign_in(served_api, username, "4321", "127.0.0.31"), 429, "too_many_attempts")
    out = _admin_cli(served_api.db_url, "unlock", "--username", username.upper())
    assert f"{throttle.PAIR_FREE} wrong PINs forgotten" in out
    assert _sign_in(served_api, username, "4321", "127.0.0.31").status_code == 200


def test_a_new_pin_or_deactivation_signs_the_staff_member_out_everywhere(served_api):
    username = _new_staff(served_api.db_url, pin="1357")
    desk, phone = login(served_api.url, username, "1357"), login(served_api.url, username, "1357")
    assert desk.get("/me").status_code == 200 and phone.get("/me").status_code == 200
    admin.set_pin(served_api.db_url, username=username, pin="2468")
    assert_problem(desk.get("/me"), 401, "unauthenticated")
    assert_problem(phone.get("/me"), 401, "unauthenticated")

    again = login(served_api.url, username, "2468")
    assert again.get("/me").status_code == 200
    out = _admin_cli(served_api.db_url, "deactivate-staff", "--username", username)
    assert "signed out of 1 session." in out
    assert_problem(again.get("/me"), 401, "unauthenticated")
    assert_problem(httpx.post(f"{served_api.url}/v1/auth/login", json={"username": username, "pin": "2468"}),
                   401, "invalid_credentials")


def test_a_flood_of_made_up_usernames_does_not_stall_the_till(engine, new_db_url):
    """Four callers with no token sign in with invented usernames as fast as they can while
    reception adds customers: every customer is saved, quickly, and nobody sees a 500."""
    server = ServedAPI(new_db_url(engine), workers=1 if engine == "sqlite" else 2, product_pins=True)
    with server:
        desk = login(server.url, "reception")
        stop = threading.Event()
        seen: list[int] = []

        def flood(address: str) -> None:
            with _from(address) as c:
                while not stop.is_set():
                    r = c.post(f"{server.url}/v1/auth/login",
                               json={"username": f"nobody{uuid.uuid4().hex[:8]}", "pin": "0000"})
                    seen.append(r.status_code)

        floods = [threading.Thread(target=flood, args=(f"127.0.0.{40 + i}",)) for i in range(4)]
        for t in floods:
            t.start()
        try:
            waits = []
            # Saves spread over the flood: the first while the PIN checks run flat out, the
            # last after the limits have started refusing.
            deadline = time.monotonic() + 12
            while time.monotonic() < deadline and len(waits) < 12:
                started = time.monotonic()
                r = desk.post("/customers", json={"name": f"Flood {uuid.uuid4().hex[:6]}"}, headers=key(), timeout=10)
                waits.append(time.monotonic() - started)
                assert r.status_code == 201, r.text
        finally:
            stop.set()
            for t in floods:
                t.join(30)
        assert max(waits) < 5, waits
        assert set(seen) <= {401, 429, 503}, sorted(set(seen))
        assert 401 in seen, "the flood never reached the PIN checks"


@pytest.mark.postgres
def test_no_free_database_connection_is_503_never_500(new_db_url, monkeypatch):
    """One pooled connection, held by someone else: requests wait the pool's time and are told
    the server is busy, whether the route or the idempotency middleware asked for it."""
    monkeypatch.setenv("DESK_DB_CONNECTIONS", "1")
    with LiveServer(new_db_url("postgresql"), demo=True, product_pins=True) as server:
        desk = login(server.url, "reception")
        with server.database.engine.connect():  # the only connection of the pool
            answers = _all_at_once(2, lambda i: httpx.get(f"{server.url}/v1/locations", timeout=30) if i == 0
                                   else desk.post("/customers", json={"name": "Busy"}, headers=key()))
        for r in answers:
            assert_problem(r, 503, "server_busy")
            assert r.headers["Retry-After"] == "2"
        assert desk.post("/customers", json={"name": "Not busy"}, headers=key()).status_code == 201


def _admin_cli(db_url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "desk_tui", "admin", "--db", db_url, *args],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_housekeeping_forgets_made_up_usernames_soon_and_every_wrong_pin_in_time(engine, new_db_url):
    with LiveServer(new_db_url(engine), demo=True, product_pins=True) as server:
        for name in ("nobody1", "nobody2", "nobody3", "reception", "reception"):
            assert_problem(_sign_in(server, name, "0000", "127.0.0.50"), 401, "invalid_credentials")

        def rows() -> list[str]:
            with server.database.read_session() as s:
                return sorted(s.scalars(select(LoginAttempt.username)))

        assert housekeeping.run_once(server.database, hold_timeout=timedelta(minutes=30)).sign_ins_forgotten == 0
        soon = utcnow() + throttle.UNKNOWN_MEMORY + timedelta(minutes=1)
        assert housekeeping.run_once(server.database, hold_timeout=timedelta(minutes=30), now=soon).sign_ins_forgotten == 3
        assert rows() == ["reception", "reception"]
        later = utcnow() + throttle.MEMORY + timedelta(minutes=1)
        assert housekeeping.run_once(server.database, hold_timeout=timedelta(minutes=30), now=later).sign_ins_forgotten == 2
        assert rows() == []
