"""What an appointment's day allows: check-in and no-show only once it has come, and "next
appointment" only among those that have not happened yet."""

from __future__ import annotations

from datetime import datetime

from tests.api.arrange_appointments import (
    TZ,
    action,
    at,
    booked,
    from_card,
    new_customer,
    paid,
    past_day,
    sell,
    some_day,
)
from tests.support.api_client import assert_problem, key, login


def test_check_in_and_no_show_wait_for_the_appointments_day(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c, "Days Ahead")
        ahead = booked(c, cus, at(some_day(), 10), paid())
        for name, verb in (("check-in", "checked in"), ("no-show", "marked as a no-show")):
            body = assert_problem(action(c, ahead["id"], name), 409, "appointment_not_yet")
            assert f"it can be {verb} on that day" in body["detail"], body
            assert body["starts_on"] == ahead["start"][:10]
        same = c.get(f"/appointments/{ahead['id']}").json()
        assert (same["status"], same["version"]) == ("booked", 1)
        # Later today is today: an early arrival is checked in (the hour is one no one books).
        today = datetime.now(TZ).date()
        later = booked(c, cus, at(today, 23, 45), paid(), allow_overlap=True)
        assert action(c, later["id"], "check-in").json()["status"] == "checked_in"
        gone = booked(c, cus, at(past_day(), 10), paid())
        assert action(c, gone["id"], "no-show").json()["status"] == "no_show"


def test_next_appointment_skips_what_has_happened(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c, "Next Visit")
        day = some_day()
        done = booked(c, cus, at(past_day(), 9), paid())
        action(c, done["id"], "check-in")
        action(c, done["id"], "complete")
        missed = booked(c, cus, at(past_day(), 10), paid())
        action(c, missed["id"], "no-show")
        cancelled = booked(c, cus, at(day, 9), paid())
        action(c, cancelled["id"], "cancel", json={"reason": "ill"})
        ahead = booked(c, cus, at(day, 11), paid())
        # Asked from the days the history lies on: only what is still to happen is "next".
        found = c.get(f"/customers/{cus}/appointments", params={"from": "2001-01-01"}).json()
        assert [a["id"] for a in found] == [ahead["id"]]


def test_the_check_in_offer_counts_a_booked_session_as_booked(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c, "Counted")
        card = sell(c, cus)
        booked(c, cus, at(some_day(), 10), from_card(card["id"]))  # one session held by next month's visit
        r = c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=key())
        assert r.status_code == 201, r.text
        visit = booked(c, cus, at(past_day(), 10), paid())
        [offer] = action(c, visit["id"], "check-in").json()["redeemable"]
        # the profile's words: not "(2 of 5 used)" next to "2 left"
        label = offer["sources"][0]["label"]
        assert label.startswith("5x Manicure") and label.endswith(" (1 used, 1 booked, 3 left)"), label
