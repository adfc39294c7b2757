"""Value outside a sale, over real HTTP (`desk-tui serve`: one worker on SQLite, two on PostgreSQL).

A card or a membership comes into being through a sale at the till, where the money is taken.
Without one it is a manager's or the owner's act with a reason: on the customer's activity, in
"given without a sale", and — for a membership — due from its first month unless complimentary.
"""

from __future__ import annotations

from datetime import timedelta

from desk_tui.server.database import Database
from desk_tui.server.reports import dues
from tests.api.arrange_cards import activity, new_customer, tag, today
from tests.api.arrange_memberships import as_of, make_plan
from tests.support.api_client import assert_problem, key, login

CSV = {"content-type": "text/csv"}


def given(m, **params) -> list[dict]:
    r = m.get("/reports/given-without-sale", params={"limit": 500} | params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def due(m) -> dict[str, dict]:
    r = m.get("/reports/memberships-due", params={"limit": 500})
    assert r.status_code == 200, r.text
    return {x["enrollment_id"]: x for x in r.json()["items"]}


def test_reception_cannot_issue_a_card_or_enrol_without_a_sale(served_api):
    with login(served_api.url, "reception") as c, login(served_api.url, "manager") as m:
        customer = new_customer(c)["id"]
        plan = make_plan(m)
        card = {"package_id": "pkg_demo_5x_manicure", "customer_id": customer, "price_paid": 0, "note": "free"}
        assert_problem(c.post("/cards", json=card, headers=key()), 403, "forbidden_role")
        assert_problem(c.post("/cards", json=card | {"reason": "a friend"}, headers=key()), 403, "forbidden_role")
        enrolment = {"plan_id": plan["id"], "reason": "a friend"}
        assert_problem(c.post(f"/customers/{customer}/memberships", json=enrolment, headers=key()), 403,
                       "forbidden_role")
        assert_problem(c.get("/reports/given-without-sale"), 403, "forbidden_role")
        # nothing was created
        assert c.get("/cards", params={"customer_id": customer}).json()["items"] == []
        assert c.get(f"/customers/{customer}/memberships").json()["items"] == []


def test_a_manager_needs_a_reason(served_api):
    with login(served_api.url, "manager") as m:
        customer = new_customer(m)["id"]
        plan = make_plan(m)
        card = {"package_id": "pkg_demo_5x_manicure", "customer_id": customer, "note": "x"}
        for extra in ({}, {"reason": ""}, {"reason": "   "}):
            body = assert_problem(m.post("/cards", json=card | extra, headers=key()), 422, "validation_error")
            assert body["detail"].startswith("reason:")
            assert_problem(m.post(f"/customers/{customer}/memberships", json={"plan_id": plan["id"]} | extra,
                                  headers=key()), 422, "validation_error")
        assert_problem(m.post(f"/customers/{customer}/memberships",
                              json={"plan_id": plan["id"], "complimentary": True}, headers=key()),
                       422, "validation_error")
        assert m.get("/cards", params={"customer_id": customer}).json()["items"] == []
        assert m.get(f"/customers/{customer}/memberships").json()["items"] == []


def test_a_manager_gives_a_card_on_the_record(served_api):
    reason = f"Goodwill after a burnt facial {tag()}"
    with login(served_api.url, "manager") as m, login(served_api.url, "reception") as c:
        customer = new_customer(c)
        r = m.post("/cards", json={"package_id": "pkg_demo_5x_manicure", "customer_id": customer["id"], "price_paid": 0,
                                   "number": f"G-{tag()}", "note": "goodwill", "reason": reason}, headers=key())
        assert r.status_code == 201, r.text
        card = r.json()
        assert (card["price_paid"], card["issued_by"]) == (0, "Márton Kiss")
        assert activity(c, customer["id"])[0] == (
            f"Given 5x Manicure (card {card['number']}) without a sale by Márton Kiss (price on record 0 HUF, "
            f"valid until {card['expires_on']}): {reason}")
        [row] = [x for x in given(m, **{"from": today().isoformat(), "to": today().isoformat()})
                 if x["card_id"] == card["id"]]
        assert {k: row[k] for k in ("kind", "customer_id", "customer_name", "what", "card_number", "price",
                                    "complimentary", "reason", "staff_id", "staff_name", "location_id")} == {
            "kind": "card", "customer_id": customer["id"], "customer_name": customer["name"], "what": "5x Manicure",
            "card_number": card["number"], "price": 0, "complimentary": False, "reason": reason,
            "staff_id": "stf_manager", "staff_name": "Márton Kiss", "location_id": "loc_downtown"}
        # outside the range asked for, it is not listed
        yesterday = (today() - timedelta(days=1)).isoformat()
        assert card["id"] not in {x["card_id"] for x in given(m, **{"from": yesterday, "to": yesterday})}
        assert_problem(m.get("/reports/given-without-sale", params={"from": today().isoformat(), "to": yesterday}),
                       422, "validation_error")
        for silly in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
            assert_problem(m.get("/reports/given-without-sale", params=silly), 422, "validation_error")


def test_an_enrolment_outside_a_sale_is_due_from_its_first_month(served_api):
    reason = f"Paid by bank transfer {tag()}"
    with login(served_api.url, "manager") as m, login(served_api.url, "reception") as c:
        plan = make_plan(m, price=12300)
        customer = new_customer(c)
        r = m.post(f"/customers/{customer['id']}/memberships", json={"plan_id": plan["id"], "reason": reason},
                   headers=key())
        assert r.status_code == 201, r.text
        enrolment = r.json()
        start = today().isoformat()
        assert (enrolment["paid_through"], enrolment["complimentary"]) == ((today() - timedelta(days=1)).isoformat(),
                                                                           False)
        listed = due(m)[enrolment["id"]]
        assert (listed["due_since"], listed["months_due"], listed["price"]) == (start, 1, 12300)
        assert activity(c, customer["id"])[0] == (
            f"Joined {plan['name']} without a sale by Márton Kiss (due from {start}): {reason}")
        [row] = [x for x in given(m) if x["enrollment_id"] == enrolment["id"]]
        assert (row["kind"], row["what"], row["price"], row["complimentary"], row["reason"], row["staff_name"]) == (
            "membership", plan["name"], 12300, False, reason, "Márton Kiss")
        # its first month paid at the till, it is no longer due
        sale = c.post("/sales", json={"customer_id": customer["id"]}, headers=key()).json()
        sale = c.post(f"/sales/{sale['id']}/lines", json={"plan_id": plan["id"]}, headers=key()).json()
        assert sale["lines"][0]["renews_enrollment_id"] == enrolment["id"]
        r = c.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": 12300}]},
                   headers=key())
        assert r.status_code == 200, r.text
        assert enrolment["id"] not in due(m)


def test_a_later_start_is_due_from_that_start(served_api):
    with login(served_api.url, "manager") as m:
        plan = make_plan(m)
        customer = new_customer(m)["id"]
        later = (today() + timedelta(days=10)).isoformat()
        enrolment = m.post(f"/customers/{customer}/memberships",
                           json={"plan_id": plan["id"], "starts_on": later, "reason": "starts after her holiday"},
                           headers=key()).json()
        assert enrolment["status"] == "scheduled" and enrolment["id"] not in due(m)
    db = Database(served_api.db_url)
    try:
        with db.read_session() as s:
            def listed(days: int) -> set[str]:
                items, cursor = dues.memberships_due(s, limit=500, cursor=None, now=as_of(days))
                found = {x.enrollment_id for x in items}
                while cursor:
                    items, cursor = dues.memberships_due(s, limit=500, cursor=cursor, now=as_of(days))
                    found |= {x.enrollment_id for x in items}
                return found

            assert enrolment["id"] not in listed(9)
            assert enrolment["id"] in listed(10)
    finally:
        db.dispose()


def test_a_complimentary_membership_is_never_due(served_api):
    reason = f"Staff benefit {tag()}"
    with login(served_api.url, "owner") as o, login(served_api.url, "reception") as c:
        plan = make_plan(o, price=9900)
        customer = new_customer(c)["id"]
        r = o.post(f"/customers/{customer}/memberships",
                   json={"plan_id": plan["id"], "reason": reason, "complimentary": True}, headers=key())
        assert r.status_code == 201, r.text
        enrolment = r.json()
        assert (enrolment["paid_through"], enrolment["complimentary"]) == (None, True)
        assert enrolment["id"] not in due(o)
        assert c.get(f"/customers/{customer}/memberships").json()["items"][0]["complimentary"] is True
        assert activity(c, customer)[0] == (
            f"Joined {plan['name']} without a sale by Olga Nagy (complimentary): {reason}")
        [row] = [x for x in given(o) if x["enrollment_id"] == enrolment["id"]]
        assert (row["price"], row["complimentary"], row["reason"], row["staff_name"]) == (0, True, reason, "Olga Nagy")
        # nor in the cart's banner
        sale = c.post("/sales", json={"customer_id": customer}, headers=key()).json()
        assert c.get(f"/sales/{sale['id']}/benefits").json()["payments_due"] == []


def test_imported_cards_are_on_record_as_given_by_import(served_api):
    number = f"IMP-{tag()}"
    with login(served_api.url, "owner") as o:
        text = f"package_id,customer_name,number,price_paid\npkg_demo_5x_manicure,Imported {tag()},{number},25000\n"
        r = o.post("/imports/cards", params={"dry_run": "false"}, content=text.encode(),
                   headers=CSV | key())
        assert r.status_code == 200 and r.json()["imported"] == 1, r.text
        [row] = [x for x in given(o) if x["card_number"] == number]
        assert (row["kind"], row["price"], row["reason"], row["staff_name"]) == ("card", 25000, "import", "Olga Nagy")
