"""Booking from a package (docs/design.md §2 and §5), over real HTTP on both engines."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.arrange_appointments import (
    action,
    activity,
    at,
    balance,
    book,
    booked,
    from_card,
    new_customer,
    paid,
    past_day,
    patch,
    sell,
    some_day,
)
from tests.support.api_client import assert_problem, key, login


def test_package_line_costs_nothing_and_reserves_at_once(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus)
        appt = booked(c, cus, at(some_day(), 10), from_card(card["id"]), paid("svc_pedicure"))
        pkg, pay = appt["lines"]
        assert appt["from_package"] is True
        assert pkg["price"] == 0 and pkg["redemption"] == "reserved"
        assert pkg["source"]["card_id"] == card["id"] and pkg["source"]["entitlement_id"]
        assert pkg["source"]["package_name"] == "5x Manicure"
        assert {k: pkg["counter"][k] for k in ("used", "booked", "total")} == {"used": 0, "booked": 1, "total": 5}
        assert pay["price"] == 9500 and pay["source"] is None and pay["redemption"] is None and pay["counter"] is None
        assert appt["total"] == 9500
        b = balance(c, card["id"])
        assert (b["used"], b["booked"], b["remaining"]) == (0, 1, 4)
        txs = c.get(f"/cards/{card['id']}/transactions").json()["items"]
        assert any(t["kind"] == "reserve" and t["appointment_id"] == appt["id"] for t in txs)


def test_cancel_releases_the_session(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus)
        day = some_day()
        first = booked(c, cus, at(day, 9), from_card(card["id"]))
        appt = booked(c, cus, at(day, 11), from_card(card["id"]))
        assert appt["lines"][0]["counter"]["booked"] == 2
        r = action(c, appt["id"], "cancel", json={"reason": "Customer called"})
        assert r.status_code == 200, r.text
        cancelled = r.json()
        assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Customer called"
        assert cancelled["lines"][0]["redemption"] == "released"
        assert cancelled["lines"][0]["counter"]["booked"] == 1
        assert cancelled["version"] == appt["version"] + 1
        b = balance(c, card["id"])
        assert (b["used"], b["booked"], b["remaining"]) == (0, 1, 4)
        assert c.get(f"/appointments/{first['id']}").json()["lines"][0]["redemption"] == "reserved"
        log = activity(c, cus)
        assert any(e["kind"] == "appointment_cancelled" and "session restored to 5x Manicure: 0/5 used" in e["summary"]
                   for e in log), log


def test_no_show_counts_as_used(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus)
        appt = booked(c, cus, at(past_day(), 10), from_card(card["id"]))
        r = action(c, appt["id"], "no-show")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "no_show" and r.json()["lines"][0]["redemption"] == "redeemed"
        b = balance(c, card["id"])
        assert (b["used"], b["booked"], b["remaining"]) == (1, 0, 4)
        txs = c.get(f"/cards/{card['id']}/transactions").json()["items"]
        assert [t["kind"] for t in txs if t["appointment_id"] == appt["id"]].count("redeem") == 1
        assert any(e["kind"] == "appointment_no_show" and "counts as used" in e["summary"] for e in activity(c, cus))
        # a no-show cannot be cancelled afterwards to get the session back
        assert_problem(action(c, appt["id"], "cancel"), 409, "invalid_transition")
        assert balance(c, card["id"])["used"] == 1


def test_complete_redeems_the_reservation(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus, "pkg_demo_pamper_360")
        appt = booked(c, cus, at(past_day(), 10), from_card(card["id"], "svc_pedicure"),
                      from_card(card["id"], "svc_manicure"))
        assert [x["counter"]["units"] for x in appt["lines"]] == [60, 60]
        assert appt["lines"][1]["counter"]["booked"] == 120
        assert_problem(action(c, appt["id"], "complete"), 409, "invalid_transition")
        assert action(c, appt["id"], "check-in").status_code == 200
        r = action(c, appt["id"], "complete")
        assert r.status_code == 200, r.text
        done = r.json()
        assert done["status"] == "completed"
        assert [x["redemption"] for x in done["lines"]] == ["redeemed", "redeemed"]
        b = balance(c, card["id"])
        assert (b["used"], b["booked"], b["remaining"]) == (120, 0, 240)
        assert any(e["kind"] == "appointment_completed" for e in activity(c, cus))
        # the card's history names the appointment by its local start, not by its id
        start = f"{datetime.fromisoformat(done['start']).astimezone(ZoneInfo('Europe/Budapest')):%Y-%m-%d %H:%M}"
        labels = {e["appointment_label"] for e in c.get(f"/cards/{card['id']}/transactions").json()["items"]
                  if e["appointment_id"] == appt["id"]}
        assert labels == {start}


def test_two_terminals_booking_the_last_unit_one_wins(api):
    with login(api.url, "manager") as m:
        cus = new_customer(m)
        card = sell(m, cus)
        r = m.post(f"/cards/{card['id']}/adjustments", json={"units": -4, "reason": "test: one left"}, headers=key())
        assert r.status_code in (200, 201), r.text
        assert balance(m, card["id"])["remaining"] == 1
    day = some_day()
    terminals = [login(api.url, "reception"), login(api.url, "reception")]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def go(i: int) -> None:
        barrier.wait()
        results[i] = book(terminals[i], cus, at(day, 10), from_card(card["id"]),
                          staff_id=("stf_anna", "stf_bence")[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert_problem(loser, 409, "insufficient_units")
        b = balance(terminals[0], card["id"])
        assert (b["booked"], b["remaining"]) == (1, 0)
        day_view = terminals[0].get("/appointments", params={"date": day.isoformat()}).json()["items"]
        assert len([a for a in day_view if a["customer_id"] == cus]) == 1
    finally:
        for t in terminals:
            t.close()


def test_switch_a_paid_line_to_the_package_and_back(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus)
        appt = booked(c, cus, at(some_day(), 14), paid(), paid("svc_blow_dry"))
        line_id = appt["lines"][0]["id"]
        assert appt["lines"][0]["price"] == 8000 and appt["from_package"] is False

        r = patch(c, appt, {"lines": [{"id": line_id, **from_card(card["id"])}, paid("svc_blow_dry")]})
        assert r.status_code == 200, r.text
        switched = r.json()
        assert switched["version"] == appt["version"] + 1 and switched["from_package"] is True
        line = switched["lines"][0]
        assert line["id"] == line_id and line["price"] == 0 and line["redemption"] == "reserved"
        assert switched["lines"][1]["id"] == appt["lines"][1]["id"]  # untouched line kept by service match
        assert balance(c, card["id"])["booked"] == 1

        # the same list again changes nothing: the reservation is kept, not released and re-made
        r = patch(c, switched, {"lines": [{"id": line_id, **from_card(card["id"])}, paid("svc_blow_dry")]})
        assert r.status_code == 200 and r.json()["version"] == switched["version"]
        kinds = [t["kind"] for t in c.get(f"/cards/{card['id']}/transactions").json()["items"]
                 if t["appointment_id"] == appt["id"]]
        assert kinds.count("reserve") == 1

        r = patch(c, switched, {"lines": [{"id": line_id, **paid()}, paid("svc_blow_dry")]})
        assert r.status_code == 200, r.text
        back = r.json()
        assert back["version"] == switched["version"] + 1
        assert back["lines"][0]["price"] == 8000 and back["lines"][0]["source"] is None
        assert back["lines"][0]["redemption"] is None and back["from_package"] is False
        b = balance(c, card["id"])
        assert (b["booked"], b["remaining"]) == (0, 5)

        # removing a package line releases it too
        again = patch(c, back, {"lines": [from_card(card["id"]), paid("svc_blow_dry")]}).json()
        assert balance(c, card["id"])["booked"] == 1
        r = patch(c, again, {"lines": [paid("svc_blow_dry")]})
        assert r.status_code == 200 and [x["service_id"] for x in r.json()["lines"]] == ["svc_blow_dry"]
        assert balance(c, card["id"])["booked"] == 0


def test_check_in_suggests_a_card_for_a_paid_line(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        card = sell(c, cus)
        day = past_day()
        appt = booked(c, cus, at(day, 10), paid(), paid("svc_pedicure"))
        r = action(c, appt["id"], "check-in")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "checked_in"
        assert [x["line_id"] for x in body["redeemable"]] == [appt["lines"][0]["id"]]
        source = body["redeemable"][0]["sources"][0]
        assert source["card_id"] == card["id"] and source["remaining"] == 5 and "5x Manicure" in source["label"]
        assert source["available"] == 5
        assert c.get(f"/appointments/{appt['id']}/redeemable").json() == body["redeemable"]
        # the receptionist accepts: switch the line after check-in, then complete
        checked = c.get(f"/appointments/{appt['id']}").json()
        r = patch(c, checked, {"lines": [{"id": appt["lines"][0]["id"], **from_card(card["id"])},
                                         {"id": appt["lines"][1]["id"], **paid("svc_pedicure")}]})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "checked_in" and r.json()["total"] == 9500
        assert action(c, appt["id"], "complete").json()["lines"][0]["redemption"] == "redeemed"
        assert balance(c, card["id"])["used"] == 1

        other = new_customer(c)
        plain = booked(c, other, at(day, 13), paid())
        assert action(c, plain["id"], "check-in").json()["redeemable"] == []


def test_card_expiring_before_the_appointment_cannot_be_booked(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = some_day()
        card = sell(c, cus, expires_on=day.isoformat())
        assert_problem(book(c, cus, at(day + timedelta(days=1), 10), from_card(card["id"])), 409,
                       "card_expires_before_appointment")
        appt = booked(c, cus, at(day, 20), from_card(card["id"]))
        # moving it past the expiry is refused as well, and nothing changes
        assert_problem(patch(c, appt, {"start": at(day + timedelta(days=1), 10)}), 409,
                       "card_expires_before_appointment")
        same = c.get(f"/appointments/{appt['id']}").json()
        assert same["version"] == appt["version"] and same["start"] == appt["start"]
        assert balance(c, card["id"])["booked"] == 1


def test_package_rules_are_enforced(api):
    with login(api.url, "reception") as c:
        cus, someone_else = new_customer(c), new_customer(c)
        card = sell(c, cus)
        day = some_day()
        assert_problem(book(c, cus, at(day, 9), from_card(card["id"], "svc_pedicure")), 409, "service_not_in_package")
        # Someone else's card, not shared with this customer (family cards)
        assert_problem(book(c, someone_else, at(day, 9), from_card(card["id"])), 409, "card_not_shared")
        assert_problem(book(c, cus, at(day, 9), from_card("crd_nope")), 422, "validation_error")
        assert_problem(book(c, cus, at(day, 9), from_card(card["id"], entitlement_id="cen_nope")), 409,
                       "service_not_in_package")
        # an expired card (demo: cus_demo0003's 5x Manicure) and a refunded one
        assert_problem(book(c, "cus_demo0003", at(day, 9), from_card("crd_demo_0301")), 409, "card_expired")
        assert_problem(book(c, "cus_demo0003", at(day, 9), from_card("crd_demo_0302", "svc_blow_dry")), 409,
                       "card_not_active")
        # nothing above reserved anything
        assert balance(c, card["id"])["booked"] == 0
        assert c.get("/appointments", params={"date": day.isoformat()}).json()["items"] == []


def test_a_reservation_undone_by_a_manager_is_not_released_twice(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        cus = new_customer(c)
        card = sell(c, cus)
        appt = booked(c, cus, at(some_day(), 10), from_card(card["id"]))
        reserve = next(t for t in c.get(f"/cards/{card['id']}/transactions").json()["items"]
                       if t["kind"] == "reserve" and t["appointment_id"] == appt["id"])
        r = m.post(f"/cards/{card['id']}/transactions/{reserve['id']}/undo", json={"reason": "booked by mistake"},
                   headers=key())
        assert r.status_code in (200, 201), r.text
        assert balance(c, card["id"])["booked"] == 0
        r = action(c, appt["id"], "cancel")
        assert r.status_code == 200, r.text
        assert r.json()["lines"][0]["redemption"] == "released"
        b = balance(c, card["id"])
        assert (b["used"], b["booked"], b["remaining"]) == (0, 0, 5)
        kinds = [t["kind"] for t in c.get(f"/cards/{card['id']}/transactions").json()["items"]]
        assert "release" not in kinds
