"""Thin helpers for API tests: real httpx over loopback, nothing mocked."""

from __future__ import annotations

import uuid

import httpx

PINS = {"reception": "1111", "manager": "2222", "owner": "3333"}

#: The TLS context every helper client here is given. Left to itself httpx makes a new one for
#: each client, reading the whole CA bundle (30–80 ms of CPU), even for plain HTTP on loopback as
#: here, and the suite makes thousands of helper clients: one context, made once, with httpx's
#: own default trust (the app's client does the same for http://: desk_tui.client.tls.tls_for).
TLS = httpx.create_ssl_context()


def login(base_url: str, username: str, pin: str | None = None, location_id: str | None = None) -> httpx.Client:
    body = {"username": username, "pin": pin or PINS[username]}
    if location_id:
        body["location_id"] = location_id
    r = httpx.post(f"{base_url}/v1/auth/login", json=body, timeout=30, verify=TLS)
    r.raise_for_status()
    return httpx.Client(base_url=base_url + "/v1", timeout=30, verify=TLS,
                        headers={"Authorization": f"Bearer {r.json()['token']}"})


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["title"] and body["detail"]
    return body


_MANAGERS: dict[str, httpx.Client] = {}


def as_manager(c: httpx.Client) -> httpx.Client:
    """``c`` itself when it is a manager's or owner's client, else the demo manager signed in at
    ``c``'s location: the one who gives a card or a membership without a sale (one sign-in per
    client, kept for the session)."""
    token = c.headers["Authorization"]
    if token not in _MANAGERS:
        me = c.get("/me").json()
        if me["staff"]["role"] in ("manager", "owner"):
            _MANAGERS[token] = c
        else:
            base = str(c.base_url).rstrip("/").removesuffix("/v1")
            _MANAGERS[token] = login(base, "manager", location_id=me["location"]["id"])
    return _MANAGERS[token]
