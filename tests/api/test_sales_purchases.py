"""Selling a package (a card) or a membership through the cart, on both engines.

The line says what completing will create; nothing exists before the sale completes, the
completion creates it exactly once (retries included), and the money on the card is what the
line was sold for.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.memberships.status import month_after
from tests.api.arrange_appointments import new_customer
from tests.api.arrange_cards import activity, history
from tests.api.arrange_sales import add, complete, completed, last_line, opened
from tests.support.api_client import assert_problem, key, login

MANICURE_5X = "pkg_demo_5x_manicure"
GOLD, SILVER = "mpl_demo_gold", "mpl_demo_silver"


def number() -> str:
    return f"T-{uuid.uuid4().hex[:8].upper()}"


def add_item(c, sale_id: str, **body):
    return c.post(f"/sales/{sale_id}/lines", json=body, headers=key())


def added(c, sale_id: str, **body) -> dict:
    r = add_item(c, sale_id, **body)
    assert r.status_code == 201, r.text
    return r.json()


def cards_of(c, customer_id: str) -> list[dict]:
    return c.get("/cards", params={"customer_id": customer_id}).json()["items"]


def test_a_package_sold_at_the_till_becomes_a_card_when_the_sale_completes(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Package Buyer")
        package = c.get(f"/packages/{MANICURE_5X}").json()
        sale = opened(c, customer_id=customer)
        card_no = number()
        sale = added(c, sale["id"], package_id=MANICURE_5X, card_number=card_no)
        line = last_line(sale)
        assert (line["kind"], line["package_id"], line["name"], line["quantity"], line["unit_price"], line["total"]) \
            == ("package", MANICURE_5X, "5x Manicure", 1, package["price"], package["price"])
        assert (line["card_number"], line["issued_card_id"]) == (card_no, None)
        assert line["label"] == f"5x Manicure — new card {card_no}"
        sale = add(c, sale["id"], "prd_cuticle_oil")
        assert cards_of(c, customer) == [], "no card may exist before the sale completes"

        body = {"payments": [{"method": "card", "amount": sale["total"]}]}
        headers = key()
        first = c.post(f"/sales/{sale['id']}/complete", json=body, headers=headers)
        assert first.status_code == 200, first.text
        again = c.post(f"/sales/{sale['id']}/complete", json=body, headers=headers)
        assert again.json() == first.json()  # a retried completion is the same completion
        done = first.json()

        [card] = cards_of(c, customer)
        line = done["lines"][0]
        assert line["issued_card_id"] == card["id"]
        assert (card["number"], card["package_id"], card["status"], card["price_paid"]) \
            == (card_no, MANICURE_5X, "active", package["price"])
        issued = [t for t in history(c, card["id"]) if t["kind"] == "issue"]
        assert issued and all(t["sale_id"] == sale["id"] for t in issued)
        assert line["label"] == f"5x Manicure — new card {card_no}, until {card['expires_on']}"
        assert line["label"] in done["receipt_text"]
        assert any(s.startswith("Bought 5x Manicure") for s in activity(c, customer))


def test_the_card_is_worth_what_it_was_sold_for(api):
    # price_paid drives the refund value, so a discounted package must carry the discounted price.
    with login(api.url, "reception") as c:
        customer = new_customer(c)
        package = c.get(f"/packages/{MANICURE_5X}").json()
        sale = opened(c, customer_id=customer)
        sale = added(c, sale["id"], package_id=MANICURE_5X, expires_on="2999-12-31")
        line = last_line(sale)
        r = c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"discount_percent": 10}, headers=key())
        assert r.status_code == 200, r.text
        price = (package["price"] * 90 + 50) // 100
        assert last_line(r.json())["total"] == price
        completed(c, sale["id"], ("cash", price))
        [card] = cards_of(c, customer)
        assert (card["price_paid"], card["expires_on"], card["number"]) == (price, "2999-12-31", None)


def test_an_abandoned_cart_issues_nothing_and_enrols_nobody(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c)
        sale = opened(c, customer_id=customer)
        added(c, sale["id"], package_id=MANICURE_5X)
        added(c, sale["id"], plan_id=GOLD)
        r = c.post(f"/sales/{sale['id']}/abandon", json={}, headers=key())
        assert r.status_code == 200, r.text
        assert cards_of(c, customer) == []
        assert c.get(f"/customers/{customer}/memberships").json()["items"] == []


def test_a_membership_sold_at_the_till_starts_when_the_sale_completes(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "New Member")
        plan = c.get(f"/membership-plans/{GOLD}").json()
        sale = opened(c, customer_id=customer)
        sale = added(c, sale["id"], plan_id=GOLD)
        line = last_line(sale)
        assert (line["kind"], line["plan_id"], line["name"], line["total"], line["label"]) \
            == ("membership", GOLD, "Gold membership", plan["price"], "Gold membership — starts today")
        assert_problem(add_item(c, sale["id"], plan_id=GOLD), 409, "duplicate")  # once per sale
        assert c.get(f"/customers/{customer}/memberships").json()["items"] == []

        done = completed(c, sale["id"], ("card", plan["price"]))
        [enrolment] = c.get(f"/customers/{customer}/memberships").json()["items"]
        assert (enrolment["plan_id"], enrolment["status"]) == (GOLD, "active")
        line = done["lines"][0]
        assert line["issued_enrollment_id"] == enrolment["id"]
        assert line["label"] == f"Gold membership — member from {enrolment['starts_on']}"

        first_month_ends = month_after(date.fromisoformat(enrolment["starts_on"])) - timedelta(days=1)
        assert enrolment["paid_through"] == first_month_ends.isoformat()


def test_a_member_pays_the_next_month_at_the_till(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Renewing Member")
        plan = c.get(f"/membership-plans/{GOLD}").json()
        sale = added(c, opened(c, customer_id=customer)["id"], plan_id=GOLD)
        completed(c, sale["id"], ("cash", plan["price"]))
        [enrolment] = c.get(f"/customers/{customer}/memberships").json()["items"]
        paid_through = date.fromisoformat(enrolment["paid_through"])

        # Gold again for a member: not a second membership but the next month of this one.
        renewal = added(c, opened(c, customer_id=customer)["id"], plan_id=GOLD)
        line = last_line(renewal)
        assert (line["kind"], line["renews_enrollment_id"], line["total"], line["label"]) \
            == ("membership", enrolment["id"], plan["price"], "Gold membership — next month")
        done = completed(c, renewal["id"], ("card", plan["price"]))
        [after] = c.get(f"/customers/{customer}/memberships").json()["items"]
        assert after["id"] == enrolment["id"]
        expected = month_after(paid_through + timedelta(days=1)) - timedelta(days=1)
        assert after["paid_through"] == expected.isoformat()
        assert done["lines"][0]["label"] == f"Gold membership — paid through {expected.isoformat()}"
        assert any(x.startswith(f"Paid Gold membership through {expected.isoformat()}") for x in activity(c, customer))


def test_a_membership_cancelled_with_notice_has_no_next_month_to_sell(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer = new_customer(c)
        sale = added(c, opened(c, customer_id=customer)["id"], plan_id=GOLD)
        completed(c, sale["id"], ("cash", sale["total"]))
        [enrolment] = c.get(f"/customers/{customer}/memberships").json()["items"]
        notice = (date.fromisoformat(enrolment["starts_on"]) + timedelta(days=20)).isoformat()
        r = m.post(f"/memberships/{enrolment['id']}/cancel", json={"reason": "moving", "ends_on": notice},
                   headers=key())
        assert r.status_code == 200, r.text
        r = add_item(c, opened(c, customer_id=customer)["id"], plan_id=GOLD)
        assert_problem(r, 409, "invalid_transition")
        assert "cancelled" in r.json()["detail"]


def test_what_cannot_be_sold_is_refused_with_a_reason(api):
    with login(api.url, "reception") as c:
        walk_in = opened(c)
        r = add_item(c, walk_in["id"], package_id=MANICURE_5X)
        assert_problem(r, 422, "validation_error")
        assert "customer" in r.json()["detail"].lower()
        assert_problem(add_item(c, walk_in["id"], plan_id=GOLD), 422, "validation_error")

        customer = new_customer(c)
        sale = opened(c, customer_id=customer)
        assert_problem(add_item(c, sale["id"], package_id="pkg_demo_summer_glow"), 409, "package_inactive")
        assert_problem(add_item(c, sale["id"], plan_id=SILVER), 409, "invalid_transition")
        assert_problem(add_item(c, sale["id"], package_id=MANICURE_5X, quantity=2), 422, "validation_error")
        assert_problem(add_item(c, sale["id"], package_id=MANICURE_5X, card_number="BS-1001"), 409, "duplicate")
        assert_problem(add_item(c, sale["id"], service_id="svc_manicure", card_number="X-1"), 422,
                       "validation_error")
        assert_problem(add_item(c, sale["id"], package_id=MANICURE_5X, expires_on="2001-01-01"), 422,
                       "validation_error")

        sale = added(c, sale["id"], package_id=MANICURE_5X)
        line = last_line(sale)
        # A package line is not a service: no credit or card can cover it.
        assert_problem(c.post(f"/sales/{sale['id']}/lines/{line['id']}/redeem", json={"card_id": "crd_demo_0101"},
                              headers=key()), 422, "validation_error")
        assert_problem(c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"quantity": 2}, headers=key()),
                       422, "validation_error")
        # The card goes to the cart's customer, so the cart cannot lose its customer.
        assert_problem(c.patch(f"/sales/{sale['id']}", json={"customer_id": None}, headers=key()),
                       422, "validation_error")


def test_a_number_taken_by_another_terminal_meanwhile_stops_the_completion_and_changes_nothing(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as other:
        customer = new_customer(c)
        sale = opened(c, customer_id=customer)
        card_no = number()
        sale = added(c, sale["id"], package_id=MANICURE_5X, card_number=card_no)
        sale = added(c, sale["id"], plan_id=GOLD)
        # Another desk sells a card with the same number before this sale completes.
        r = other.post("/cards", json={"package_id": MANICURE_5X, "customer_id": new_customer(other),
                                       "number": card_no, "note": "other desk", "reason": "other desk"},
                           headers=key())
        assert r.status_code == 201, r.text

        assert_problem(complete(c, sale["id"], ("cash", sale["total"])), 409, "duplicate")
        assert cards_of(c, customer) == []
        assert c.get(f"/customers/{customer}/memberships").json()["items"] == []  # rolled back with it
        assert c.get(f"/sales/{sale['id']}").json()["status"] == "open"

        package_line = sale["lines"][0]
        r = c.patch(f"/sales/{sale['id']}/lines/{package_line['id']}", json={"card_number": card_no + "B"},
                    headers=key())
        assert r.status_code == 200, r.text
        assert r.json()["lines"][0]["card_number"] == card_no + "B"
        completed(c, sale["id"], ("cash", sale["total"]))
        assert [x["number"] for x in cards_of(c, customer)] == [card_no + "B"]
        assert len(c.get(f"/customers/{customer}/memberships").json()["items"]) == 1


def test_card_details_belong_to_package_lines(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c)
        sale = opened(c, customer_id=customer)
        sale = added(c, sale["id"], package_id=MANICURE_5X)
        package_line = last_line(sale)
        sale = add(c, sale["id"], "svc_manicure")
        service_line = last_line(sale)
        path = f"/sales/{sale['id']}/lines"
        assert_problem(c.patch(f"{path}/{service_line['id']}", json={"card_number": "X"}, headers=key()),
                       422, "validation_error")
        assert_problem(c.patch(f"{path}/{package_line['id']}", json={"expires_on": "2001-01-01"}, headers=key()),
                       422, "validation_error")
        r = c.patch(f"{path}/{package_line['id']}", json={"expires_on": "2999-01-31"}, headers=key())
        assert r.status_code == 200, r.text
        assert r.json()["lines"][0]["expires_on"] == "2999-01-31"
        r = c.patch(f"{path}/{package_line['id']}", json={"expires_on": None}, headers=key())
        assert r.json()["lines"][0]["expires_on"] is None  # back to the package's own delay


def test_a_month_is_the_same_day_next_month_or_that_months_last_day():
    assert month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert month_after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert month_after(date(2026, 12, 15)) == date(2027, 1, 15)
    assert month_after(date(2026, 11, 23)) == date(2026, 12, 23)


def test_the_cart_says_when_a_member_owes_a_month_until_it_is_in_the_cart(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c)
        sale = added(c, opened(c, customer_id=customer)["id"], plan_id=GOLD)
        completed(c, sale["id"], ("cash", sale["total"]))
        [enrolment] = c.get(f"/customers/{customer}/memberships").json()["items"]
        cart = opened(c, customer_id=customer)
        assert c.get(f"/sales/{cart['id']}/benefits").json()["payments_due"] == []  # paid for this month

        # Arranged, not waited for: the month paid ran out ten days ago.
        with api.database.transaction() as s:
            s.get(Enrollment, enrolment["id"]).paid_through = date.fromisoformat(enrolment["starts_on"]) - timedelta(days=10)
        since = (date.fromisoformat(enrolment["starts_on"]) - timedelta(days=9)).isoformat()
        due = c.get(f"/sales/{cart['id']}/benefits").json()["payments_due"]
        assert due == [f"Gold membership: payment due since {since}"]
        added(c, cart["id"], plan_id=GOLD)  # the month is in the cart now: nothing more to say
        assert c.get(f"/sales/{cart['id']}/benefits").json()["payments_due"] == []
