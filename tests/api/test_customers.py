from __future__ import annotations

import uuid

from tests.support.api_client import assert_problem, key, login


def test_create_get_and_find_by_name_phone_email(api):
    tag = uuid.uuid4().hex[:6]
    with login(api.url, "reception") as c:
        r = c.post("/customers", json={"name": f"Zsuzsa Éles{tag}", "phone": "+36 30 555 1234",
                                       "email": f"Zsuzsa.{tag}@Example.hu"}, headers=key())
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["store_credit"] == 0 and created["email"] == f"zsuzsa.{tag}@example.hu"
        assert c.get(f"/customers/{created['id']}").json()["name"] == f"Zsuzsa Éles{tag}"
        for q in (f"eles{tag}", f"zsu eles{tag[:3]}", "+36 30 555 1234", f"zsuzsa.{tag}"):
            ids = [x["id"] for x in c.get("/customers", params={"q": q}).json()["items"]]
            assert created["id"] in ids, q
        assert c.get("/customers", params={"q": f"nobody{tag}"}).json()["items"] == []


def test_customer_validation_messages(api):
    with login(api.url, "reception") as c:
        assert_problem(c.post("/customers", json={"name": ""}), 422, "validation_error")
        body = assert_problem(c.post("/customers", json={"name": "A", "email": "not-an-email"}), 422, "validation_error")
        assert "email" in body["detail"]
        assert_problem(c.post("/customers", json={"name": "A", "phone": "abc"}), 422, "validation_error")
        assert_problem(c.post("/customers", json={"name": "x" * 10_000}), 422, "validation_error")
        assert_problem(c.post("/customers", json={"name": "A", "nickname": "B"}), 422, "validation_error")
        assert_problem(c.get("/customers/cus_nope"), 404, "not_found")


def test_pagination_walks_every_customer_once(api):
    with login(api.url, "reception") as c:
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": 70} | ({"cursor": cursor} if cursor else {})
            page = c.get("/customers", params=params).json()
            seen += [x["id"] for x in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) >= 300
        assert pages == -(-len(seen) // 70)
        assert_problem(c.get("/customers", params={"cursor": "garbage!"}), 422, "validation_error")
        assert_problem(c.get("/customers", params={"limit": 501}), 422, "validation_error")
        assert_problem(c.get("/customers", params={"limit": 0}), 422, "validation_error")


def test_activity_log_starts_with_the_record_creation(api):
    with login(api.url, "reception") as c:
        created = c.post("/customers", json={"name": "Activity Test"}).json()
        items = c.get(f"/customers/{created['id']}/activity").json()["items"]
        assert [x["kind"] for x in items] == ["customer_created"]
        assert items[0]["staff_name"] == "Réka Tóth"
    with login(api.url, "reception", location_id="loc_riverside") as c:
        # Staff names from another location are not shown
        items = c.get(f"/customers/{created['id']}/activity").json()["items"]
        assert items[0]["staff_name"] is None and items[0]["location_id"] == "loc_downtown"


def test_activity_pages_newest_first_without_gaps_or_repeats(api):
    with login(api.url, "manager") as c:
        created = c.post("/customers", json={"name": "Paging Panna"}, headers=key()).json()
        card = c.post("/cards", json={"package_id": "pkg_demo_5x_manicure", "customer_id": created["id"],
                                      "note": "paging test", "reason": "paging test"}, headers=key()).json()
        for _ in range(3):
            assert c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"},
                          headers=key()).status_code == 201
        everything = c.get(f"/customers/{created['id']}/activity", params={"limit": 100}).json()["items"]
        assert len(everything) >= 5
        seen, cursor = [], None
        while True:
            page = c.get(f"/customers/{created['id']}/activity",
                         params={"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == [e["id"] for e in everything]
        stamps = [e["at"] for e in everything]
        assert stamps == sorted(stamps, reverse=True)
