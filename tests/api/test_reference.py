from __future__ import annotations

import httpx

from tests.support.api_client import assert_problem, key, login


def test_settings_locations_staff_services_products(api):
    with login(api.url, "reception") as c:
        settings = c.get("/settings").json()
        assert settings == {"currency": "HUF", "currency_decimals": 0, "timezone": "Europe/Budapest",
                            "business_name": "Bella Salon & Spa", "max_discount_percent_without_manager": 20,
                            "phone_region": "HU", "membership_grace_days": 14, "prices_include_tax": True,
                            "vat_rate": 27}
        assert [x["name"] for x in c.get("/locations").json()] == ["Downtown", "Riverside"]
        staff = {s["username"]: s for s in c.get("/staff").json() if s["username"]}
        assert {k: v["role"] for k, v in staff.items()}.items() >= {"reception": "reception", "manager": "manager", "owner": "owner"}.items()
        services = {s["name"]: s for s in c.get("/services").json()}
        assert {"Manicure", "Pedicure", "Deep Tissue Massage", "Swedish Massage", "Facial"} <= set(services)
        assert services["Manicure"]["category"] == "Nails" and services["Facial"]["category"] == "Skin"
        assert services["Hot Stone Massage"]["location_ids"] == ["loc_downtown"]
        assert len(c.get("/products").json()) >= 3


def test_locations_are_public_for_the_login_screen(api):
    assert httpx.get(f"{api.url}/v1/locations").status_code == 200


def test_manager_edits_a_service_and_a_product(api):
    with login(api.url, "manager") as c:
        created = c.post("/products", json={"name": "Nail File", "price": 1200}, headers=key()).json()
        r = c.patch(f"/products/{created['id']}", json={"price": 1500})
        assert r.status_code == 200 and r.json()["price"] == 1500
        svc = c.post("/services", json={"name": "Brow Tint", "category": "Brows", "duration_min": 20, "price": 4000,
                                        "location_ids": ["loc_riverside"]}).json()
        r = c.patch(f"/services/{svc['id']}", json={"location_ids": ["loc_downtown", "loc_riverside"], "price": 4500})
        assert r.json()["location_ids"] == ["loc_downtown", "loc_riverside"] and r.json()["price"] == 4500
        assert_problem(c.patch("/services/svc_nope", json={"price": 1}), 404, "not_found")
        assert_problem(c.patch(f"/services/{svc['id']}", json={"price": None}), 422, "validation_error")
        assert_problem(c.post("/services", json={"name": "X", "category": "Y", "duration_min": 30, "price": 1,
                                                 "location_ids": ["loc_mars"]}), 422, "validation_error")
