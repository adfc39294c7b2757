"""Cross-cutting conventions of the API (docs/api.md): idempotency, problem+json, ETags."""

from __future__ import annotations

import uuid

import httpx

from tests.support.api_client import assert_problem, login


def _count(c: httpx.Client, q: str) -> int:
    return len(c.get("/customers", params={"q": q}).json()["items"])


def test_same_key_same_body_replays_without_a_second_write(api):
    tag = uuid.uuid4().hex[:8]
    with login(api.url, "reception") as c:
        headers = {"Idempotency-Key": f"create-{tag}"}
        first = c.post("/customers", json={"name": f"Idem {tag}"}, headers=headers)
        second = c.post("/customers", json={"name": f"Idem {tag}"}, headers=headers)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert _count(c, tag) == 1


def test_same_key_other_body_is_422(api):
    tag = uuid.uuid4().hex[:8]
    with login(api.url, "reception") as c:
        headers = {"Idempotency-Key": f"k-{tag}"}
        assert c.post("/customers", json={"name": f"One {tag}"}, headers=headers).status_code == 201
        assert_problem(c.post("/customers", json={"name": f"Two {tag}"}, headers=headers), 422, "idempotency_key_reused")
        assert _count(c, tag) == 1


def test_a_failed_request_releases_its_key(api):
    # 401: the request never ran, so the same key may be used again once signed in.
    tag = uuid.uuid4().hex[:8]
    headers = {"Idempotency-Key": f"auth-{tag}"}
    assert httpx.post(f"{api.url}/v1/customers", json={"name": f"Late {tag}"}, headers=headers).status_code == 401
    with login(api.url, "reception") as c:
        assert c.post("/customers", json={"name": f"Late {tag}"}, headers=headers).status_code == 201


def test_over_long_key_is_refused(api):
    with login(api.url, "reception") as c:
        assert_problem(c.post("/customers", json={"name": "X"}, headers={"Idempotency-Key": "k" * 201}), 422,
                       "validation_error")


def test_bad_input_is_problem_json_never_500(api):
    with login(api.url, "manager") as c:
        cases = [
            c.post("/customers", content=b"{not json", headers={"content-type": "application/json"}),
            c.post("/customers", content=b"\xff\xfe\x00", headers={"content-type": "application/json"}),
            c.post("/customers", json=["a", "list"]),
            c.post("/customers", json={"name": 12}),
            c.post("/services", json={"name": "X", "category": "Y", "duration_min": "long", "price": -1,
                                      "location_ids": []}),
            c.patch("/products/prd_hand_cream", json={"price": 10**20}),
            c.get("/customers", params={"q": "x" * 5000}),
        ]
        for r in cases:
            assert_problem(r, 422, "validation_error")
        assert_problem(c.get("/nowhere"), 404, "not_found")
        assert_problem(c.delete("/customers"), 405, "method_not_allowed")


def test_etag_and_if_none_match(api):
    with login(api.url, "reception") as c:
        first = c.get("/services")
        etag = first.headers["etag"]
        again = c.get("/services", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert c.get("/services", headers={"If-None-Match": 'W/"other"'}).status_code == 200
    with login(api.url, "manager") as m:
        p1 = m.get("/products")
        price = next(p["price"] for p in p1.json() if p["id"] == "prd_gift_box")
        m.patch("/products/prd_gift_box", json={"price": price + 100})
        # a change invalidates the old ETag: the cache gets the new list, not a 304
        p2 = m.get("/products", headers={"If-None-Match": p1.headers["etag"]})
        assert p2.status_code == 200 and p2.headers["etag"] != p1.headers["etag"]


def test_openapi_document_is_served(api):
    # built on the first ask: seconds on a busy machine, past httpx's 5 s default
    doc = httpx.get(f"{api.url}/openapi.json", timeout=60).json()
    for path in ("/v1/auth/login", "/v1/customers", "/v1/customers/{customer_id}/activity", "/v1/services"):
        assert path in doc["paths"]


def test_a_nul_character_anywhere_is_refused_not_a_500(api):
    with login(api.url, "reception") as c:
        assert_problem(c.post("/customers", json={"name": "Nul\u0000Name"}), 422, "validation_error")
        assert_problem(c.get("/customers", params={"q": "a\u0000b"}), 422, "validation_error")
        assert_problem(c.get("/customers/cus_%00"), 422, "validation_error")
