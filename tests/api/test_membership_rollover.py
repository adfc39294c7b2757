"""Credit rollover, a plan setting: unused credits stay usable for ``rollover_months`` months after
their own, the oldest used first; 0 (the default) resets them on the 1st. A month wholly frozen
grants none. Both engines, on the live server's database with explicit clocks.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desk_tui.contract import memberships as wire
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import balances, credits, freezes, queries, service
from tests.api.arrange_cards import new_customer, tag
from tests.api.arrange_credits import call
from tests.api.arrange_memberships import local, make_plan, me
from tests.support.api_client import assert_problem, key, login

PEDICURE = "svc_pedicure"


def enrolled(api, m, rollover: int, since=None) -> str:
    plan = make_plan(m, credits=[{"service_id": PEDICURE, "per_period": 2}], discounts=[], rollover_months=rollover)
    assert plan["rollover_months"] == rollover
    with api.database.transaction() as s:
        e = service.enrol(s, customer_id=new_customer(m)["id"], data=wire.EnrollmentCreate(plan_id=plan["id"]),
                          me=me(), now=since or local(2031, 10, 1))
    return e.id


def use(api, enrollment_id: str, now, n: int = 1) -> None:
    sale = f"sal_{tag()}"
    with api.database.transaction() as s:
        credits.hold(s, enrollment_id=enrollment_id, service_id=PEDICURE, quantity=n, sale_id=sale,
                     sale_line_id=None, me=me(), now=now, expires_at=now + timedelta(minutes=30))
    with api.database.transaction() as s:
        credits.consume(s, sale_id=sale, me=me(), now=now)


def seen(api, enrollment_id: str, now) -> dict:
    with api.database.read_session() as s:
        view = queries.enrollment_view(s, enrollment_id, now=now)
    return view.credits[0].model_dump(include={"allowance", "used", "remaining", "carried", "carried_from"})


def test_unused_credits_carry_over_and_the_oldest_go_first(api):
    with login(api.url, "manager") as m:
        rolling, resetting = enrolled(api, m, 1), enrolled(api, m, 0)
        for e in (rolling, resetting):
            use(api, e, local(2031, 10, 10))
        nov = local(2031, 11, 5)
        assert seen(api, rolling, nov) == {"allowance": 3, "used": 0, "remaining": 3, "carried": 1,
                                           "carried_from": "2031-10"}
        assert seen(api, resetting, nov) == {"allowance": 2, "used": 0, "remaining": 2, "carried": 0,
                                             "carried_from": None}
        use(api, rolling, nov)  # October's credit goes first
        assert seen(api, rolling, nov) == {"allowance": 3, "used": 1, "remaining": 2, "carried": 0,
                                           "carried_from": None}
        # December: November's two are carried; October's are gone (one month at most).
        dec = local(2031, 12, 1)
        assert seen(api, rolling, dec) == {"allowance": 4, "used": 0, "remaining": 4, "carried": 2,
                                           "carried_from": "2031-11"}
        use(api, rolling, dec, 4)
        assert seen(api, rolling, dec)["remaining"] == 0
        with pytest.raises(DomainError) as err:
            use(api, rolling, dec)
        assert err.value.code == "credit_exhausted" and "(4 of 4 used)" in err.value.detail
        with api.database.read_session() as s:
            label = credits.usage_label(s, enrollment_id=rolling, service_id=PEDICURE, now=dec)
        assert label.endswith("(4 of 4 used this month)")


def test_a_month_wholly_frozen_grants_no_credits(api):
    with login(api.url, "manager") as m:
        e = enrolled(api, m, 2)
        call(api, freezes.freeze, enrollment_id=e, me=me("manager"), now=local(2031, 10, 20),
             data=wire.FreezeCreate(starts_on=date(2031, 11, 1), ends_on=date(2031, 11, 30), reason="Away"))
        # October's two carry over; frozen November grants none (and cannot be used).
        assert seen(api, e, local(2031, 12, 2)) == {"allowance": 4, "used": 0, "remaining": 4, "carried": 2,
                                                    "carried_from": "2031-10"}
        with api.database.read_session() as s:
            assert queries.enrollment_view(s, e, now=local(2031, 11, 15)).status == "frozen"
            [counted] = balances.counts(s, [service.lock_enrollment(s, e)], period="2031-11",
                                        now=local(2031, 11, 15)).values()
        assert (counted.granted, counted.allowance) == (False, 2)


def test_roll_is_oldest_first_and_forgets_old_months():
    # (period, granted, used, on_hold): per_period 2, carried one month.
    history = [("2031-01", True, 0, 0), ("2031-02", True, 1, 0), ("2031-03", True, 0, 1)]
    n = balances.roll(2, 1, history)
    # January's two: one went to February's use, one expired in March; February's two are carried.
    assert (n.carried_in, n.allowance, n.remaining, n.carried) == (2, 4, 3, (("2031-02", 1),))
    assert balances.roll(2, 0, history).allowance == 2


def test_rollover_is_a_plan_setting(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m)
        assert plan["rollover_months"] == 0
        r = m.patch(f"/membership-plans/{plan['id']}", json={"rollover_months": 3}, headers=key())
        assert r.status_code == 200 and r.json()["rollover_months"] == 3, r.text
        assert_problem(m.patch(f"/membership-plans/{plan['id']}", json={"rollover_months": 13}, headers=key()),
                       422, "validation_error")
        assert_problem(c.patch(f"/membership-plans/{plan['id']}", json={"rollover_months": 1}, headers=key()),
                       403, "forbidden_role")
