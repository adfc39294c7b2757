"""Membership benefits at checkout over HTTP on both engines: the banner, Apply, credits
held by the cart, used when it completes and released when it is abandoned or left idle.

Each test enrols its own new customer in the demo's Gold membership (10% off all services, 20% off
Massage, 2× Deep Tissue Massage credits a month), so the month's credits are the test's own.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx

from desk_tui.server.database import utcnow
from tests.api.arrange_appointments import new_customer
from tests.api.arrange_cards import activity
from tests.api.arrange_memberships import deep_tissue_credit, gold_member
from tests.api.arrange_sales import add, complete, completed, opened, redeem, sweep_idle
from tests.support.api_client import TLS, as_manager, assert_problem, key, login


def test_the_banner_shows_what_matches_the_cart(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        sale = opened(c, customer_id=customer)
        assert c.get(f"/sales/{sale['id']}/benefits").json()["banner"] == []
        sale = add(c, sale["id"], "svc_deep_tissue")
        sale = add(c, sale["id"], "svc_manicure")
        sale = add(c, sale["id"], "prd_massage_oil")
        massage, manicure, _oil = sale["lines"]
        b = c.get(f"/sales/{sale['id']}/benefits").json()
        assert b["banner"] == ["20% discount on Massage", "10% discount on all services",
                               "2× Deep Tissue Massage credit"]
        assert [(x["line_id"], x["percent"], x["enrollment_id"], x["plan_name"]) for x in b["discounts"]] == [
            (massage["id"], 20, enrollment, "Gold membership"), (manicure["id"], 10, enrollment, "Gold membership")]
        assert [(x["line_id"], x["enrollment_id"], x["remaining"], x["label"]) for x in b["credits"]] == [
            (massage["id"], enrollment, 2, "2× Deep Tissue Massage credit")]
        # Someone without a membership: nothing to show; a walk-in neither.
        plain = add(c, opened(c, customer_id=new_customer(c))["id"], "svc_deep_tissue")
        assert c.get(f"/sales/{plain['id']}/benefits").json()["banner"] == []
        walk_in = add(c, opened(c)["id"], "svc_deep_tissue")
        assert c.get(f"/sales/{walk_in['id']}/benefits").json() | {"sale_id": None} == {
            "sale_id": None, "discounts": [], "credits": [], "cards": [], "banner": [], "store_credit": 0,
            "payments_due": [], "suspended": [], "frozen": []}


def test_apply_gives_each_service_line_its_highest_discount(api):
    with login(api.url, "reception") as c:
        customer, _ = gold_member(c)
        sale = opened(c, customer_id=customer)
        for item in ("svc_deep_tissue", "svc_manicure", "svc_facial", "prd_massage_oil"):
            sale = add(c, sale["id"], item)
        facial = sale["lines"][2]
        # beyond the till's 20% limit: a manager gives it
        as_manager(c).patch(f"/sales/{sale['id']}/lines/{facial['id']}", json={"discount_percent": 30})
        r = c.post(f"/sales/{sale['id']}/apply-discounts", headers=key())
        assert r.status_code == 200, r.text
        lines = r.json()["lines"]
        assert [(x["discount_percent"], x["discount_source"], x["total"]) for x in lines] == [
            (20, "membership", 12800),  # Massage: 20% beats 10% on all services
            (10, "membership", 7200),
            (30, "staff", 10500),        # a bigger discount staff typed is kept
            (0, None, 6900)]             # products are not eligible
        assert lines[0]["label"] == "Deep Tissue Massage — 20% membership discount"
        assert r.json()["discount_total"] == 3200 + 800 + 4500
        # Staff can still edit a discounted line.
        r = c.patch(f"/sales/{sale['id']}/lines/{lines[1]['id']}", json={"discount_percent": 0})
        assert (r.json()["lines"][1]["discount_percent"], r.json()["lines"][1]["total"]) == (0, 8000)
        done = completed(c, sale["id"], ("card", r.json()["total"]))
        assert "Deep Tissue Massage — 20% membership discount" in done["receipt_text"]


def test_membership_discounts_go_with_the_member(api):
    with login(api.url, "reception") as c:
        customer, _ = gold_member(c)
        sale = add(c, opened(c)["id"], "svc_swedish")
        # A walk-in's cart: Apply has nobody's membership to apply.
        assert c.post(f"/sales/{sale['id']}/apply-discounts", headers=key()).json()["total"] == 14000
        c.patch(f"/sales/{sale['id']}", json={"customer_id": customer})
        sale = c.post(f"/sales/{sale['id']}/apply-discounts", headers=key()).json()
        assert (sale["lines"][0]["discount_percent"], sale["total"]) == (20, 11200)
        # Another customer chosen instead: the member's discount leaves with the member.
        sale = c.patch(f"/sales/{sale['id']}", json={"customer_id": new_customer(c)}).json()
        assert (sale["lines"][0]["discount_percent"], sale["lines"][0]["discount_source"], sale["total"]) == (
            0, None, 14000)


def test_a_redeemed_credit_is_on_hold_then_used_when_the_sale_completes(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        sale = add(c, sale["id"], "prd_massage_oil")
        massage = sale["lines"][0]
        r = redeem(c, sale["id"], massage["id"], enrollment_id=enrollment)
        assert r.status_code == 200, r.text
        sale = r.json()
        line = sale["lines"][0]
        assert (line["total"], line["redeemed_from"]["kind"], line["redeemed_from"]["state"]) == (0, "membership", "held")
        assert line["redeemed_from"]["source_name"] == "Gold membership"
        assert line["label"] == "Deep Tissue Massage — Gold membership credit (on hold)"
        assert (sale["covered_total"], sale["total"]) == (16000, 6900)
        credit = deep_tissue_credit(c, enrollment)
        assert (credit["used"], credit["on_hold"], credit["remaining"]) == (0, 1, 1)
        # Apply leaves a redeemed line alone; the banner now offers the one credit left.
        assert c.post(f"/sales/{sale['id']}/apply-discounts", headers=key()).json()["lines"][0]["total"] == 0
        assert c.get(f"/sales/{sale['id']}/benefits").json()["credits"] == []
        done = completed(c, sale["id"], ("cash", 6900))
        assert done["lines"][0]["redeemed_from"]["state"] == "redeemed"
        label = "Deep Tissue Massage — Gold membership credit (1 of 2 used this month)"
        assert done["lines"][0]["label"] == label and label in done["receipt_text"]
        credit = deep_tissue_credit(c, enrollment)
        assert (credit["used"], credit["on_hold"], credit["remaining"]) == (1, 0, 1)
        summaries = activity(c, customer)
        assert any(x.startswith("Sale completed: total 6 900 HUF paid by cash 6 900 HUF; redeemed " + label)
                   for x in summaries), summaries


def test_fully_covered_by_membership_completes_with_no_payment(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue", quantity=2)
        sale = redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment).json()
        assert sale["total"] == 0 and sale["covered_total"] == 32000
        assert_problem(complete(c, sale["id"], ("cash", 1)), 409, "sale_not_balanced")
        done = completed(c, sale["id"])
        assert done["payments"] == [] and "Fully covered by membership" in done["receipt_text"]
        assert "2× Deep Tissue Massage — Gold membership credit (2 of 2 used this month)" in done["receipt_text"]
        assert deep_tissue_credit(c, enrollment)["remaining"] == 0
        # A used-up credit is not offered, and cannot be redeemed.
        again = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        b = c.get(f"/sales/{again['id']}/benefits").json()
        assert b["credits"] == [] and b["banner"] == ["20% discount on Massage"]
        body = assert_problem(redeem(c, again["id"], again["lines"][0]["id"], enrollment_id=enrollment), 409,
                              "credit_exhausted")
        assert "2 of 2 used" in body["detail"]


def test_abandoning_or_releasing_gives_the_credit_back(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        line = sale["lines"][0]
        redeem(c, sale["id"], line["id"], enrollment_id=enrollment)
        r = c.post(f"/sales/{sale['id']}/lines/{line['id']}/release", headers=key())
        assert r.status_code == 200 and r.json()["total"] == 16000
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 0
        redeem(c, sale["id"], line["id"], enrollment_id=enrollment)
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 1
        # A second massage covered by the other credit, then taken off the cart: its credit goes back.
        sale = add(c, sale["id"], "svc_deep_tissue")
        redeem(c, sale["id"], sale["lines"][1]["id"], enrollment_id=enrollment)
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 2
        assert c.delete(f"/sales/{sale['id']}/lines/{sale['lines'][1]['id']}").status_code == 200
        assert deep_tissue_credit(c, enrollment)["on_hold"] == 1
        gone = c.post(f"/sales/{sale['id']}/abandon", headers=key()).json()
        assert gone["status"] == "abandoned" and gone["lines"][0]["redeemed_from"]["state"] == "released"
        credit = deep_tissue_credit(c, enrollment)
        assert (credit["used"], credit["on_hold"], credit["remaining"]) == (0, 0, 2)
        assert any(x.startswith("Checkout closed without a sale (abandoned by staff); released Deep Tissue Massage")
                   for x in activity(c, customer))


def test_an_idle_cart_releases_its_credit_and_cannot_complete(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment)
        sweep_idle(api.database, now=utcnow() + timedelta(minutes=31))
        credit = deep_tissue_credit(c, enrollment)
        assert (credit["used"], credit["on_hold"], credit["remaining"]) == (0, 0, 2)
        body = assert_problem(complete(c, sale["id"]), 409, "invalid_transition")
        assert body["detail"].startswith("This cart was closed after being left idle for 30 minutes")


def test_a_credit_of_another_member_or_for_another_service_is_refused(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        _, someone_elses = gold_member(c)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_swedish")
        # Credits are per service: a Deep Tissue credit does not cover a Swedish Massage.
        assert_problem(redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment), 409,
                       "invalid_transition")
        sale = add(c, sale["id"], "svc_deep_tissue")
        assert_problem(redeem(c, sale["id"], sale["lines"][1]["id"], enrollment_id=someone_elses), 409,
                       "invalid_transition")
        assert_problem(redeem(c, sale["id"], sale["lines"][1]["id"], enrollment_id="mem_nope"), 422,
                       "validation_error")
        assert_problem(redeem(c, sale["id"], sale["lines"][1]["id"]), 422, "validation_error")
        assert_problem(redeem(c, sale["id"], sale["lines"][1]["id"], enrollment_id=enrollment, card_id="crd_x"),
                       422, "validation_error")


def test_two_carts_racing_for_the_last_credit(api):
    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        first = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        redeem(c, first["id"], first["lines"][0]["id"], enrollment_id=enrollment)
        carts = [add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue") for _ in range(4)]
        barrier = threading.Barrier(len(carts))

        def fire(sale: dict) -> httpx.Response:
            headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                return client.post(f"/sales/{sale['id']}/lines/{sale['lines'][0]['id']}/redeem",
                                   json={"enrollment_id": enrollment})

        with ThreadPoolExecutor(len(carts)) as pool:
            results = list(pool.map(fire, carts))
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(200, None)] + [(409, "credit_exhausted")] * 3, codes
        credit = deep_tissue_credit(c, enrollment)
        assert (credit["on_hold"], credit["remaining"]) == (2, 0)


def test_paid_lines_of_an_appointment_redeemed_at_checkout(api):
    """Membership benefits at the end of a visit: the booked, paid services are covered at the till by a
    credit and a card; completing uses both and completes the appointment; abandoning gives both back."""
    from tests.api.arrange_appointments import at, booked, paid, past_day, sell
    from tests.api.arrange_appointments import balance as card_pool
    from tests.api.arrange_cards import history

    with login(api.url, "reception") as c:
        customer, enrollment = gold_member(c)
        card = sell(c, customer)
        day = past_day()  # completing it at the till checks it in: its day has come
        for outcome in ("abandon", "complete"):
            appt = booked(c, customer, at(day, 10 if outcome == "abandon" else 13), paid("svc_deep_tissue"),
                          paid("svc_manicure"))
            sale = opened(c, appointment_id=appt["id"])
            massage, manicure = sale["lines"]
            # the credit covers the massage as the cart opens (sales/automatic.py); the card is asked for
            assert massage["redeemed_from"]["kind"] == "membership" and manicure["redeemed_from"] is None
            sale = redeem(c, sale["id"], manicure["id"], card_id=card["id"]).json()
            assert sale["total"] == 0
            assert [x["redeemed_from"]["via_appointment"] for x in sale["lines"]] == [False, False]
            assert deep_tissue_credit(c, enrollment)["on_hold"] == 1 and card_pool(c, card["id"])["booked"] == 1
            if outcome == "abandon":
                c.post(f"/sales/{sale['id']}/abandon", headers=key())
                assert deep_tissue_credit(c, enrollment)["on_hold"] == 0 and card_pool(c, card["id"])["booked"] == 0
                assert c.get(f"/appointments/{appt['id']}").json()["status"] == "booked"
                continue
            done = completed(c, sale["id"])
            assert [x["label"] for x in done["lines"]] == [
                "Deep Tissue Massage — Gold membership credit (1 of 2 used this month)",
                "Manicure — from 5x Manicure, 1 of 5 used"]
            credit = deep_tissue_credit(c, enrollment)
            assert (credit["used"], credit["on_hold"]) == (1, 0)
            assert (card_pool(c, card["id"])["used"], card_pool(c, card["id"])["booked"]) == (1, 0)
            assert c.get(f"/appointments/{appt['id']}").json()["status"] == "completed"
            assert [(t["kind"], t["sale_id"]) for t in history(c, card["id"])][-1] == ("redeem", sale["id"])
