"""Checkout over HTTP on both engines: carts, lines and their money, payments, store credit, cards,
appointments, abandoning, idle carts, idempotency and roles."""

from __future__ import annotations

import re
from datetime import timedelta

from desk_tui.server.database import utcnow
from tests.api.arrange_appointments import (
    at,
    booked,
    from_card,
    new_customer,
    paid,
    past_day,
    sell,
    some_day,
)
from tests.api.arrange_appointments import balance as card_pool
from tests.api.arrange_cards import activity, history
from tests.api.arrange_sales import (
    add,
    complete,
    completed,
    give_store_credit,
    last_line,
    opened,
    redeem,
    sweep_idle,
)
from tests.support.api_client import TLS, assert_problem, key, login


def test_a_walk_in_buys_products_and_pays_cash(api):
    with login(api.url, "reception") as c:
        sale = opened(c)
        assert (sale["status"], sale["customer_id"], sale["lines"], sale["total"]) == ("open", None, [], 0)
        assert sale["location_id"] == "loc_downtown" and sale["holds_expire_at"] is not None
        sale = add(c, sale["id"], "prd_hand_cream", quantity=2)
        sale = add(c, sale["id"], "prd_cuticle_oil")
        assert [(x["kind"], x["name"], x["quantity"], x["unit_price"], x["total"], x["label"]) for x in sale["lines"]] \
            == [("product", "Hand Cream 75 ml", 2, 4200, 8400, "2× Hand Cream 75 ml"),
                ("product", "Cuticle Oil 15 ml", 1, 3500, 3500, "Cuticle Oil 15 ml")]
        assert (sale["subtotal"], sale["discount_total"], sale["covered_total"], sale["total"]) == (11900, 0, 0, 11900)
        assert c.get(f"/sales/{sale['id']}").json() == sale
        done = completed(c, sale["id"], ("cash", 11900))
        assert done["payments"] == [{"method": "cash", "amount": 11900}]
        assert done["completed_at"] and done["holds_expire_at"] is None
        text = done["receipt_text"]
        assert text.startswith("Bella Salon & Spa\nDowntown\n")
        assert "2× Hand Cream 75 ml" in text and re.search(r"Total +11 900 HUF", text)
        assert re.search(r"Paid: Cash +11 900 HUF", text)


def test_line_edits_and_discount_rounding(api):
    # A manager: prices and discounts beyond the till's limit (test_price_overrides.py) are theirs.
    with login(api.url, "manager") as c:
        sale = opened(c)
        sale = add(c, sale["id"], "svc_manicure", price=999)
        line = last_line(sale)
        r = c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"discount_percent": 15})
        assert r.status_code == 200, r.text
        line = last_line(r.json())
        # 999 × 0.85 = 849.15 → 849; half up: 3 × 999 × 0.5 = 1498.5 → 1499
        assert (line["total"], line["discount_source"], line["label"]) == (849, "staff", "Manicure — 15% discount")
        line = last_line(c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"discount_percent": 50,
                                                                                  "quantity": 3}).json())
        assert line["total"] == 1499
        sale = c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"price": 10000, "discount_percent": 0}).json()
        assert (last_line(sale)["total"], last_line(sale)["discount_source"], sale["total"]) == (30000, None, 30000)
        sale = add(c, sale["id"], "svc_facial", price=333)
        sale = c.patch(f"/sales/{sale['id']}/lines/{last_line(sale)['id']}", json={"discount_percent": 50}).json()
        assert last_line(sale)["total"] == 167  # 166.5 rounds half up
        assert (sale["subtotal"], sale["discount_total"], sale["total"]) == (30333, 166, 30167)
        r = c.delete(f"/sales/{sale['id']}/lines/{sale['lines'][0]['id']}")
        assert r.status_code == 200 and [x["name"] for x in r.json()["lines"]] == ["Facial"]
        assert_problem(c.delete(f"/sales/{sale['id']}/lines/sln_nope"), 404, "not_found")
        assert_problem(c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_nope"}), 422, "validation_error")
        assert_problem(c.post(f"/sales/{sale['id']}/lines", json={"service_id": "svc_manicure",
                                                                   "product_id": "prd_gift_box"}),
                       422, "validation_error")
        # Hot stone is offered at Downtown only.
        with login(api.url, "reception", location_id="loc_riverside") as river:
            elsewhere = opened(river)
            assert_problem(river.post(f"/sales/{elsewhere['id']}/lines", json={"service_id": "svc_hot_stone"}),
                           409, "service_not_offered_here")


def test_payments_must_balance_and_may_be_split(api):
    with login(api.url, "reception") as c:
        sale = add(c, opened(c)["id"], "svc_deep_tissue")
        body = assert_problem(complete(c, sale["id"], ("cash", 10000)), 409, "sale_not_balanced")
        assert "10 000 HUF" in body["detail"] and "16 000 HUF" in body["detail"]
        assert_problem(complete(c, sale["id"]), 409, "sale_not_balanced")
        assert_problem(complete(c, sale["id"], ("cash", 10000), ("card", 7000)), 409, "sale_not_balanced")
        assert c.get(f"/sales/{sale['id']}").json()["status"] == "open"
        done = completed(c, sale["id"], ("cash", 10000), ("card", 6000))
        assert done["payments"] == [{"method": "cash", "amount": 10000}, {"method": "card", "amount": 6000}]
        assert re.search(r"Paid: Cash +10 000 HUF\nPaid: Card +6 000 HUF", done["receipt_text"])
        assert_problem(complete(c, sale["id"], ("cash", 16000)), 409, "invalid_transition")


def test_store_credit_is_taken_from_the_customer_balance(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer = new_customer(c, "Store Credit")
        give_store_credit(c, m, customer, 10000)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        assert (sale["customer_id"], sale["store_credit"]) == (customer, 10000)
        body = assert_problem(complete(c, sale["id"], ("store_credit", 16000)), 409, "insufficient_store_credit")
        assert "10 000 HUF" in body["detail"]
        assert c.get(f"/customers/{customer}").json()["store_credit"] == 10000
        done = completed(c, sale["id"], ("store_credit", 10000), ("cash", 6000))
        assert done["store_credit"] == 0
        assert c.get(f"/customers/{customer}").json()["store_credit"] == 0
        assert "Sale completed: total 16 000 HUF paid by store credit 10 000 HUF, cash 6 000 HUF" in \
            activity(c, customer)
        # A walk-in has no store credit at all.
        walk_in = add(c, opened(c)["id"], "prd_gift_box")
        # the walk-in's own total: another test may have changed the gift box's list price
        assert_problem(complete(c, walk_in["id"], ("store_credit", walk_in["total"])), 409,
                       "insufficient_store_credit")


def test_choosing_the_customer_of_an_anonymous_cart(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Chosen Later")
        sale = add(c, opened(c)["id"], "svc_manicure")
        r = c.patch(f"/sales/{sale['id']}", json={"customer_id": customer})
        assert r.status_code == 200 and r.json()["customer_id"] == customer and r.json()["customer_name"]
        assert_problem(c.patch(f"/sales/{sale['id']}", json={"customer_id": "cus_nope"}), 422, "validation_error")
        card = sell(c, customer)
        sale = redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"]).json()
        other = new_customer(c, "Someone Else")
        body = assert_problem(c.patch(f"/sales/{sale['id']}", json={"customer_id": other}), 409, "invalid_transition")
        assert "release it first" in body["detail"]


def test_card_redeem_at_checkout_holds_then_redeems_with_the_sale(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Card At Till")
        card = sell(c, customer)
        sale = opened(c, customer_id=customer)
        sale = add(c, sale["id"], "svc_manicure")
        sale = add(c, sale["id"], "prd_cuticle_oil")
        manicure = sale["lines"][0]
        offers = c.get(f"/sales/{sale['id']}/benefits").json()
        assert [(x["line_id"], x["card_id"], x["available"]) for x in offers["cards"]] == [
            (manicure["id"], card["id"], 5)]
        r = redeem(c, sale["id"], manicure["id"], card_id=card["id"])
        assert r.status_code == 200, r.text
        sale = r.json()
        line = sale["lines"][0]
        assert line["total"] == 0 and line["redeemed_from"] == {
            "kind": "card", "card_id": card["id"], "entitlement_id": card["balances"][0]["entitlement_id"],
            "enrollment_id": None, "source_name": "5x Manicure", "state": "held", "via_appointment": False}
        assert line["label"] == "Manicure — from 5x Manicure (on hold)"
        assert (sale["subtotal"], sale["covered_total"], sale["total"]) == (11500, 8000, 3500)
        assert (card_pool(c, card["id"])["booked"], card_pool(c, card["id"])["remaining"]) == (1, 4)
        # A redeemed line is not edited: it is released first.
        body = assert_problem(c.patch(f"/sales/{sale['id']}/lines/{line['id']}", json={"price": 1}), 409,
                              "invalid_transition")
        assert "release it first" in body["detail"]
        assert_problem(redeem(c, sale["id"], sale["lines"][1]["id"], card_id=card["id"]), 422, "validation_error")
        done = completed(c, sale["id"], ("card", 3500))
        assert done["lines"][0]["redeemed_from"]["state"] == "redeemed"
        assert done["lines"][0]["label"] == "Manicure — from 5x Manicure, 1 of 5 used"
        assert "Manicure — from 5x Manicure, 1 of 5 used" in done["receipt_text"]
        assert (card_pool(c, card["id"])["used"], card_pool(c, card["id"])["booked"]) == (1, 0)
        kinds = [(t["kind"], t["sale_id"]) for t in history(c, card["id"])]
        assert kinds == [("issue", None), ("reserve", sale["id"]), ("redeem", sale["id"])]


def test_releasing_a_card_redeem_and_removing_lines_give_the_units_back(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Changes Mind")
        card = sell(c, customer)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure", quantity=2)
        line = sale["lines"][0]
        sale = redeem(c, sale["id"], line["id"], card_id=card["id"]).json()
        assert card_pool(c, card["id"])["booked"] == 2
        r = c.post(f"/sales/{sale['id']}/lines/{line['id']}/release", headers=key())
        assert r.status_code == 200, r.text
        assert r.json()["lines"][0]["redeemed_from"] is None and r.json()["total"] == 16000
        assert card_pool(c, card["id"])["booked"] == 0
        assert_problem(c.post(f"/sales/{sale['id']}/lines/{line['id']}/release"), 409, "invalid_transition")
        redeem(c, sale["id"], line["id"], card_id=card["id"])
        assert c.delete(f"/sales/{sale['id']}/lines/{line['id']}").status_code == 200
        assert card_pool(c, card["id"])["booked"] == 0
        assert [t["kind"] for t in history(c, card["id"])] == ["issue", "reserve", "release", "reserve", "release"]
        # Not enough units: 6 manicures from a 5-session card.
        sale = add(c, sale["id"], "svc_manicure", quantity=6)
        assert_problem(redeem(c, sale["id"], last_line(sale)["id"], card_id=card["id"]), 409, "insufficient_units")
        # Someone else's card, not shared with this customer (family cards).
        stranger = sell(c, new_customer(c, "Stranger"))
        assert_problem(redeem(c, sale["id"], last_line(sale)["id"], card_id=stranger["id"]), 409, "card_not_shared")
        assert card_pool(c, stranger["id"])["booked"] == 0


def test_abandoning_releases_every_hold_and_closes_the_cart(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Walks Away")
        card = sell(c, customer)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
        redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"])
        r = c.post(f"/sales/{sale['id']}/abandon", json={"reason": "Customer left"}, headers=key())
        assert r.status_code == 200, r.text
        gone = r.json()
        assert (gone["status"], gone["abandoned_reason"]) == ("abandoned", "Customer left")
        assert gone["lines"][0]["redeemed_from"]["state"] == "released"
        assert card_pool(c, card["id"])["booked"] == 0 and card_pool(c, card["id"])["used"] == 0
        body = assert_problem(c.post(f"/sales/{sale['id']}/abandon"), 409, "invalid_transition")
        assert "abandoned" in body["detail"]
        assert_problem(complete(c, sale["id"], ("cash", 8000)), 409, "invalid_transition")
        assert_problem(c.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_gift_box"}), 409,
                       "invalid_transition")
        assert any(x.startswith("Checkout closed without a sale (Customer left); released Manicure")
                   for x in activity(c, customer))
        assert_problem(c.delete(f"/sales/{sale['id']}"), 405, "method_not_allowed")


def test_an_idle_cart_is_closed_and_its_holds_released(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Idle Cart")
        card = sell(c, customer)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
        sale = redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"]).json()
        assert card_pool(c, card["id"])["booked"] == 1
        assert sale["id"] in [x["id"] for x in c.get("/sales", params={"status": "open", "limit": 500}).json()["items"]]
        # Half an hour later nothing happened to it: any sales write sweeps it.
        assert sweep_idle(api.database, now=utcnow() + timedelta(minutes=31)) >= 1
        after = c.get(f"/sales/{sale['id']}").json()
        assert (after["status"], after["abandoned_reason"]) == ("abandoned", "left idle for 30 minutes")
        assert card_pool(c, card["id"])["booked"] == 0
        body = assert_problem(complete(c, sale["id"]), 409, "invalid_transition")
        assert "idle" in body["detail"] and "released" in body["detail"]
        assert sale["id"] not in [x["id"] for x in c.get("/sales", params={"limit": 500}).json()["items"]]


def test_a_cart_that_is_worked_on_is_not_idle(api):
    with login(api.url, "reception") as c:
        sale = opened(c)
        soon = utcnow() + timedelta(minutes=20)
        from desk_tui.contract import sales as wire
        from desk_tui.server.sales import lines
        from tests.api.arrange_sales import me

        with api.database.transaction() as s:
            lines.add_line(s, sale_id=sale["id"], data=wire.SaleLineCreate(product_id="prd_gift_box"), me=me(),
                           now=soon)
        sweep_idle(api.database, now=soon + timedelta(minutes=29))
        assert c.get(f"/sales/{sale['id']}").json()["status"] == "open"
        sweep_idle(api.database, now=soon + timedelta(minutes=31))
        assert c.get(f"/sales/{sale['id']}").json()["status"] == "abandoned"


def test_a_sale_from_an_appointment_completes_it_and_redeems_its_package_line(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "From Appointment")
        card = sell(c, customer)
        day = past_day()  # checkout completes it: its day has come
        appt = booked(c, customer, at(day, 10), from_card(card["id"]), paid("svc_blow_dry"))
        sale = opened(c, appointment_id=appt["id"])
        assert (sale["customer_id"], sale["appointment_id"]) == (customer, appt["id"])
        package, blow_dry = sale["lines"]
        assert (package["name"], package["unit_price"], package["total"], package["appointment_line_id"]) == (
            "Manicure", 8000, 0, appt["lines"][0]["id"])
        assert package["redeemed_from"]["state"] == "held" and package["redeemed_from"]["via_appointment"]
        assert (blow_dry["unit_price"], blow_dry["total"], blow_dry["redeemed_from"]) == (6000, 6000, None)
        assert sale["total"] == 6000
        # The same appointment again: the cart already open comes back.
        r = c.post("/sales", json={"appointment_id": appt["id"]}, headers=key())
        assert r.status_code == 200 and r.json()["id"] == sale["id"]
        # Lines of the appointment stay on the bill; its package line belongs to the appointment.
        body = assert_problem(c.delete(f"/sales/{sale['id']}/lines/{blow_dry['id']}"), 409, "invalid_transition")
        assert "100%" in body["detail"]
        assert_problem(c.post(f"/sales/{sale['id']}/lines/{package['id']}/release"), 409, "invalid_transition")
        assert_problem(c.patch(f"/sales/{sale['id']}", json={"customer_id": new_customer(c)}), 409,
                       "invalid_transition")
        done = completed(c, sale["id"], ("cash", 6000))
        assert done["lines"][0]["redeemed_from"]["state"] == "redeemed"
        assert done["lines"][0]["label"] == "Manicure — from 5x Manicure, 1 of 5 used"
        after = c.get(f"/appointments/{appt['id']}").json()
        assert after["status"] == "completed" and after["lines"][0]["redemption"] == "redeemed"
        redeem_tx = history(c, card["id"])[-1]
        assert (redeem_tx["kind"], redeem_tx["appointment_id"], redeem_tx["sale_id"]) == (
            "redeem", appt["id"], sale["id"])
        body = assert_problem(c.post("/sales", json={"appointment_id": appt["id"]}), 409, "invalid_transition")
        assert "completed" in body["detail"]


def test_abandoning_an_appointments_cart_keeps_its_booking(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Keeps Booking")
        card = sell(c, customer)
        appt = booked(c, customer, at(some_day(), 11), from_card(card["id"]))
        sale = opened(c, appointment_id=appt["id"])
        c.post(f"/sales/{sale['id']}/abandon", headers=key())
        assert card_pool(c, card["id"])["booked"] == 1
        assert c.get(f"/appointments/{appt['id']}").json()["lines"][0]["redemption"] == "reserved"
        again = opened(c, appointment_id=appt["id"])
        assert again["id"] != sale["id"] and again["lines"][0]["redeemed_from"]["state"] == "held"
        # Cancelled meanwhile: the cart cannot complete, and a cancelled appointment has nothing to check out.
        c.post(f"/appointments/{appt['id']}/cancel", json={"reason": "ill"}, headers=key())
        body = assert_problem(complete(c, again["id"]), 409, "invalid_transition")
        assert "cancelled" in body["detail"]
        body = assert_problem(c.post("/sales", json={"appointment_id": appt["id"]}), 409, "invalid_transition")
        assert "cancelled" in body["detail"]
        assert_problem(c.post("/sales", json={"appointment_id": "apt_nope"}), 422, "validation_error")


def test_a_fully_covered_appointment_completes_with_no_payment(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Fully Covered")
        card = sell(c, customer)
        appt = booked(c, customer, at(past_day(), 12), from_card(card["id"]))
        c.post(f"/appointments/{appt['id']}/check-in", headers=key())
        sale = opened(c, appointment_id=appt["id"])
        assert sale["total"] == 0
        assert_problem(complete(c, sale["id"], ("cash", 100)), 409, "sale_not_balanced")
        done = completed(c, sale["id"])
        assert done["payments"] == [] and "Fully covered" in done["receipt_text"]
        assert c.get(f"/appointments/{appt['id']}").json()["status"] == "completed"


def test_complete_is_idempotent(api):
    with login(api.url, "reception") as c:
        sale = add(c, opened(c)["id"], "prd_gift_box")
        total = sale["total"]  # not a constant: another test may change the gift box's list price
        headers = key()
        first = complete(c, sale["id"], ("cash", total), headers=headers)
        again = complete(c, sale["id"], ("cash", total), headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
        body = assert_problem(complete(c, sale["id"], ("cash", total)), 409, "invalid_transition")
        assert body["detail"] == "This sale is already completed."
        assert c.get(f"/sales/{sale['id']}").json()["payments"] == [{"method": "cash", "amount": total}]


def test_two_terminals_completing_one_sale(api):
    import threading
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with login(api.url, "reception") as c:
        customer = new_customer(c, "Two Terminals")
        card = sell(c, customer)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
        redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"])
        sale = add(c, sale["id"], "prd_gift_box")
        barrier = threading.Barrier(6)

        def fire(_):
            headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                return client.post(f"/sales/{sale['id']}/complete",
                                   json={"payments": [{"method": "cash", "amount": sale["total"]}]})

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(fire, range(6)))
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(200, None)] + [(409, "invalid_transition")] * 5, codes
        assert card_pool(c, card["id"])["used"] == 1
        assert [t["kind"] for t in history(c, card["id"])] == ["issue", "reserve", "redeem"]


def test_two_carts_racing_for_the_last_card_unit(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer = new_customer(c, "Last Unit")
        card = sell(c, customer)
        c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure", "quantity": 4}, headers=key())
        carts = [add(c, opened(c, customer_id=customer)["id"], "svc_manicure") for _ in range(4)]
        import threading
        import uuid
        from concurrent.futures import ThreadPoolExecutor

        import httpx
        barrier = threading.Barrier(len(carts))

        def fire(sale):
            headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                return client.post(f"/sales/{sale['id']}/lines/{sale['lines'][0]['id']}/redeem",
                                   json={"card_id": card["id"]})

        with ThreadPoolExecutor(len(carts)) as pool:
            results = list(pool.map(fire, carts))
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(200, None)] + [(409, "insufficient_units")] * 3, codes
        assert card_pool(m, card["id"])["booked"] == 1 and card_pool(m, card["id"])["remaining"] == 0


def test_open_carts_are_listed_per_location_and_need_a_token(api):
    with login(api.url, "reception") as c, login(api.url, "reception", location_id="loc_riverside") as river:
        here, also_here = opened(c), opened(c)
        there = opened(river)
        ids = [x["id"] for x in c.get("/sales", params={"status": "open", "limit": 500}).json()["items"]]
        assert here["id"] in ids and also_here["id"] in ids and there["id"] not in ids
        page = c.get("/sales", params={"status": "open", "limit": 1}).json()  # two here at least: a next page
        assert len(page["items"]) == 1 and page["next_cursor"]
        assert_problem(c.get("/sales", params={"cursor": "nonsense"}), 422, "validation_error")
        import httpx
        assert_problem(httpx.get(f"{api.url}/v1/sales"), 401, "unauthenticated")
        assert_problem(httpx.post(f"{api.url}/v1/sales", json={}), 401, "unauthenticated")
        assert_problem(c.get("/sales/sal_nope"), 404, "not_found")


def test_every_role_can_check_out(api):
    for role in ("reception", "manager", "owner"):
        with login(api.url, role) as c:
            sale = add(c, opened(c)["id"], "prd_gift_box")
            assert completed(c, sale["id"], ("other", sale["total"]))["status"] == "completed"


def test_an_appointment_changed_after_checkout_opened_brings_the_cart_up_to_date(api):
    from tests.api.arrange_appointments import patch

    with login(api.url, "reception") as c:
        customer = new_customer(c, "Changed Booking")
        card = sell(c, customer)
        appt = booked(c, customer, at(past_day(), 15), paid("svc_manicure"), paid("svc_blow_dry"))
        sale = opened(c, appointment_id=appt["id"])
        sale = add(c, sale["id"], "prd_cuticle_oil")
        blow_dry = sale["lines"][1]
        sale = c.patch(f"/sales/{sale['id']}/lines/{blow_dry['id']}", json={"discount_percent": 10}).json()
        assert sale["total"] == 8000 + 5400 + 3500
        # The paid manicure is switched to the card on the appointment while checkout is open.
        r = patch(c, appt, {"lines": [from_card(card["id"]), paid("svc_blow_dry")]})
        assert r.status_code == 200, r.text
        body = assert_problem(complete(c, sale["id"], ("cash", 16900)), 409, "invalid_transition")
        assert "Open checkout from the appointment again" in body["detail"]
        r = c.post("/sales", json={"appointment_id": appt["id"]}, headers=key())
        assert r.status_code == 200 and r.json()["id"] == sale["id"]
        fresh = r.json()
        # The unchanged blow-dry keeps the discount staff typed; the product added at the till stays.
        assert [(x["name"], x["total"], (x["redeemed_from"] or {}).get("state")) for x in fresh["lines"]] == [
            ("Manicure", 0, "held"), ("Blow-dry", 5400, None), ("Cuticle Oil 15 ml", 3500, None)]
        assert fresh["lines"][1]["id"] == blow_dry["id"]
        done = completed(c, sale["id"], ("cash", 8900))
        assert done["lines"][0]["label"] == "Manicure — from 5x Manicure, 1 of 5 used"
        assert c.get(f"/appointments/{appt['id']}").json()["status"] == "completed"


def test_two_terminals_opening_checkout_for_one_appointment_share_the_cart(api):
    import threading
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with login(api.url, "reception") as c:
        appt = booked(c, new_customer(c, "One Cart"), at(some_day(), 9), paid("svc_facial"))
        barrier = threading.Barrier(4)

        def fire(_):
            headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                return client.post("/sales", json={"appointment_id": appt["id"]})

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(fire, range(4)))
        assert sorted(r.status_code for r in results) == [200, 200, 200, 201]
        assert len({r.json()["id"] for r in results}) == 1


def test_receipt_labels_every_kind_of_line(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Receipt Reader")
        pamper = sell(c, customer, "pkg_demo_pamper_360")
        sale = opened(c, customer_id=customer)
        sale = add(c, sale["id"], "svc_pedicure")
        sale = add(c, sale["id"], "svc_facial")
        sale = add(c, sale["id"], "prd_hand_cream", quantity=2)
        pedicure, facial, _cream = sale["lines"]
        redeem(c, sale["id"], pedicure["id"], card_id=pamper["id"])
        sale = c.patch(f"/sales/{sale['id']}/lines/{facial['id']}", json={"discount_percent": 10}).json()
        done = completed(c, sale["id"], ("card", 13500 + 8400))
        assert [x["label"] for x in done["lines"]] == [
            "Pedicure — from 360-minute Pamper, 60 of 360 minutes used",
            "Facial — 10% discount",
            "2× Hand Cream 75 ml"]
        text = done["receipt_text"]
        for label in (x["label"] for x in done["lines"]):
            assert label in text
        assert re.search(r"Discounts +−1 500 HUF", text) and re.search(r"Total +21 900 HUF", text)
        assert "Customer: Receipt Reader" in text and "Served by: Réka Tóth" in text
        summaries = activity(c, customer)
        assert "Checkout line changed: Facial at 15 000 HUF, 10% discount (was 1 × 15 000 HUF)" in summaries
        assert "Added 2× Hand Cream 75 ml at 4 200 HUF to checkout" in summaries


def test_the_first_request_after_the_timeout_closes_an_idle_cart(api):
    """The server's own hold timeout (30 minutes), seen over HTTP: the cart's last change is moved
    back in the database instead of waiting half an hour."""
    from desk_tui.server.sales.models import Sale

    with login(api.url, "reception") as c:
        customer = new_customer(c, "Long Coffee")
        card = sell(c, customer)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
        sale = redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"]).json()
        with api.database.transaction() as s:
            row = s.get(Sale, sale["id"])
            row.last_change_at -= timedelta(minutes=29)
        assert c.get(f"/sales/{sale['id']}").json()["status"] == "open"
        # Touching the cart moves its clock: 29 more minutes are fine again.
        touched = c.patch(f"/sales/{sale['id']}", json={}).json()
        assert touched["holds_expire_at"] > sale["holds_expire_at"]
        with api.database.transaction() as s:
            s.get(Sale, sale["id"]).last_change_at -= timedelta(minutes=31)
        after = c.get(f"/sales/{sale['id']}").json()
        assert (after["status"], after["abandoned_reason"]) == ("abandoned", "left idle for 30 minutes")
        assert card_pool(c, card["id"])["booked"] == 0
        assert any(x.startswith("Checkout closed without a sale (left idle for 30 minutes); released Manicure")
                   for x in activity(c, customer))


def test_reopening_checkout_while_it_completes_never_deadlocks(api):
    """Opening checkout from an appointment locks the appointment, then its cart; completing the
    cart takes them in the same order, so the two racing end cleanly on both engines."""
    import threading
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with login(api.url, "reception") as c:
        customer = new_customer(c, "Race Reopen")
        card = sell(c, customer)
        appt = booked(c, customer, at(past_day(), 16), from_card(card["id"]), paid("svc_blow_dry"))
        sale = opened(c, appointment_id=appt["id"])
        barrier = threading.Barrier(4)

        def fire(n: int) -> httpx.Response:
            headers = {"Authorization": c.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                if n == 0:
                    return client.post(f"/sales/{sale['id']}/complete",
                                       json={"payments": [{"method": "cash", "amount": 6000}]})
                return client.post("/sales", json={"appointment_id": appt["id"]})

        with ThreadPoolExecutor(4) as pool:
            done, *reopened = list(pool.map(fire, range(4)))
        assert done.status_code == 200, done.text
        for r in reopened:
            assert (r.status_code, r.json().get("id") or r.json().get("code")) in (
                (200, sale["id"]), (409, "invalid_transition")), r.text
        assert c.get(f"/appointments/{appt['id']}").json()["status"] == "completed"
        assert card_pool(c, card["id"])["used"] == 1


def test_the_receipt_is_dated_in_the_salons_time_zone(api):
    """Completed at 23:30 UTC on New Year's Eve: in Budapest it is already 00:30 on 1 January."""
    from datetime import UTC, datetime

    from desk_tui.contract import sales as wire
    from desk_tui.server.sales import service
    from tests.api.arrange_sales import me

    with login(api.url, "reception") as c:
        sale = add(c, opened(c)["id"], "prd_gift_box")
        late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        with api.database.transaction() as s:
            service.complete(s, sale_id=sale["id"], data=wire.SaleComplete(payments=[
                wire.PaymentIn(method="cash", amount=sale["total"])]), me=me(), now=late, timeout=timedelta(days=400))
        text = c.get(f"/sales/{sale['id']}").json()["receipt_text"]
        assert text.splitlines()[:3] == ["Bella Salon & Spa", "Downtown", "2027-01-01 00:30"]
