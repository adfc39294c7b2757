"""Package templates: shapes, validation, roles, deactivation, and edits that never reach issued cards."""

from __future__ import annotations

from tests.api.arrange_cards import (
    FACIALS_AND_MASSAGES,
    MANICURE_5,
    PAMPER_360,
    make_package,
    pool,
    redeemed,
    sell,
    tag,
)
from tests.support.api_client import assert_problem, key, login


def test_every_shape_of_template_round_trips(api):
    with login(api.url, "manager") as c:
        five = make_package(c, MANICURE_5, name=f"5x Manicure {tag()}")
        assert [(e["units"], e["services"]) for e in five["entitlements"]] == [
            (5, [{"service_id": "svc_manicure", "service_name": "Manicure", "unit_cost": 1}])]
        pamper = make_package(c, PAMPER_360, unit_type="minutes", price=60000, tax_inclusive=False, expiry_days=None,
                              description="Any mix")
        assert pamper["unit_type"] == "minutes" and pamper["expiry_days"] is None and not pamper["tax_inclusive"]
        assert {x["service_id"]: x["unit_cost"] for x in pamper["entitlements"][0]["services"]} == {
            "svc_manicure": 60, "svc_pedicure": 60, "svc_deep_tissue": 120}
        bundle = make_package(c, FACIALS_AND_MASSAGES)
        assert [e["units"] for e in bundle["entitlements"]] == [3, 2]
        assert c.get(f"/packages/{bundle['id']}").json() == bundle
        listed = []
        cursor = None
        while True:
            page = c.get("/packages", params={"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
            listed += [p["id"] for p in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert {five["id"], pamper["id"], bundle["id"]} <= set(listed) and len(listed) == len(set(listed))


def test_only_managers_and_owners_write_templates(api):
    with login(api.url, "reception") as c:
        assert c.get("/packages").status_code == 200
        assert_problem(c.post("/packages", json={"name": "X", "entitlements": MANICURE_5}), 403, "forbidden_role")
        assert_problem(c.patch("/packages/pkg_demo_5x_manicure", json={"price": 1}), 403, "forbidden_role")
    with login(api.url, "owner") as c:
        pkg = make_package(c)
        assert c.patch(f"/packages/{pkg['id']}", json={"price": 1}, headers=key()).json()["price"] == 1


def test_templates_are_never_deleted(api):
    with login(api.url, "owner") as c:
        pkg = make_package(c)
        body = assert_problem(c.delete(f"/packages/{pkg['id']}"), 405, "method_not_allowed")
        assert "inactive" in body["detail"]
        assert c.get(f"/packages/{pkg['id']}").status_code == 200


def test_template_validation(api):
    with login(api.url, "manager") as c:
        bad = [
            {"name": "X", "entitlements": []},
            {"name": "X"},
            {"name": "", "entitlements": MANICURE_5},
            {"name": "X", "price": -1, "entitlements": MANICURE_5},
            {"name": "X", "price": 10**20, "entitlements": MANICURE_5},
            {"name": "X", "expiry_days": 0, "entitlements": MANICURE_5},
            {"name": "X", "entitlements": [{"units": 0, "services": [{"service_id": "svc_manicure"}]}]},
            {"name": "X", "entitlements": [{"units": 5, "services": []}]},
            {"name": "X", "entitlements": [{"units": 5, "services": [{"service_id": "svc_manicure", "unit_cost": 0}]}]},
            {"name": "X", "entitlements": [{"units": 5, "services": [{"service_id": "svc_manicure"},
                                                                     {"service_id": "svc_manicure"}]}]},
            {"name": "X", "entitlements": [{"units": 5, "services": [{"service_id": "svc_nope"}]}]},
            {"name": "X", "colour": "red", "entitlements": MANICURE_5},
        ]
        for body in bad:
            assert_problem(c.post("/packages", json=body), 422, "validation_error")
        pkg = make_package(c)
        for patch in ({"name": None}, {"entitlements": None}, {"entitlements": []}, {"price": "free"},
                      {"entitlements": [{"id": "ent_other", "units": 1, "services": [{"service_id": "svc_manicure"}]}]}):
            assert_problem(c.patch(f"/packages/{pkg['id']}", json=patch), 422, "validation_error")
        assert_problem(c.get("/packages/pkg_nope"), 404, "not_found")
        assert_problem(c.patch("/packages/pkg_nope", json={"price": 1}), 404, "not_found")


def test_editing_a_template_never_changes_issued_cards(api):
    with login(api.url, "manager") as c:
        pkg = make_package(c, MANICURE_5, name=f"Before {tag()}", expiry_days=30)
        card = sell(c, pkg["id"])
        ent_id = pkg["entitlements"][0]["id"]
        edited = c.patch(f"/packages/{pkg['id']}", headers=key(), json={
            "name": f"After {tag()}", "expiry_days": 400, "price": 99000,
            "entitlements": [{"id": ent_id, "units": 10, "services": [{"service_id": "svc_manicure", "unit_cost": 2},
                                                                    {"service_id": "svc_pedicure"}]}]}).json()
        assert edited["entitlements"][0]["id"] == ent_id and edited["entitlements"][0]["units"] == 10
        after = c.get(f"/cards/{card['id']}").json()
        assert after == card
        redeemed(c, card["id"])
        assert pool(c.get(f"/cards/{card['id']}").json())["used"] == 1
        assert c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_pedicure"},
                      headers=key()).json()["code"] == "service_not_in_package"
        fresh = sell(c, pkg["id"])
        assert fresh["package_name"] == edited["name"] and fresh["price_paid"] == 99000
        assert pool(fresh)["initial"] == 10 and fresh["expires_on"] != card["expires_on"]
        # Replacing the pools altogether (new ids) leaves the cards alone too.
        c.patch(f"/packages/{pkg['id']}", headers=key(), json={"entitlements": MANICURE_5})
        assert c.get(f"/cards/{fresh['id']}").json()["balances"] == fresh["balances"]


def test_inactive_templates_are_not_sold_but_their_cards_still_work(api):
    with login(api.url, "manager") as c:
        pkg = make_package(c)
        card = sell(c, pkg["id"])
        assert c.patch(f"/packages/{pkg['id']}", json={"active": False}, headers=key()).json()["active"] is False
        assert pkg["id"] not in [p["id"] for p in c.get("/packages", params={"active": True, "limit": 500}).json()["items"]]
        assert pkg["id"] in [p["id"] for p in c.get("/packages", params={"active": False, "limit": 500}).json()["items"]]
        r = c.post("/cards", json={"package_id": pkg["id"], "customer_id": card["customer_id"], "note": "x",
                                   "reason": "x"})
        assert_problem(r, 409, "package_inactive")
        redeemed(c, card["id"])
        c.patch(f"/packages/{pkg['id']}", json={"active": True}, headers=key())
        sell(c, pkg["id"])
