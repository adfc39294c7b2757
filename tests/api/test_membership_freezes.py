"""Freezing a membership (managers): no benefits, no credits and no dues while frozen, the
paid-through date moved on by the frozen days; ending a freeze early moves it back. Both engines;
the race of a freeze with a credit at the till runs on `desk-tui serve` (two workers on PostgreSQL).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx

from desk_tui.contract import memberships as wire
from desk_tui.server.memberships import freezes, service
from tests.api.arrange_appointments import new_customer
from tests.api.arrange_cards import activity, today
from tests.api.arrange_credits import call, member, refused
from tests.api.arrange_memberships import local, make_plan, me
from tests.api.arrange_sales import add, complete, opened, redeem
from tests.support.api_client import TLS, as_manager, assert_problem, key, login

GOLD = "mpl_demo_gold"


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def given(c: httpx.Client) -> tuple[str, str]:
    """A new customer given Gold without a sale: due from today (paid through yesterday)."""
    customer = new_customer(c, "Frozen Member")
    r = as_manager(c).post(f"/customers/{customer}/memberships", json={"plan_id": GOLD, "reason": "test set-up"},
                           headers=key())
    assert r.status_code == 201, r.text
    return customer, r.json()["id"]


def test_a_frozen_membership_gives_nothing_and_falls_due_after_the_freeze(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer, enrollment = given(c)
        assert c.get(f"/memberships/{enrollment}").json()["paid_through"] == days(-1)
        body = {"ends_on": days(9), "reason": "Broken leg"}
        refusal = assert_problem(c.post(f"/memberships/{enrollment}/freezes", json=body, headers=key()), 403,
                                 "forbidden_role")
        assert "Only a manager or the owner can freeze" in refusal["detail"]

        r = m.post(f"/memberships/{enrollment}/freezes", json=body, headers=key())
        assert r.status_code == 200, r.text
        frozen = r.json()
        assert frozen["status"] == "frozen"
        assert [(f["starts_on"], f["ends_on"], f["reason"]) for f in frozen["freezes"]] == [
            (days(0), days(9), "Broken leg")]
        # The month it owed from today now falls due the day after the freeze.
        assert (frozen["paid_through"], frozen["due_since"]) == (days(9), None)
        assert any(f"Froze Gold membership from {days(0)} to {days(9)}" in x for x in activity(c, customer))

        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        benefits = c.get(f"/sales/{sale['id']}/benefits").json()
        assert benefits["frozen"] == [f"Gold membership is frozen until {days(9)}: no discounts or credits"]
        assert (benefits["banner"], benefits["discounts"], benefits["credits"], benefits["payments_due"]) == (
            [], [], [], [])
        refusal = assert_problem(redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment), 409,
                                 "membership_frozen")
        assert f"frozen until {days(9)}" in refusal["detail"]
        due = m.get("/reports/memberships-due", params={"limit": 200}).json()["items"]
        assert enrollment not in [x["enrollment_id"] for x in due]

        # Overlapping or past freezes are refused in words.
        assert "already frozen" in assert_problem(m.post(f"/memberships/{enrollment}/freezes", json={
            "starts_on": days(5), "ends_on": days(20), "reason": "again"}, headers=key()), 409,
            "invalid_transition")["detail"]
        assert_problem(m.post(f"/memberships/{enrollment}/freezes", json={
            "starts_on": days(-1), "ends_on": days(3), "reason": "late"}, headers=key()), 422, "validation_error")

        freeze_id = frozen["freezes"][0]["id"]
        assert_problem(c.post(f"/memberships/{enrollment}/freezes/{freeze_id}/end", json={}, headers=key()), 403,
                       "forbidden_role")
        r = m.post(f"/memberships/{enrollment}/freezes/{freeze_id}/end", json={}, headers=key())
        assert r.status_code == 200, r.text
        back = r.json()
        assert (back["status"], back["paid_through"], back["due_since"]) == ("active", days(-1), days(0))
        assert back["freezes"][0]["ended_at"] is not None
        assert c.get(f"/sales/{sale['id']}/benefits").json()["frozen"] == []
        assert redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment).status_code == 200
        assert_problem(m.post(f"/memberships/{enrollment}/freezes/{freeze_id}/end", json={}, headers=key()), 409,
                       "invalid_transition")


def test_paid_through_moves_by_the_frozen_days_and_back(api):
    with login(api.url, "manager") as m:
        plan = make_plan(m, credits=[{"service_id": "svc_pedicure", "per_period": 1}])
        cus = new_customer(m)
        with api.database.transaction() as s:
            e = service.enrol(s, customer_id=cus, data=wire.EnrollmentCreate(plan_id=plan["id"]), me=me(),
                              now=local(2031, 3, 1))
            service.first_month(service.lock_enrollment(s, e.id))
        boss = me("manager")
        view = call(api, freezes.freeze, enrollment_id=e.id, me=boss, now=local(2031, 3, 10),
                    data=wire.FreezeCreate(ends_on=date(2031, 3, 19), reason="Holiday"))
        assert (view.status, view.paid_through) == ("frozen", date(2031, 4, 10))  # 31 March + 10 days
        # A month paid from 11 April: a calendar month of days not frozen.
        call(api, freezes.freeze, enrollment_id=e.id, me=boss, now=local(2031, 3, 10),
             data=wire.FreezeCreate(starts_on=date(2031, 4, 20), ends_on=date(2031, 4, 24), reason="Away"))
        with api.database.transaction() as s:
            paid = service.pay_next_month(s, enrollment_id=e.id, me=boss, now=local(2031, 3, 12))
            assert paid.paid_through == date(2031, 5, 15)  # 11 April + a month − 1, + 5 frozen days
        with api.database.read_session() as s:
            first, second = [f.id for f in service.lock_enrollment(s, e.id).freezes]
        # The planned freeze is called off: its five days are due again.
        view = call(api, freezes.end_freeze, enrollment_id=e.id, freeze_id=second, me=boss, now=local(2031, 3, 15))
        assert view.paid_through == date(2031, 5, 10)
        # The current one ends early on the 15th: 14th was the last frozen day (5 days frozen, not 10).
        view = call(api, freezes.end_freeze, enrollment_id=e.id, freeze_id=first, me=boss, now=local(2031, 3, 15))
        assert (view.status, view.paid_through) == ("active", date(2031, 5, 5))
        assert [(f.starts_on, f.ends_on) for f in view.freezes] == [
            (date(2031, 3, 10), date(2031, 3, 14)), (date(2031, 4, 20), date(2031, 4, 19))]
        err = refused(api, freezes.freeze, enrollment_id=e.id, me=me(), now=local(2031, 3, 15),
                      data=wire.FreezeCreate(ends_on=date(2031, 3, 20), reason="x"))
        assert err.code == "forbidden_role"
        err = refused(api, freezes.freeze, enrollment_id=e.id, me=boss, now=local(2031, 3, 15),
                      data=wire.FreezeCreate(ends_on=date(2032, 3, 20), reason="x"))
        assert (err.code, err.detail) == ("validation_error", "ends_on: a freeze lasts at most 366 days.")


def test_a_cancelled_membership_cannot_be_frozen(api):
    with login(api.url, "manager") as m:
        _, enrollment, _ = member(api, m)
        r = m.post(f"/memberships/{enrollment}/cancel", json={"reason": "Moved"}, headers=key())
        assert r.status_code == 200, r.text
        detail = assert_problem(m.post(f"/memberships/{enrollment}/freezes", json={
            "ends_on": days(3), "reason": "late"}, headers=key()), 409, "invalid_transition")["detail"]
        assert "cancelled" in detail


def test_freeze_and_credit_race_across_workers(served_api):
    """A freeze and redemptions of the same enrolment at once: each waits for the enrolment's lock,
    so every redemption either came first (and holds its credit) or is refused as frozen."""
    with login(served_api.url, "reception") as c, login(served_api.url, "manager") as m:
        customer, enrollment = given(c)
        carts = [add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue") for _ in range(3)]
        barrier = threading.Barrier(len(carts) + 1)

        def fire(sale: dict | None) -> httpx.Response:
            who = m if sale is None else c
            headers = {"Authorization": who.headers["Authorization"], "Idempotency-Key": uuid.uuid4().hex}
            with httpx.Client(base_url=served_api.url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
                barrier.wait()
                if sale is None:
                    return client.post(f"/memberships/{enrollment}/freezes",
                                       json={"ends_on": days(5), "reason": "race"})
                return client.post(f"/sales/{sale['id']}/lines/{sale['lines'][0]['id']}/redeem",
                                   json={"enrollment_id": enrollment})

        with ThreadPoolExecutor(len(carts) + 1) as pool:
            freeze, *redeems = list(pool.map(fire, [None, *carts]))
        assert freeze.status_code == 200, freeze.text
        held = [r for r in redeems if r.status_code == 200]
        for r in redeems:
            assert r.status_code in (200, 409), r.text
            if r.status_code == 409:
                assert r.json()["code"] in ("membership_frozen", "credit_exhausted"), r.text
        assert len(held) <= 2  # two Deep Tissue credits a month
        credit = next(x for x in c.get(f"/memberships/{enrollment}").json()["credits"]
                      if x["service_id"] == "svc_deep_tissue")
        assert credit["on_hold"] == len(held)
        # Completing now is refused: the freeze stops credits held before it, too.
        for r in held:
            sale = r.json()
            assert_problem(complete(c, sale["id"]), 409, "membership_frozen")
        assert next(x for x in c.get(f"/memberships/{enrollment}").json()["credits"]
                    if x["service_id"] == "svc_deep_tissue")["used"] == 0
