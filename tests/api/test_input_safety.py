"""Input that cannot hurt, over real HTTP on both engines: control characters are refused in every
free-text field, extreme cursors, prices and report dates are answered (never a 5xx or a cut
connection), bodies are limited before anything reads them, and the CSV export runs no formula
whatever separator the spreadsheet splits on."""

from __future__ import annotations

import base64
import csv
import io
import json
import socket
import sqlite3
import stat
import time

import httpx

from desk_tui.contract.common import PRICE_MAX
from desk_tui.server.cards.routes import IMPORT_MAX_BYTES
from desk_tui.server.reports.service import _cell
from desk_tui.server.serve import prepare
from tests.api.arrange_cards import make_package, new_customer, redeemed, sell, tag
from tests.api.arrange_memberships import enrol, make_plan
from tests.support.api_client import assert_problem, key, login
from tests.support.live_server import LiveServer

#: what a planted name did to every desk: set the window title, write the clipboard (OSC 52),
#: clear the screen (C1 CSI), ring the bell; and a forged second line
HOSTILE = ["Evil\x1b]0;pwned\x07", "Clip\x1b]52;c;ZWNobyBoaQ==\x07", "Clear\x9b2J", "Bell\x07", "Two\nlines",
           "Tab\there", "Del\x7f", "Carriage\rreturn"]


def _writes(c: httpx.Client, m: httpx.Client, o: httpx.Client) -> list[tuple[httpx.Client, str, str, dict, str]]:
    """(client, method, path, body with {} where the text goes, field) for free-text fields across the API."""
    customer = new_customer(m)["id"]
    card = sell(m, make_package(m)["id"], customer)["id"]
    first = redeemed(m, card)["transaction"]["id"]
    plan = make_plan(m)
    enrolment = enrol(m, customer, plan["id"])["id"]
    sale = c.post("/sales", json={"customer_id": customer}, headers=key()).json()["id"]
    return [
        (c, "POST", "/customers", {"name": "{}"}, "name"),
        (c, "POST", "/customers", {"name": "Fine", "phone": "+36 30 {}"}, "phone"),
        (c, "POST", "/customers", {"name": "Fine", "email": "a{}@example.hu"}, "email"),
        (m, "POST", "/cards", {"package_id": "pkg_demo_5x_manicure", "customer_id": customer, "note": "{}"}, "note"),
        (m, "POST", "/cards", {"package_id": "pkg_demo_5x_manicure", "customer_id": customer, "note": "ok",
                               "number": "N{}"}, "number"),
        (c, "POST", f"/cards/{card}/redemptions", {"service_id": "svc_manicure", "note": "{}"}, "note"),
        (m, "POST", f"/cards/{card}/transactions/{first}/undo", {"reason": "{}"}, "reason"),
        (m, "POST", f"/cards/{card}/adjustments", {"units": 1, "reason": "{}"}, "reason"),
        (m, "PATCH", f"/cards/{card}", {"note": "{}"}, "note"),
        (m, "POST", f"/cards/{card}/refund", {"reason": "{}"}, "reason"),
        (m, "POST", "/cards/extend", {"days": 1, "reason": "{}", "dry_run": True}, "reason"),
        (m, "POST", "/packages", {"name": "{}", "entitlements": [{"units": 1, "services": [
            {"service_id": "svc_manicure"}]}]}, "name"),
        (m, "POST", "/packages", {"name": "P", "description": "{}", "entitlements": [{"units": 1, "services": [
            {"service_id": "svc_manicure"}]}]}, "description"),
        (m, "POST", "/packages", {"name": "P", "unit_type": "{}", "entitlements": [{"units": 1, "services": [
            {"service_id": "svc_manicure"}]}]}, "unit_type"),
        (m, "POST", "/membership-plans", {"name": "{}", "price": 100}, "name"),
        (m, "PATCH", f"/membership-plans/{plan['id']}", {"description": "{}"}, "description"),
        (m, "POST", "/membership-plans", {"name": "P", "price": 100, "discounts": [
            {"scope": "category", "target": "{}", "percent": 5}]}, "discounts.0.target"),
        (m, "POST", f"/memberships/{enrolment}/cancel", {"reason": "{}"}, "reason"),
        (o, "POST", "/services", {"name": "{}", "category": "Nails", "duration_min": 30, "price": 100,
                                  "location_ids": ["loc_downtown"]}, "name"),
        (o, "POST", "/products", {"name": "{}", "price": 100}, "name"),
        (c, "POST", f"/sales/{sale}/abandon", {"reason": "{}"}, "reason"),
        (c, "POST", "/appointments", {"customer_id": customer, "staff_id": "stf_anna", "start": "2031-05-05T10:00:00+02:00",
                                      "lines": [{"service_id": "svc_manicure"}], "note": "{}"}, "note"),
    ]


def _fill(body, text: str):
    if isinstance(body, dict):
        return {k: _fill(v, text) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, text) for v in body]
    return body.replace("{}", text) if isinstance(body, str) and "{}" in body else body


def test_control_characters_are_refused_in_every_text_field_and_the_field_is_named(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m, login(api.url, "owner") as o:
        for n, (client, method, path, body, field) in enumerate(_writes(c, m, o)):
            for text in HOSTILE if n == 0 else HOSTILE[1:3]:  # every kind once; escape sequences everywhere
                r = client.request(method, path, json=_fill(body, text), headers=key())
                problem = assert_problem(r, 422, "validation_error")
                assert [e["field"] for e in problem["errors"]] == [field], (path, text, problem)
                assert "control character" in problem["errors"][0]["message"], problem
        # the same fields still take any printable text, accents and symbols included
        r = c.post("/customers", json={"name": "Éva Ő'Brien — ★ [VIP]"}, headers=key())
        assert r.status_code == 201 and r.json()["name"] == "Éva Ő'Brien — ★ [VIP]"


def test_the_schema_says_which_characters_a_text_field_takes(api):
    schema = httpx.get(f"{api.url}/openapi.json", timeout=60).json()["components"]["schemas"]
    assert schema["CustomerCreate"]["properties"]["name"]["pattern"] == r"^[^\x00-\x1f\x7f-\x9f]*$"


def _cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


EXTREME_INSTANTS = ["0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00-05:00",
                    "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+05:00",
                    "0001-01-01", "9999-12-31"]


def test_cursors_at_the_ends_of_time_are_answered_not_a_server_error(api):
    with login(api.url, "manager") as m:
        customer = new_customer(m)["id"]
        enrol(m, customer, make_plan(m)["id"])
        for path in ("/cards", "/sales", f"/customers/{customer}/activity", f"/customers/{customer}/memberships",
                     "/reports/expiring"):
            for instant in EXTREME_INSTANTS:
                r = m.get(path, params={"cursor": _cursor(instant, "zzz")})
                assert r.status_code in (200, 422), (path, instant, r.status_code, r.text[:200])
                if r.status_code == 422:
                    assert_problem(r, 422, "validation_error")


def test_prices_are_bounded_to_what_every_column_holds_on_both_engines(api):
    with login(api.url, "owner") as o:
        for too_much in (PRICE_MAX + 1, 2**31, 10**12):
            service = {"name": f"Gold leaf {tag()}", "category": "Nails", "duration_min": 30, "price": too_much,
                       "location_ids": ["loc_downtown"]}
            for method, path, body in (("POST", "/services", service),
                                       ("POST", "/products", {"name": f"Serum {tag()}", "price": too_much}),
                                       ("POST", "/packages", {"name": "P", "price": too_much, "entitlements": [
                                           {"units": 1, "services": [{"service_id": "svc_manicure"}]}]}),
                                       ("POST", "/membership-plans", {"name": "P", "price": too_much})):
                problem = assert_problem(o.request(method, path, json=body, headers=key()), 422, "validation_error")
                assert problem["errors"][0]["field"] == "price", problem
        # the largest accepted price is stored and read back exactly, wherever a price goes
        service = o.post("/services", json={"name": f"Gold leaf {tag()}", "category": "Nails", "duration_min": 30,
                                            "price": PRICE_MAX, "location_ids": ["loc_downtown"]}, headers=key())
        assert service.status_code == 201 and service.json()["price"] == PRICE_MAX, service.text
        product = o.post("/products", json={"name": f"Serum {tag()}", "price": PRICE_MAX}, headers=key())
        assert product.status_code == 201 and product.json()["price"] == PRICE_MAX, product.text
        sale = o.post("/sales", json={}, headers=key()).json()
        line = o.post(f"/sales/{sale['id']}/lines", json={"product_id": product.json()["id"], "quantity": 3},
                      headers=key())
        assert line.status_code == 201 and line.json()["total"] == 3 * PRICE_MAX, line.text
        assert_problem(o.post(f"/sales/{sale['id']}/lines", json={"product_id": product.json()["id"],
                                                                  "price": 2**31}, headers=key()),
                       422, "validation_error")


def test_the_csv_export_runs_from_the_first_to_the_last_possible_day(api):
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m)["id"], note=f"range {tag()}")
        for params in ({"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": "0001-01-01", "to": "9999-12-31"}):
            r = m.get("/reports/card-transactions.csv", params=params)  # a cut connection raises here
            assert r.status_code == 200, r.text
            rows = list(csv.DictReader(io.StringIO(r.text)))
            assert card["id"] in {row["card_id"] for row in rows}, params
        assert m.get("/reports/card-transactions.csv", params={"from": "9999-12-31"}).text.count("\n") == 1
        assert m.get("/reports/card-transactions.csv", params={"to": "0001-01-01"}).text.count("\n") == 1


# -- the body limit ---------------------------------------------------------------------------

def _raw_post(url: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes, float]:
    """POST over a plain socket that sends the headers and ``body`` but not the rest of what it
    declared: the answer must come without the server waiting for (or reading) the body."""
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(head.encode() + b"\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < 20:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1], time.monotonic() - started


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(api):
    for headers in ({}, {"Idempotency-Key": key()["Idempotency-Key"]}):
        status, body, took = _raw_post(api.url, "/v1/customers", {
            "Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)} | headers)
        assert status == 413 and b"payload_too_large" in body, body
        assert took < 5


def test_large_bodies_without_a_token_get_413_whole_or_chunked(api):
    def chunks():
        for _ in range(40):
            yield b" " * 100_000  # 4 MB of JSON whitespace, sent without a Content-Length

    for headers in ({}, {"Idempotency-Key": key()["Idempotency-Key"]}):
        whole = httpx.post(f"{api.url}/v1/customers", content=b" " * 4_000_000, timeout=30,
                           headers={"Content-Type": "application/json"} | headers)
        assert_problem(whole, 413, "payload_too_large")
        chunked = httpx.post(f"{api.url}/v1/customers", content=chunks(), timeout=30,
                             headers={"Content-Type": "application/json"} | headers)
        assert "content-length" not in chunked.request.headers
        assert_problem(chunked, 413, "payload_too_large")
    # a body under the limit still reaches the route (which wants a token)
    assert_problem(httpx.post(f"{api.url}/v1/customers", json={"name": "x" * 500_000}), 401, "unauthenticated")


def test_the_card_import_takes_a_file_larger_than_the_default_limit(api):
    with login(api.url, "owner") as o:
        header = "package_id,customer_id,customer_name,note\n"
        row = f"pkg_demo_5x_manicure,,Imported {tag()},{'n' * 1900}\n"
        text = header + row * 800  # ≈ 1.5 MiB: over the 1 MiB of other routes, under the import's
        assert 1024 * 1024 < len(text) < IMPORT_MAX_BYTES
        r = o.post("/imports/cards", params={"dry_run": "true"}, content=text.encode(),
                   headers={"content-type": "text/csv"} | key())
        assert r.status_code == 200, r.text[:300]
        assert r.json()["accepted"] == 800 and r.json()["rejected"] == []
        chunked = o.post("/imports/cards", params={"dry_run": "true"}, content=iter([text.encode()] * 1),
                         headers={"content-type": "text/csv"})
        assert chunked.status_code == 200 and chunked.json()["accepted"] == 800


# -- the CSV export ---------------------------------------------------------------------------

def test_cell_defuses_a_formula_wherever_a_reader_may_start_a_cell():
    assert _cell("=1+1") == "'=1+1"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("ok;=cmd|' /C calc'!A0") == "ok;'=cmd|' /C calc'!A0"
    assert _cell("a, -2") == "a, '-2"
    assert _cell("a\t+1") == "a\t'+1"
    assert _cell("plain; text, fine") == "plain; text, fine"
    assert _cell("2026-05-01T10:00:00+02:00") == "2026-05-01T10:00:00+02:00"
    assert _cell(-3) == -3 and _cell(None) == ""


def _formula_cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row
            if cell.lstrip(" ").startswith(("=", "+", "-", "@"))]


def test_the_export_runs_no_formula_whichever_separator_the_spreadsheet_uses(api):
    with login(api.url, "manager") as m:
        planted = f"ok;=cmd|' /C calc'!A0,+1;@SUM(A1) {tag()}"
        card = sell(m, make_package(m)["id"], note=planted)
        text = m.get("/reports/card-transactions.csv").text
        mine = [line for line in text.splitlines() if card["id"] in line]
        assert mine, "the planted note is in the export"
        for delimiter in (",", ";", "\t"):
            # numbers (units, amounts) may be negative; text cells never start a formula
            assert [c for c in _formula_cells("\n".join(mine), delimiter) if not c.lstrip("-").isdigit()] == [], (
                delimiter, mine)
        # read as written (commas), the note is whole and says what was typed, defused
        row = next(r for r in csv.DictReader(io.StringIO(text)) if r["card_id"] == card["id"] and r["note"])
        assert row["note"] == f"ok;'=cmd|' /C calc'!A0,'+1;'@SUM(A1) {planted.rsplit(' ', 1)[1]}"


# -- the SQLite file ----------------------------------------------------------------------------

def test_the_sqlite_database_and_its_wal_are_readable_by_their_owner_alone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("private")
    path = folder / "desk.db"
    with LiveServer(f"sqlite:///{path}", demo=False) as server:
        peek = sqlite3.connect(path)  # an open reader keeps the -wal and -shm files in place
        try:
            peek.execute("SELECT count(*) FROM customers").fetchone()
            assert_problem(httpx.post(f"{server.url}/v1/customers", json={"name": "x"}), 401, "unauthenticated")
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
        finally:
            peek.close()
    assert set(modes) >= {"desk.db", "desk.db-wal", "desk.db-shm"}, modes
    assert set(modes.values()) == {0o600}, modes
    # a file an older version left world-readable is made private when the server starts
    path.chmod(0o644)
    prepare(f"sqlite:///{path}", demo=False).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
