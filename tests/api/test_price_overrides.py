"""Price overrides and discounts at the till, over real HTTP (`desk-tui serve`: one worker on
SQLite, two on PostgreSQL): beyond the organisation's limit off the list price (20% in the demo)
a manager approves — signed in, or with their username and PIN on the request — and the approval
is on the line and in the customer's activity. A membership discount from "Apply" and a line
redeemed from a credit are not overrides.
"""

from __future__ import annotations

from sqlalchemy import func, select

from desk_tui.server.auth.models import LoginAttempt
from desk_tui.server.database import Database
from tests.api.arrange_cards import activity, new_customer
from tests.api.arrange_memberships import make_plan
from tests.api.arrange_sales import add, complete, completed, last_line, opened
from tests.support.api_client import assert_problem, key, login

MANAGER = {"username": "manager", "pin": "2222"}


def edit(c, sale: dict, line: dict, **body):
    return c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json=body, headers=key())


def failures(db_url: str, username: str) -> int:
    db = Database(db_url)
    try:
        with db.read_session() as s:
            return s.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == username))
    finally:
        db.dispose()


def test_the_limit_is_an_org_setting(served_api):
    with login(served_api.url, "reception") as c:
        assert c.get("/settings").json()["max_discount_percent_without_manager"] == 20


def test_within_the_limit_reception_needs_no_one(served_api):
    with login(served_api.url, "reception") as c:
        sale = opened(c)
        line = last_line(add(c, sale["id"], "svc_manicure"))  # 8 000
        r = edit(c, sale, line, discount_percent=20)
        assert r.status_code == 200, r.text
        assert (last_line(r.json())["total"], last_line(r.json())["approved_by"]) == (6400, None)
        r = edit(c, sale, line, price=6400, discount_percent=0)  # exactly 20% off by price
        assert r.status_code == 200 and last_line(r.json())["approved_by"] is None, r.text
        r = edit(c, sale, line, price=7000, discount_percent=10)  # 6 300: 21.25% off together
        body = assert_problem(r, 403, "manager_approval_required")
        assert "20%" in body["detail"] and "Manicure" in body["detail"]
        r = c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_manicure", "price": 6399}, headers=key())
        assert_problem(r, 403, "manager_approval_required")
        r = c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_manicure", "price": 9000}, headers=key())
        assert r.status_code == 201 and last_line(r.json())["approved_by"] is None  # a higher price is no gift
        assert c.get(f"/sales/{sale['id']}").json()["lines"][0]["total"] == 6400  # the refused edit changed nothing


def test_a_line_for_nothing_needs_a_managers_pin(served_api):
    with login(served_api.url, "reception") as c:
        customer = new_customer(c)["id"]
        sale = opened(c, customer_id=customer)
        line = last_line(add(c, sale["id"], "svc_facial"))  # 15 000
        assert_problem(edit(c, sale, line, price=0), 403, "manager_approval_required")
        assert_problem(edit(c, sale, line, discount_percent=100), 403, "manager_approval_required")
        # a wrong PIN, or a receptionist's own, is refused (never a 500) and counted as a failed sign-in
        before = failures(served_api.db_url, "manager")
        body = assert_problem(edit(c, sale, line, price=0, approval={"username": "manager", "pin": "9999"}), 403,
                              "manager_approval_required")
        assert "do not match" in body["detail"]
        assert failures(served_api.db_url, "manager") == before + 1
        body = assert_problem(edit(c, sale, line, price=0, approval={"username": "reception", "pin": "1111"}), 403,
                              "manager_approval_required")
        assert "not a manager" in body["detail"]
        assert_problem(edit(c, sale, line, price=0, approval={"username": "nobody", "pin": "1"}), 403,
                       "manager_approval_required")
        assert c.get(f"/sales/{sale['id']}").json()["total"] == 15000
        # the right one: the line is free, the approval on record
        r = edit(c, sale, line, price=0, approval=MANAGER)
        assert r.status_code == 200, r.text
        sale = r.json()
        assert (sale["total"], last_line(sale)["approved_by"], last_line(sale)["list_price"]) == (0, "Márton Kiss",
                                                                                                  15000)
        done = completed(c, sale["id"])
        assert (done["status"], done["total"], done["payments"]) == ("completed", 0, [])
        assert done["lines"][0]["approved_by"] == "Márton Kiss"
        assert any(x.startswith("Checkout line changed: Facial at 0 HUF") and
                   x.endswith("list price 15 000 HUF, approved by Márton Kiss") for x in activity(c, customer))


def test_a_manager_at_the_till_approves_by_being_signed_in(served_api):
    with login(served_api.url, "manager") as m:
        sale = opened(m)
        line = last_line(add(m, sale["id"], "prd_hand_cream"))
        r = edit(m, sale, line, discount_percent=100)
        assert r.status_code == 200, r.text
        assert (r.json()["total"], last_line(r.json())["approved_by"]) == (0, "Márton Kiss")
        # back within the limit, no approval is on the line any more
        r = edit(m, sale, line, discount_percent=5)
        assert last_line(r.json())["approved_by"] is None


def test_a_package_sold_in_the_cart_follows_the_same_rule(served_api):
    with login(served_api.url, "reception") as c:
        customer = new_customer(c)["id"]
        sale = opened(c, customer_id=customer)
        free = {"package_id": "pkg_demo_5x_manicure", "price": 0}
        assert_problem(c.post(f"/sales/{sale['id']}/lines", json=free, headers=key()), 403,
                       "manager_approval_required")
        sale = add_package(c, sale["id"], free | {"approval": MANAGER})
        assert (sale["total"], last_line(sale)["approved_by"]) == (0, "Márton Kiss")
        # and its edits too: sold at the list price, then lowered
        line = last_line(add_package(c, sale["id"], {"package_id": "pkg_demo_5x_manicure"}))
        assert_problem(edit(c, sale, line, price=1000), 403, "manager_approval_required")
        assert_problem(edit(c, sale, line, discount_percent=50), 403, "manager_approval_required")
        r = complete(c, sale["id"], ("cash", line["total"]))
        assert r.status_code == 200, r.text
        cards = c.get("/cards", params={"customer_id": customer}).json()["items"]
        assert sorted(x["price_paid"] for x in cards) == [0, line["total"]]


def add_package(c, sale_id: str, body: dict) -> dict:
    r = c.post(f"/sales/{sale_id}/lines", json=body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def test_membership_discounts_and_credits_are_not_overrides(served_api):
    with login(served_api.url, "reception") as c, login(served_api.url, "manager") as m:
        plan = make_plan(m, discounts=[{"scope": "all", "percent": 50}],
                         credits=[{"service_id": "svc_pedicure", "per_period": 1}])
        customer = new_customer(c)["id"]
        enrolment = m.post(f"/customers/{customer}/memberships",
                           json={"plan_id": plan["id"], "reason": "test", "complimentary": True}, headers=key()).json()
        sale = opened(c, customer_id=customer)
        sale = add(c, sale["id"], "svc_manicure")
        sale = add(c, sale["id"], "svc_pedicure")
        r = c.post(f"/sales/{sale['id']}/apply-discounts", headers=key())
        assert r.status_code == 200, r.text
        manicure = r.json()["lines"][0]
        assert (manicure["discount_percent"], manicure["discount_source"], manicure["approved_by"]) == (
            50, "membership", None)
        r = c.post(f"/sales/{sale['id']}/lines/{r.json()['lines'][1]['id']}/redeem",
                   json={"enrollment_id": enrolment["id"]}, headers=key())
        assert r.status_code == 200, r.text
        assert r.json()["lines"][1]["total"] == 0
        done = completed(c, sale["id"], ("cash", r.json()["total"]))
        assert done["total"] == 4000
