"""Appointments: booking, the calendar day, edits with If-Match, status transitions, validation."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.api.arrange_appointments import (
    TZ,
    action,
    activity,
    at,
    book,
    booked,
    new_customer,
    paid,
    past_day,
    patch,
    some_day,
)
from tests.support.api_client import assert_problem, key, login


def test_book_paid_lines(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c, "Paid Lines")
        day = some_day()
        appt = booked(c, cus, at(day, 10), paid(), paid("svc_pedicure"), note="Prefers pastel colours")
        assert appt["status"] == "booked" and appt["version"] == 1 and appt["location_id"] == "loc_downtown"
        assert appt["customer_id"] == cus and appt["customer_name"].startswith("Paid Lines")
        assert appt["staff_id"] == "stf_anna" and appt["staff_name"] == "Anna Szabó"
        start, end = datetime.fromisoformat(appt["start"]), datetime.fromisoformat(appt["end"])
        assert start == datetime.fromisoformat(at(day, 10)) and end - start == timedelta(minutes=45 + 50)
        assert [(x["service_name"], x["price"], x["duration_min"]) for x in appt["lines"]] == [
            ("Manicure", 8000, 45), ("Pedicure", 9500, 50)]
        assert appt["total"] == 17500 and appt["from_package"] is False and appt["note"] == "Prefers pastel colours"
        got = c.get(f"/appointments/{appt['id']}")
        assert got.status_code == 200 and got.json() == appt and got.headers["etag"]
        assert any(e["kind"] == "appointment_booked" and "Anna Szabó" in e["summary"] for e in activity(c, cus))


def test_a_retried_booking_is_applied_once(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        body = {"customer_id": cus, "staff_id": "stf_bence", "start": at(some_day(), 9), "lines": [paid()]}
        headers = key()
        first = c.post("/appointments", json=body, headers=headers)
        again = c.post("/appointments", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == first.json()["id"]


def test_calendar_day_is_the_tokens_location_only(api):
    day = some_day()
    with login(api.url, "reception") as down, login(api.url, "reception", location_id="loc_riverside") as river:
        cus = new_customer(down)
        a = booked(down, cus, at(day, 9), paid())
        b = booked(down, cus, at(day, 23, 30), paid(), staff_id="stf_bence")  # late evening: still that local day
        r = booked(river, cus, at(day, 9), paid(), staff_id="stf_dora")
        booked(down, cus, at(day - timedelta(days=1), 23, 0), paid())  # the day before, and after
        booked(down, cus, at(day + timedelta(days=1), 0, 0), paid())
        cancelled = booked(down, cus, at(day, 12), paid(), staff_id="stf_csilla")
        action(down, cancelled["id"], "cancel")

        view = down.get("/appointments", params={"date": day.isoformat()})
        assert view.status_code == 200 and view.headers["etag"]
        body = view.json()
        assert body["date"] == day.isoformat() and body["location_id"] == "loc_downtown"
        assert body["next_cursor"] is None
        assert [x["id"] for x in body["items"]] == [a["id"], cancelled["id"], b["id"]]
        assert body["items"][1]["status"] == "cancelled"
        only_bence = down.get("/appointments", params={"date": day.isoformat(), "staff_id": "stf_bence"}).json()
        assert [x["id"] for x in only_bence["items"]] == [b["id"]]
        assert [x["id"] for x in river.get("/appointments", params={"date": day.isoformat()}).json()["items"]] == [
            r["id"]]
        # revalidation is cheap: the same day unchanged → 304
        again = down.get("/appointments", params={"date": day.isoformat()},
                         headers={"If-None-Match": view.headers["etag"]})
        assert again.status_code == 304
        for bad in ("2026-13-01", "yesterday", "0001-01-01", "9999-12-31", ""):
            assert_problem(down.get("/appointments", params={"date": bad}), 422, "validation_error")
        assert_problem(down.get("/appointments"), 422, "validation_error")


def test_double_booking_is_refused_unless_allowed(api):
    with login(api.url, "reception") as c, login(api.url, "reception", location_id="loc_riverside") as river:
        cus = new_customer(c, "Kiss Éva")
        day = some_day()
        first = booked(c, cus, at(day, 10), paid(), staff_id="stf_csilla")  # 10:00–10:45
        body = assert_problem(book(c, cus, at(day, 10, 30), paid(), staff_id="stf_csilla"), 409,
                              "staff_double_booked")
        # the problem names the appointment in the way: who, with whom, when
        name = first["customer_name"]
        assert body["detail"].startswith(f"Csilla Horváth is with {name} 10:00–10:45.")
        assert body["conflicts"] == [{"appointment_id": first["id"], "customer_name": name,
                                      "staff_name": "Csilla Horváth", "start": first["start"], "end": first["end"],
                                      "location_id": "loc_downtown"}]
        # back to back is fine; another stylist is fine
        booked(c, cus, at(day, 10, 45), paid(), staff_id="stf_csilla")
        booked(c, cus, at(day, 10, 30), paid(), staff_id="stf_bence")
        # the override books anyway (its first name is still understood)
        forced = booked(c, cus, at(day, 10, 15), paid(), staff_id="stf_csilla", allow_overlap=True)
        assert forced["status"] == "booked"
        assert booked(c, cus, at(day, 10, 20), paid(), staff_id="stf_csilla", allow_double_booking=True)
        # a stylist working at both locations cannot be in two places at once
        booked(c, cus, at(day, 15), paid(), staff_id="stf_emese")
        body = assert_problem(book(river, cus, at(day, 15, 15), paid(), staff_id="stf_emese"), 409,
                              "staff_double_booked")
        assert "at another location" in body["detail"] and body["conflicts"][0]["location_id"] == "loc_downtown"
        # a cancelled appointment frees its slot
        evening = booked(c, cus, at(day, 18), paid(), staff_id="stf_anna")
        assert_problem(book(c, cus, at(day, 18), paid(), staff_id="stf_anna"), 409, "staff_double_booked")
        action(c, evening["id"], "cancel")
        assert book(c, cus, at(day, 18), paid(), staff_id="stf_anna").status_code == 201
        # moving into someone else's slot is refused the same way
        other = booked(c, cus, at(day, 17), paid(), staff_id="stf_csilla")
        assert_problem(patch(c, other, {"start": at(day, 10, 50)}), 409, "staff_double_booked")
        assert patch(c, other, {"start": at(day, 10, 50), "allow_overlap": True}).status_code == 200


def test_an_allowed_overlap_does_not_outlive_the_request(api):
    """allow_overlap is a field of one request, not a state of the appointment: every later move
    into a busy slot — new time, staff member or service — is refused again unless it says so too."""
    with login(api.url, "reception") as c:
        cus = new_customer(c, "Overlap")
        day = some_day()
        anna_ten = booked(c, new_customer(c, "Nagy Béla"), at(day, 10), paid())  # Anna, 10:00–10:45
        anna_two = booked(c, new_customer(c, "Tóth Ildikó"), at(day, 14), paid())  # Anna, 14:00–14:45
        bence = booked(c, new_customer(c, "Szabó Kata"), at(day, 12), paid(), staff_id="stf_bence")  # 12:00–12:45
        assert_problem(book(c, cus, at(day, 10, 15), paid()), 409, "staff_double_booked")
        appt = booked(c, cus, at(day, 10, 15), paid(), allow_overlap=True)  # booked anyway, over anna_ten

        # a note keeps the slot: no check, no question
        r = patch(c, appt, {"note": "running late"})
        assert r.status_code == 200, r.text
        appt = r.json()
        # into another busy slot of Anna: refused again, naming that appointment
        body = assert_problem(patch(c, appt, {"start": at(day, 14, 30)}), 409, "staff_double_booked")
        assert [x["appointment_id"] for x in body["conflicts"]] == [anna_two["id"]]
        assert c.get(f"/appointments/{appt['id']}").json()["version"] == appt["version"]  # nothing changed
        # to another staff member who is busy then: refused
        body = assert_problem(patch(c, appt, {"start": at(day, 12), "staff_id": "stf_bence"}), 409,
                              "staff_double_booked")
        assert [x["appointment_id"] for x in body["conflicts"]] == [bence["id"]]
        # another service in the very same overlapping slot (Haircut is 45 min too) is a new booking of it
        body = assert_problem(patch(c, appt, {"lines": [paid("svc_haircut")]}), 409, "staff_double_booked")
        assert [x["appointment_id"] for x in body["conflicts"]] == [anna_ten["id"]]
        # the move says allow_overlap itself: 200
        r = patch(c, appt, {"start": at(day, 14, 30), "allow_overlap": True})
        assert r.status_code == 200, r.text
        appt = r.json()
        assert datetime.fromisoformat(appt["start"]) == datetime.fromisoformat(at(day, 14, 30)) and appt["version"] == 3
        # and the next move is checked again, from there
        assert_problem(patch(c, appt, {"start": at(day, 10)}), 409, "staff_double_booked")


def test_an_overlap_allowed_by_name_refuses_one_booked_meanwhile(api):
    """overlap_ids: the desk allows the appointments it showed; one another terminal booked in
    between is refused again, so no clash is saved without being seen."""
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = some_day()
        shown = booked(c, cus, at(day, 9), paid(), staff_id="stf_bence")
        body = assert_problem(book(c, cus, at(day, 9, 15), paid(), staff_id="stf_bence"), 409, "staff_double_booked")
        ids = [x["appointment_id"] for x in body["conflicts"]]
        assert ids == [shown["id"]]
        meanwhile = booked(c, cus, at(day, 9, 30), paid(), staff_id="stf_bence", allow_overlap=True)
        body = assert_problem(book(c, cus, at(day, 9, 15), paid(), staff_id="stf_bence", allow_overlap=True,
                                   overlap_ids=ids), 409, "staff_double_booked")
        assert [x["appointment_id"] for x in body["conflicts"]] == [meanwhile["id"]]
        assert booked(c, cus, at(day, 9, 15), paid(), staff_id="stf_bence", allow_overlap=True,
                      overlap_ids=[*ids, meanwhile["id"]])


def test_edit_needs_the_current_version(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = some_day()
        appt = booked(c, cus, at(day, 10), paid())
        r = patch(c, appt, {"start": at(day, 11), "staff_id": "stf_bence"})
        assert r.status_code == 200, r.text
        moved = r.json()
        assert moved["version"] == 2 and moved["staff_id"] == "stf_bence"
        assert datetime.fromisoformat(moved["end"]) - datetime.fromisoformat(moved["start"]) == timedelta(minutes=45)
        # a second terminal still holding version 1 is told, and nothing changes
        body = assert_problem(patch(c, appt, {"start": at(day, 12), "lines": [paid("svc_pedicure")]}, version=1), 412,
                              "version_conflict")
        assert body["current_version"] == 2
        assert c.get(f"/appointments/{appt['id']}").json() == moved
        # If-Match is required on PATCH; weak/quoted forms and * are understood
        assert_problem(patch(c, moved, {"note": "x"}, version="omit"), 412, "version_conflict")
        assert_problem(patch(c, moved, {"note": "x"}, version="abc"), 422, "validation_error")
        r = patch(c, moved, {"note": "window seat"}, version='W/"2"')
        assert r.status_code == 200 and r.json()["version"] == 3 and r.json()["note"] == "window seat"
        r = patch(c, r.json(), {"note": None}, version="*")
        assert r.status_code == 200 and r.json()["version"] == 4 and r.json()["note"] is None
        # a status action with a stale If-Match is refused too
        assert_problem(action(c, appt["id"], "cancel", headers={"If-Match": "1"}), 412, "version_conflict")
        assert any(e["kind"] == "appointment_changed" and "moved from" in e["summary"] for e in activity(c, cus))


def test_status_transitions(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = past_day()
        a = booked(c, cus, at(day, 9), paid())
        assert_problem(action(c, a["id"], "complete"), 409, "invalid_transition")
        assert action(c, a["id"], "check-in").json()["status"] == "checked_in"
        assert_problem(action(c, a["id"], "check-in"), 409, "invalid_transition")
        assert action(c, a["id"], "complete").json()["status"] == "completed"
        for name in ("check-in", "cancel", "no-show", "complete"):
            body = assert_problem(action(c, a["id"], name), 409, "invalid_transition")
            assert body["current_status"] == "completed"
        done = c.get(f"/appointments/{a['id']}").json()
        assert_problem(patch(c, done, {"note": "late"}), 409, "invalid_transition")

        b = booked(c, cus, at(day, 11), paid())
        assert action(c, b["id"], "cancel").json()["status"] == "cancelled"
        for name in ("check-in", "cancel", "no-show", "complete"):
            assert_problem(action(c, b["id"], name), 409, "invalid_transition")

        d = booked(c, cus, at(day, 13), paid())
        action(c, d["id"], "check-in")
        assert action(c, d["id"], "no-show").json()["status"] == "no_show"
        assert_problem(action(c, d["id"], "check-in"), 409, "invalid_transition")

        e = booked(c, cus, at(day, 15), paid())
        assert action(c, e["id"], "check-in").status_code == 200
        assert action(c, e["id"], "cancel").json()["status"] == "cancelled"
        kinds = {x["kind"] for x in activity(c, cus)}
        assert {"appointment_booked", "appointment_checked_in", "appointment_completed", "appointment_cancelled",
                "appointment_no_show"} <= kinds


def test_appointments_are_never_deleted(api):
    with login(api.url, "reception") as c:
        appt = booked(c, new_customer(c), at(some_day(), 9), paid())
        assert_problem(c.delete(f"/appointments/{appt['id']}"), 405, "method_not_allowed")
        assert c.get(f"/appointments/{appt['id']}").json()["status"] == "booked"


@pytest.mark.parametrize("change, code", [
    ({"customer_id": "cus_nope"}, "validation_error"),
    ({"staff_id": "stf_nope"}, "validation_error"),
    ({"staff_id": "stf_dora"}, "validation_error"),  # works at Riverside only
    ({"staff_id": "stf_reception"}, "validation_error"),  # not bookable
    ({"lines": []}, "validation_error"),
    ({"lines": [{"service_id": "svc_nope"}]}, "validation_error"),
    ({"lines": [{"service_id": "svc_express_facial"}]}, "service_not_offered_here"),
    ({"lines": [{"service_id": "svc_manicure", "price": 0}]}, "validation_error"),
    ({"lines": [{"service_id": "svc_manicure"}] * 21}, "validation_error"),
    ({"start": "2150-01-01T10:00:00"}, "validation_error"),  # no offset: ambiguous
    ({"start": "9999-12-31T23:59:00+00:00"}, "validation_error"),
    ({"start": "tomorrow"}, "validation_error"),
    ({"note": "x" * 5000}, "validation_error"),
    ({"surprise": True}, "validation_error"),
])
def test_bad_bookings_are_refused_clearly(api, change, code):
    with login(api.url, "reception") as c:
        body = {"customer_id": "cus_demo0010", "staff_id": "stf_anna", "start": at(some_day(), 10),
                "lines": [{"service_id": "svc_manicure"}]} | change
        r = c.post("/appointments", json=body, headers=key())
        assert_problem(r, 409 if code != "validation_error" else 422, code)


def test_bad_requests_never_500(api):
    with login(api.url, "reception") as c:
        appt = booked(c, new_customer(c), at(some_day(), 9), paid())
        assert_problem(c.get("/appointments/apt_nope"), 404, "not_found")
        assert_problem(action(c, "apt_nope", "cancel"), 404, "not_found")
        assert_problem(c.patch("/appointments/apt_nope", json={}, headers={"If-Match": "1"}), 404, "not_found")
        assert_problem(c.post("/appointments", content=b"{nope", headers={"content-type": "application/json"}),
                       422, "validation_error")
        assert_problem(patch(c, appt, {"lines": [{"id": "apl_nope", "service_id": "svc_manicure"}]}), 422,
                       "validation_error")
        line = appt["lines"][0]["id"]
        assert_problem(patch(c, appt, {"lines": [{"id": line, "service_id": "svc_manicure"}] * 2}), 422,
                       "validation_error")
        assert_problem(patch(c, appt, {"start": "2150-01-01T10:00:00"}), 422, "validation_error")
        assert_problem(patch(c, appt, {"lines": None}, version="999999999999"), 422, "validation_error")
        assert_problem(action(c, appt["id"], "cancel", json={"reason": "x" * 5000}), 422, "validation_error")
        assert_problem(action(c, appt["id"], "cancel", json={"reason": 5, "extra": 1}), 422, "validation_error")
        # PostgreSQL refuses NUL in text: such input is a 422, never a 500
        assert_problem(c.get("/appointments/apt%00x"), 422, "validation_error")
        assert_problem(c.get("/appointments", params={"date": "2150-01-01", "staff_id": "a\x00"}), 422,
                       "validation_error")
        assert_problem(book(c, "cus\x00", at(some_day(), 9), paid()), 422, "validation_error")
        assert_problem(book(c, "cus_demo0010", at(some_day(), 9), {"service_id": "svc_manicure",
                                                                   "source": {"card_id": "crd\x00"}}),
                       422, "validation_error")
        assert_problem(patch(c, appt, {"note": "a\x00b"}), 422, "validation_error")
        assert c.get(f"/appointments/{appt['id']}").json()["version"] == 1
    r = httpx.get(f"{api.url}/v1/appointments", params={"date": "2150-01-01"},
                  headers={"Authorization": "Bearer nope"})
    assert_problem(r, 401, "unauthenticated")


def test_the_day_is_the_org_time_zones_day_even_when_25_hours_long(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        # the night the clocks go back in Budapest: the day is 25 hours long
        appt = booked(c, cus, datetime(2150, 10, 25, 23, 30, tzinfo=TZ).isoformat(), paid(), staff_id="stf_emese")
        items = c.get("/appointments", params={"date": "2150-10-25", "staff_id": "stf_emese"}).json()["items"]
        assert appt["id"] in [x["id"] for x in items]
        assert appt["start"].startswith("2150-10-25T22:30:00")  # stored and returned in UTC (CET = UTC+1)


def _race(api, calls) -> list:
    """Run each call(client) on its own terminal at the same instant; returns their responses."""
    terminals = [login(api.url, "reception") for _ in calls]
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def go(i: int) -> None:
        barrier.wait()
        results[i] = calls[i](terminals[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for t in terminals:
        t.close()
    return results


def test_two_terminals_editing_the_same_version_one_wins(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = some_day()
        appt = booked(c, cus, at(day, 10), paid())
        results = _race(api, [lambda t: patch(t, appt, {"start": at(day, 12)}),
                              lambda t: patch(t, appt, {"staff_id": "stf_bence"})])
        assert sorted(r.status_code for r in results) == [200, 412], [r.text for r in results]
        now = c.get(f"/appointments/{appt['id']}").json()
        winner = next(r.json() for r in results if r.status_code == 200)
        assert now == winner and now["version"] == 2


def test_two_terminals_booking_the_same_slot_one_wins(api):
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        day = some_day()
        results = _race(api, [lambda t: book(t, cus, at(day, 10), paid(), staff_id="stf_csilla"),
                              lambda t: book(t, cus, at(day, 10, 30), paid(), staff_id="stf_csilla")])
        assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
        assert_problem(next(r for r in results if r.status_code == 409), 409, "staff_double_booked")
        assert len(c.get("/appointments", params={"date": day.isoformat()}).json()["items"]) == 1


def test_the_demo_calendar_has_a_believable_week(api):
    today = datetime.now(TZ).date()
    with login(api.url, "reception") as down, login(api.url, "reception", location_id="loc_riverside") as river:
        items = down.get("/appointments", params={"date": today.isoformat()}).json()["items"]
        statuses = {x["status"] for x in items}
        assert {"completed", "checked_in", "booked"} <= statuses
        package = [x for x in items if x["from_package"]]
        assert {x["customer_id"] for x in package} >= {"cus_demo0001", "cus_demo0002", "cus_demo0005"}
        assert all(x["lines"][0]["price"] == 0 and x["lines"][0]["counter"] for x in package)
        river_today = river.get("/appointments", params={"date": today.isoformat()}).json()["items"]
        assert any(x["status"] == "cancelled" and x["from_package"] for x in river_today)
        assert {x["location_id"] for x in river_today} == {"loc_riverside"}
        yesterday = down.get("/appointments", params={"date": (today - timedelta(days=1)).isoformat()}).json()
        assert any(x["status"] == "no_show" and x["from_package"] for x in yesterday["items"])
        week = [down.get("/appointments", params={"date": (today + timedelta(days=n)).isoformat()}).json()["items"]
                for n in range(1, 8)]
        assert sum(len(x) for x in week) > 20


def test_a_customers_upcoming_appointments_soonest_first(api):
    with login(api.url, "reception") as c:
        customer = c.post("/customers", json={"name": "Upcoming Ursula"}, headers=key()).json()
        made = []
        summer = timezone(timedelta(hours=2))
        for start, staff in ((datetime(2033, 5, 10, 10, tzinfo=summer), "stf_anna"),
                             (datetime(2033, 5, 3, 9, tzinfo=summer), "stf_bence"),
                             (datetime(2033, 4, 1, 9, tzinfo=summer), "stf_anna")):
            r = c.post("/appointments", json={"customer_id": customer["id"], "staff_id": staff,
                                              "start": start.isoformat(), "lines": [{"service_id": "svc_manicure"}]},
                       headers=key())
            assert r.status_code == 201, r.text
            made.append(r.json())
        c.post(f"/appointments/{made[1]['id']}/cancel", headers=key())
        r = c.get(f"/customers/{customer['id']}/appointments", params={"from": "2033-04-02"})
        assert r.status_code == 200, r.text
        assert [a["id"] for a in r.json()] == [made[0]["id"]]  # not the past one, not the cancelled one
        everything = c.get(f"/customers/{customer['id']}/appointments", params={"from": "2033-01-01"}).json()
        assert [a["id"] for a in everything] == [made[2]["id"], made[0]["id"]]
        assert_problem(c.get("/customers/cus_nope/appointments", params={"from": "2033-01-01"}), 404, "not_found")
        assert_problem(c.get(f"/customers/{customer['id']}/appointments"), 422, "validation_error")
