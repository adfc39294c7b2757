"""Session credits: the functions of memberships.credits (what sales calls) on both engines.

The sales work owns the HTTP routes that hold and use credits; here the functions are called on
the live server's own database inside a write transaction, as a route would, with explicit
clocks (``now=``), and the result is read back over HTTP where a route shows it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from desk_tui.contract import memberships as wire
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import credits, queries, service
from tests.api.arrange_appointments import action, at, booked, paid, past_day
from tests.api.arrange_cards import tag
from tests.api.arrange_credits import DEEP, call, credit, hold, member, refused
from tests.api.arrange_memberships import local, make_plan, me
from tests.support.api_client import login


def test_hold_then_use_release_and_run_out(api):
    with login(api.url, "manager") as m:
        t = local(2031, 3, 10)
        cus, mem, plan = member(api, m, since=local(2031, 3, 1))
        sale = f"sal_{tag()}"
        [first] = hold(api, mem, t, sale_id=sale)
        assert credit(api, mem, t) == {"used": 0, "on_hold": 1, "remaining": 1}
        assert call(api, credits.consume, sale_id=sale, me=me(), now=t) == 1
        assert credit(api, mem, t) == {"used": 1, "on_hold": 0, "remaining": 1}
        assert call(api, credits.consume, sale_id=sale, me=me(), now=t) == 0  # nothing held any more
        with api.database.read_session() as s:
            assert [(h["hold_id"], h["state"]) for h in credits.holds(s, sale_id=sale)] == [(first, "used")]

        other = f"sal_{tag()}"
        hold(api, mem, t, sale_id=other)
        err = refused(api, credits.hold, enrollment_id=mem, service_id=DEEP, sale_id=f"sal_{tag()}",
                      sale_line_id=None, me=me(), now=t, expires_at=t + timedelta(minutes=30))
        assert err.code == "credit_exhausted"
        assert err.detail == "No Deep Tissue Massage credit left this month (1 of 2 used, 1 on hold)."
        assert call(api, credits.release, sale_id=other, me=me(), now=t) == 1
        assert call(api, credits.release, sale_id=other, me=me(), now=t) == 0
        assert credit(api, mem, t) == {"used": 1, "on_hold": 0, "remaining": 1}

        # two on one line at once, then one line of a sale released on its own
        both = f"sal_{tag()}"
        assert len(hold(api, mem, t, sale_id=both, sale_line_id="ln1")) == 1
        err = refused(api, credits.hold, enrollment_id=mem, service_id=DEEP, quantity=2, sale_id=both,
                      sale_line_id="ln2", me=me(), now=t, expires_at=t + timedelta(minutes=30))
        assert err.code == "credit_exhausted"
        assert call(api, credits.release, sale_id=both, sale_line_id="ln2", me=me(), now=t) == 0
        assert call(api, credits.release, sale_id=both, sale_line_id="ln1", me=me(), now=t) == 1
        assert len(hold(api, mem, t, quantity=1)) == 1
        last = f"sal_{tag()}"
        err = refused(api, credits.hold, enrollment_id=mem, service_id=DEEP, sale_id=last, sale_line_id=None,
                      me=me(), now=t, expires_at=t + timedelta(minutes=30))
        assert err.detail == "No Deep Tissue Massage credit left this month (1 of 2 used, 1 on hold)."

        sale2 = f"sal_{tag()}"
        with api.database.transaction() as s:
            credits.hold(s, enrollment_id=mem, service_id=DEEP, sale_id=sale2, sale_line_id=None, me=me(),
                         now=t + timedelta(days=1), expires_at=t + timedelta(days=1, minutes=30))
        # (the hold above succeeded only because the earlier one lapsed after 30 minutes)
        call(api, credits.consume, sale_id=sale2, me=me(), now=t + timedelta(days=1))
        activity = m.get(f"/customers/{cus}/activity").json()["items"]
        assert activity[0]["summary"] == f"Used Deep Tissue Massage credit from {plan['name']} (2 of 2 used in 2031-03)"
        assert activity[0]["kind"] == "membership_credit_used"


def test_credits_reset_on_the_first_in_the_salon_time_zone(api):
    with login(api.url, "manager") as m:
        _, mem, _ = member(api, m, since=local(2031, 4, 1))
        late = local(2031, 4, 30, 23, 40)  # 21:40 UTC: still April in Budapest
        for _ in range(2):
            sale = f"sal_{tag()}"
            hold(api, mem, late, sale_id=sale)
            call(api, credits.consume, sale_id=sale, me=me(), now=late)
        assert credit(api, mem, late) == {"used": 2, "on_hold": 0, "remaining": 0}
        with api.database.read_session() as s:
            assert credits.credit_offers(s, customer_id=queries.get_enrollment(s, mem).customer_id,
                                         service_ids=[DEEP], now=late) == []
        may = local(2031, 5, 1, 0, 20)  # 22:20 UTC on 30 April: already May in Budapest
        assert credit(api, mem, may) == {"used": 0, "on_hold": 0, "remaining": 2}
        with api.database.read_session() as s:
            assert queries.enrollment_view(s, mem, now=may).period == "2031-05"
        # ten minutes earlier it is still April there, and April is used up
        april_hold = local(2031, 4, 30, 23, 50)
        err = refused(api, credits.hold, enrollment_id=mem, service_id=DEEP, sale_id="sal_x", sale_line_id=None,
                      me=me(), now=april_hold, expires_at=april_hold + timedelta(minutes=30))
        assert err.code == "credit_exhausted"
        sale = f"sal_{tag()}"
        hold(api, mem, may, sale_id=sale, quantity=2)
        call(api, credits.consume, sale_id=sale, me=me(), now=may + timedelta(minutes=5))
        assert credit(api, mem, may) == {"used": 2, "on_hold": 0, "remaining": 0}
        assert credit(api, mem, local(2031, 6, 1)) == {"used": 0, "on_hold": 0, "remaining": 2}


def test_an_expired_hold_stops_counting(api):
    with login(api.url, "manager") as m:
        t = local(2031, 5, 10)
        _, mem, _ = member(api, m, credits_=[{"service_id": DEEP, "per_period": 1}], since=local(2031, 5, 1))
        idle = f"sal_{tag()}"
        hold(api, mem, t, sale_id=idle, minutes=30)
        assert credit(api, mem, t + timedelta(minutes=29))["on_hold"] == 1
        assert credit(api, mem, t + timedelta(minutes=30)) == {"used": 0, "on_hold": 0, "remaining": 1}
        # the idle cart is touched again while the credit is still free: its hold comes back
        later = t + timedelta(minutes=40)
        call(api, credits.extend_holds, sale_id=idle, expires_at=later + timedelta(minutes=30), now=later)
        assert credit(api, mem, later)["on_hold"] == 1
        # it lapses again and another sale takes the credit: the idle cart can no longer complete
        after = t + timedelta(hours=2)
        busy = f"sal_{tag()}"
        hold(api, mem, after, sale_id=busy)
        call(api, credits.extend_holds, sale_id=idle, expires_at=after + timedelta(minutes=30), now=after)
        assert credit(api, mem, after) == {"used": 0, "on_hold": 1, "remaining": 0}
        err = refused(api, credits.consume, sale_id=idle, me=me(), now=after)
        assert err.code == "credit_exhausted"
        assert call(api, credits.consume, sale_id=busy, me=me(), now=after) == 1
        assert credit(api, mem, after) == {"used": 1, "on_hold": 0, "remaining": 0}
        assert call(api, credits.release, sale_id=idle, me=me(), now=after) == 1

        # an expired hold whose credit is still free completes normally
        _, mem2, _ = member(api, m, credits_=[{"service_id": DEEP, "per_period": 1}], since=local(2031, 5, 1))
        slow = f"sal_{tag()}"
        hold(api, mem2, t, sale_id=slow)
        assert call(api, credits.consume, sale_id=slow, me=me(), now=t + timedelta(hours=3)) == 1
        assert credit(api, mem2, t + timedelta(hours=3)) == {"used": 1, "on_hold": 0, "remaining": 0}


def test_hold_refusals(api):
    with login(api.url, "manager") as m:
        t = local(2031, 6, 10)
        _, mem, _ = member(api, m, since=local(2031, 6, 1))

        def code(**kw) -> str:
            body = {"enrollment_id": mem, "service_id": DEEP, "sale_id": "sal_x", "sale_line_id": None, "me": me(),
                    "now": t, "expires_at": t + timedelta(minutes=30)} | kw
            return refused(api, credits.hold, **body).code

        assert code(service_id="svc_swedish") == "invalid_transition"
        assert code(enrollment_id="mem_nope") == "not_found"
        assert code(quantity=0) == "validation_error"
        assert code(expires_at=t) == "validation_error"
        assert code(customer_id="cus_demo0001") == "invalid_transition"
        assert code(now=local(2031, 5, 31, 23), expires_at=local(2031, 6, 1, 1)) == "invalid_transition"  # scheduled
        with api.database.transaction() as s:
            service.cancel(s, enrollment_id=mem, data=wire.EnrollmentCancel(reason="test"), me=me("manager"), now=t)
        err = refused(api, credits.hold, enrollment_id=mem, service_id=DEEP, sale_id="sal_x", sale_line_id=None,
                      me=me(), now=t, expires_at=t + timedelta(minutes=30))
        assert err.code == "invalid_transition" and "not active (cancelled)" in err.detail


def test_offers_and_the_best_discount(api):
    with login(api.url, "manager") as m:
        t = local(2031, 7, 10)
        cus, mem, plan = member(api, m, since=local(2031, 7, 1),
                                credits_=[{"service_id": DEEP, "per_period": 2},
                                          {"service_id": "svc_manicure", "per_period": 1}],
                                discounts=[{"scope": "all", "percent": 10},
                                           {"scope": "category", "target": "Massage", "percent": 20},
                                           {"scope": "service", "target": "svc_hot_stone", "percent": 20}])
        sale = f"sal_{tag()}"
        hold(api, mem, t, sale_id=sale)
        with api.database.read_session() as s:
            offers = credits.credit_offers(s, customer_id=cus, service_ids=[DEEP, "svc_manicure", "svc_facial"],
                                           now=t, sale_id=sale)
            assert [(o["service_id"], o["remaining"], o["held_here"], o["label"]) for o in offers] == [
                (DEEP, 1, 1, f"{plan['name']} — 1 Deep Tissue Massage credit left this month"),
                ("svc_manicure", 1, 0, f"{plan['name']} — 1 Manicure credit left this month")]
            assert offers[0]["enrollment_id"] == mem and offers[0]["plan_name"] == plan["name"]
            assert credits.credit_offers(s, customer_id=cus, service_ids=[], now=t) == []

            def best(service_id: str):
                found = credits.best_discount(s, customer_id=cus, service_id=service_id, now=t)
                return found and (found["percent"], found["scope"], found["label"])

            assert best(DEEP) == (20, "category", "20% discount on Massage")
            assert best("svc_hot_stone") == (20, "service", "20% discount on Hot Stone Massage")
            assert best("svc_facial") == (10, "all", "10% discount on all services")
            assert best("svc_nope") is None
            assert credits.best_discount(s, customer_id="cus_demo0003", service_id=DEEP, now=t) is None
            assert credits.usage_label(s, enrollment_id=mem, service_id=DEEP, now=t) == (
                f"{plan['name']} credit (0 of 2 used this month)")
        # a second plan with a better Nails discount wins for nails only
        better = make_plan(m, discounts=[{"scope": "category", "target": "Nails", "percent": 25}], credits=[])
        with api.database.transaction() as s:
            service.enrol(s, customer_id=cus, data=wire.EnrollmentCreate(plan_id=better["id"]), me=me(),
                          now=local(2031, 7, 2))
        with api.database.read_session() as s:
            nails = credits.best_discount(s, customer_id=cus, service_id="svc_manicure", now=t)
            assert (nails["percent"], nails["plan_name"]) == (25, better["name"])
            assert credits.best_discount(s, customer_id=cus, service_id=DEEP, now=t)["percent"] == 20


def test_wallet_and_check_in_offer_credits(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        cus, mem, plan = member(api, m, credits_=[{"service_id": "svc_manicure", "per_period": 2}])
        wallet = c.get(f"/customers/{cus}/wallet").json()
        assert [(e["id"], e["status"]) for e in wallet["memberships"]] == [(mem, "active")]
        assert wallet["memberships"][0]["credits"][0]["remaining"] == 2
        appt = booked(c, cus, at(past_day(), 10), paid(), paid("svc_pedicure"))
        r = action(c, appt["id"], "check-in")
        assert r.status_code == 200, r.text
        [line] = r.json()["redeemable"]
        assert line["line_id"] == appt["lines"][0]["id"]
        assert line["sources"] == [{"card_id": None, "enrollment_id": mem, "entitlement_id": None,
                                    "label": f"{plan['name']} — 2 Manicure credits left this month",
                                    "remaining": 2, "available": 2}]
        # Flóra Simon's Gold membership: Deep Tissue credits, next to her cards
        flora = c.get("/customers/cus_demo0001/wallet").json()
        assert [e["plan_name"] for e in flora["memberships"]] == ["Gold membership"]


@pytest.mark.parametrize("racers, per_period", [(2, 1), (8, 3)])
def test_racing_for_the_last_credits(api, racers, per_period):
    """Threads holding at once (a barrier lines them up; no sleeps): exactly ``per_period`` win."""
    with login(api.url, "manager") as m:
        _, mem, _ = member(api, m, credits_=[{"service_id": DEEP, "per_period": per_period}])
        now = utcnow()
        barrier = threading.Barrier(racers)

        def race(n: int) -> str:
            barrier.wait()
            try:
                with api.database.transaction() as s:
                    credits.hold(s, enrollment_id=mem, service_id=DEEP, sale_id=f"sal_race_{tag()}_{n}",
                                 sale_line_id=None, me=me(), now=now, expires_at=now + timedelta(minutes=30))
                return "won"
            except DomainError as err:
                return err.code

        with ThreadPoolExecutor(racers) as pool:
            results = sorted(pool.map(race, range(racers)))
        assert results == ["credit_exhausted"] * (racers - per_period) + ["won"] * per_period
        assert credit(api, mem, now) == {"used": 0, "on_hold": per_period, "remaining": 0}
