"""Location-bound objects over real HTTP: a token sees (and changes) the appointments and carts of
its own location only, by id as in the lists; a quick redeem links only to the card holder's sale.

Every demo account works at both locations; the token is bound to the location chosen at login,
so "Riverside staff" here is reception signed in at Riverside."""

from __future__ import annotations

import httpx

from tests.api.arrange_appointments import at, booked, new_customer, paid, past_day, sell, some_day
from tests.api.arrange_sales import add, opened
from tests.support.api_client import assert_problem, key, login

RIVERSIDE = "loc_riverside"


def _not_found(r: httpx.Response) -> None:
    body = assert_problem(r, 404, "not_found")
    assert "Downtown" not in body["detail"]  # says nothing of where the object is


def test_another_locations_appointment_is_not_found_by_id(api):
    with login(api.url, "reception") as down, login(api.url, "reception", location_id=RIVERSIDE) as river:
        customer = new_customer(down)
        appt = booked(down, customer, at(past_day(), 11), paid(), note="Downtown's own")
        url = f"/appointments/{appt['id']}"
        _not_found(river.get(url))
        _not_found(river.get(f"{url}/redeemable"))
        _not_found(river.patch(url, json={"note": "changed from Riverside"}, headers={"If-Match": "*"} | key()))
        for action in ("check-in", "complete", "no-show", "cancel"):
            _not_found(river.post(f"{url}/{action}", headers=key()))
        # Nor can Riverside check it out: the appointment is not one it can name.
        assert_problem(river.post("/sales", json={"appointment_id": appt["id"]}, headers=key()), 422,
                       "validation_error")

        same = down.get(url).json()
        assert (same["status"], same["version"], same["note"]) == ("booked", 1, "Downtown's own")
        # Downtown still can, and Riverside's own appointments are Riverside's.
        assert down.post(f"{url}/check-in", headers=key()).json()["status"] == "checked_in"
        theirs = booked(river, customer, at(some_day(), 11), paid(), staff_id="stf_dora")
        assert river.get(f"/appointments/{theirs['id']}").status_code == 200
        _not_found(down.get(f"/appointments/{theirs['id']}"))


def test_another_locations_cart_is_not_found_by_id(api):
    with login(api.url, "reception") as down, login(api.url, "reception", location_id=RIVERSIDE) as river:
        customer = new_customer(down)
        card = sell(down, customer)
        sale = add(down, opened(down, customer_id=customer)["id"], "svc_manicure")
        line = sale["lines"][0]["id"]
        url = f"/sales/{sale['id']}"
        _not_found(river.get(url))
        _not_found(river.get(f"{url}/benefits"))
        _not_found(river.patch(url, json={"customer_id": None}, headers=key()))
        _not_found(river.post(f"{url}/lines", json={"product_id": "prd_gift_box"}, headers=key()))
        _not_found(river.patch(f"{url}/lines/{line}", json={"discount_percent": 100}, headers=key()))
        _not_found(river.post(f"{url}/apply-discounts", headers=key()))
        _not_found(river.post(f"{url}/lines/{line}/redeem", json={"card_id": card["id"]}, headers=key()))
        _not_found(river.post(f"{url}/lines/{line}/release", headers=key()))
        _not_found(river.post(f"{url}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                              headers=key()))
        _not_found(river.post(f"{url}/abandon", json={"reason": "from Riverside"}, headers=key()))
        _not_found(river.delete(f"{url}/lines/{line}", headers=key()))

        same = down.get(url).json()
        assert same["status"] == "open" and same["customer_id"] == customer
        assert [(x["id"], x["discount_percent"], x["redeemed_from"]) for x in same["lines"]] == [(line, 0, None)]
        assert down.get(f"/cards/{card['id']}").json()["balances"][0]["booked"] == 0
        # The cart's own location carries on as before.
        assert down.post(f"{url}/abandon", json={"reason": "done"}, headers=key()).json()["status"] == "abandoned"


def test_a_quick_redeem_links_only_to_the_card_holders_sale(api):
    with login(api.url, "reception") as down, login(api.url, "reception", location_id=RIVERSIDE) as river:
        holder, other = new_customer(down, "Holder"), new_customer(down, "Someone Else")
        card = sell(down, holder)
        url = f"/cards/{card['id']}/redemptions"

        def redeem(c: httpx.Client, sale_id: str) -> httpx.Response:
            return c.post(url, json={"service_id": "svc_manicure", "sale_id": sale_id}, headers=key())

        _not_found(redeem(down, "sal_made_up"))
        others = opened(down, customer_id=other)
        body = assert_problem(redeem(down, others["id"]), 409, "sale_of_another_customer")
        assert body["sale_id"] == others["id"] and "Someone Else" in body["detail"]
        # The holder's cart at Downtown cannot be named from Riverside (though the card works there).
        holders = opened(down, customer_id=holder)
        _not_found(redeem(river, holders["id"]))
        walk_in = opened(down)
        down.post(f"/sales/{walk_in['id']}/abandon", headers=key()).raise_for_status()
        assert_problem(redeem(down, walk_in["id"]), 409, "sale_of_another_customer")
        assert down.get(f"/cards/{card['id']}").json()["balances"][0]["used"] == 0  # nothing was redeemed

        # The holder's own sale, and a cart whose customer is not chosen yet, are fine.
        ok = redeem(down, holders["id"])
        assert ok.status_code == 201, ok.text
        assert ok.json()["transaction"]["sale_id"] == holders["id"]
        open_walk_in = opened(down)
        assert redeem(down, open_walk_in["id"]).status_code == 201
        theirs = opened(river, customer_id=holder)
        assert redeem(river, theirs["id"]).status_code == 201  # a card works at every location
        assert down.get(f"/cards/{card['id']}").json()["balances"][0]["used"] == 3
