"""A cart opened from a member's appointment starts with the benefits the banner would offer:
the month's credit covers the line it fits (on hold, as Redeem would) and the other service lines
get the highest membership discount (as Apply would). Reception can still take them off; a walk-in's
cart and a cart reopened are left as staff made them.
"""

from __future__ import annotations

from tests.api.arrange_appointments import at, booked, new_customer, paid, past_day, some_day
from tests.api.arrange_memberships import deep_tissue_credit, gold_member
from tests.api.arrange_sales import add, complete, opened
from tests.support.api_client import key, login


def test_an_appointment_cart_opens_with_the_credit_held_and_the_discount_given(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        appt = booked(c, customer, at(some_day(), 10), paid("svc_deep_tissue"), paid("svc_manicure"))
        sale = opened(c, appointment_id=appt["id"])
        massage, manicure = sale["lines"]
        assert massage["redeemed_from"]["kind"] == "membership" and massage["total"] == 0
        assert massage["redeemed_from"]["state"] == "held" and not massage["redeemed_from"]["via_appointment"]
        assert (manicure["redeemed_from"], manicure["discount_percent"], manicure["discount_source"]) == (
            None, 10, "membership")
        assert (deep_tissue_credit(c, enrollment)["on_hold"], deep_tissue_credit(c, enrollment)["used"]) == (1, 0)
        log = c.get(f"/customers/{customer}/activity").json()["items"]
        assert any("automatically when checkout opened" in x["summary"] for x in log)

        # Opened again (Esc, then F4 on the appointment): the same cart, nothing held twice.
        again = c.post("/sales", json={"appointment_id": appt["id"]}, headers=key())
        assert again.status_code == 200 and again.json()["id"] == sale["id"]
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 1

        # Taken off by reception: the credit goes back and stays back when the cart is reopened.
        r = c.post(f"/sales/{sale['id']}/lines/{massage['id']}/release", headers=key())
        assert r.status_code == 200, r.text
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 0
        assert c.post("/sales", json={"appointment_id": appt["id"]}, headers=key()).json()["lines"][0][
            "redeemed_from"] is None


def test_a_fully_covered_appointment_completes_with_no_payment_and_uses_the_credit(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        # Completing the sale completes the visit, so the visit has happened (a past day of its own).
        appt = booked(c, customer, at(past_day(), 11), paid("svc_deep_tissue"))
        sale = opened(c, appointment_id=appt["id"])
        assert sale["total"] == 0
        r = complete(c, sale["id"])
        assert r.status_code == 200, r.text
        assert deep_tissue_credit(c, enrollment)["used"] == 1
        assert c.get(f"/appointments/{appt['id']}").json()["status"] == "completed"


def test_no_credit_left_no_member_or_no_appointment_leaves_the_lines_paid(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        # Two massages, two credits a month: a third appointment's cart finds none left.
        day = some_day()
        for hour in (9, 10):
            opened(c, appointment_id=booked(c, customer, at(day, hour), paid("svc_deep_tissue"))["id"])
        assert deep_tissue_credit(c, enrollment)["remaining"] == 0
        third = opened(c, appointment_id=booked(c, customer, at(day, 11), paid("svc_deep_tissue"))["id"])
        assert third["lines"][0]["redeemed_from"] is None and third["lines"][0]["discount_percent"] == 20

        plain = new_customer(c)
        sale = opened(c, appointment_id=booked(c, plain, at(day, 12), paid("svc_deep_tissue"))["id"])
        assert sale["lines"][0]["redeemed_from"] is None and sale["lines"][0]["discount_percent"] == 0

        walk_in = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
        assert walk_in["lines"][0]["discount_percent"] == 0  # a cart staff build: Apply is theirs to press
