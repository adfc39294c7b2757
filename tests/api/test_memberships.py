"""Membership plans and enrolments over real HTTP, on SQLite and PostgreSQL (docs/api.md "Memberships").

Tests share one demo database per engine, so each makes its own plans and customers with unique
names; the demo plans and members are only read.
"""

from __future__ import annotations

from datetime import timedelta

from desk_tui.contract import memberships as wire
from desk_tui.server.memberships import service
from tests.api.arrange_cards import new_customer, tag, today
from tests.api.arrange_memberships import as_of, enrol, make_plan, me
from tests.api.arrange_races import race
from tests.support.api_client import assert_problem, key, login


def test_demo_plans_and_flora_in_gold(api):
    with login(api.url, "reception") as c:
        plans = {p["name"]: p for p in c.get("/membership-plans", params={"limit": 500}).json()["items"]}
        gold = plans["Gold membership"]
        assert (gold["price"], gold["active"]) == (19900, True)
        assert [d["label"] for d in gold["discounts"]] == ["10% discount on all services", "20% discount on Massage"]
        assert gold["credits"] == [{"service_id": "svc_deep_tissue", "service_name": "Deep Tissue Massage",
                                    "per_period": 2}]
        assert [d["label"] for d in plans["Nail Club"]["discounts"]] == ["15% discount on Nails"]
        assert plans["Silver (old)"]["active"] is False
        retired = c.get("/membership-plans", params={"active": "false", "limit": 500}).json()["items"]
        assert "Silver (old)" in {p["name"] for p in retired} and not any(p["active"] for p in retired)
        mine = c.get("/customers/cus_demo0001/memberships").json()["items"]
        assert [(e["plan_name"], e["status"]) for e in mine] == [("Gold membership", "active")]
        assert mine[0]["period"] == f"{today().year:04d}-{today().month:02d}"
        assert c.get(f"/memberships/{mine[0]['id']}").json()["plan_id"] == gold["id"]
        cancelled = c.get("/customers/cus_demo0011/memberships").json()["items"]
        assert [e["status"] for e in cancelled] == ["cancelled"]
        assert c.get("/customers/cus_demo0011/wallet").json()["memberships"] == []


def test_plan_create_edit_and_roles(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c, login(api.url, "owner") as o:
        name = f"Spa Club {tag()}"
        plan = make_plan(m, name=name, discounts=[{"scope": "service", "target": "svc_facial", "percent": 15},
                                                  {"scope": "all", "percent": 5}],
                         credits=[{"service_id": "svc_manicure", "per_period": 3}])
        assert [d["label"] for d in plan["discounts"]] == ["15% discount on Facial", "5% discount on all services"]
        assert plan["credits"][0] == {"service_id": "svc_manicure", "service_name": "Manicure", "per_period": 3}
        assert plan["members"] == 0 and plan["active"] is True
        assert c.get(f"/membership-plans/{plan['id']}").json() == plan

        body = {"name": "x", "price": 1}
        assert_problem(c.post("/membership-plans", json=body, headers=key()), 403, "forbidden_role")
        assert_problem(c.patch(f"/membership-plans/{plan['id']}", json={"price": 1}), 403, "forbidden_role")

        r = o.patch(f"/membership-plans/{plan['id']}", json={"price": 12345, "credits": [
            {"service_id": "svc_manicure", "per_period": 1}, {"service_id": "svc_pedicure", "per_period": 2}]})
        assert r.status_code == 200, r.text
        edited = r.json()
        assert edited["price"] == 12345 and edited["name"] == name
        assert [(x["service_id"], x["per_period"]) for x in edited["credits"]] == [("svc_manicure", 1),
                                                                                ("svc_pedicure", 2)]
        assert len(edited["discounts"]) == 2  # absent lists stay
        r = m.patch(f"/membership-plans/{plan['id']}", json={"discounts": [], "active": False})
        assert r.json()["discounts"] == [] and r.json()["active"] is False
        assert_problem(m.patch(f"/membership-plans/{plan['id']}", json={"name": None}), 422, "validation_error")
        assert_problem(m.get("/membership-plans/mpl_nope"), 404, "not_found")
        assert_problem(m.patch("/membership-plans/mpl_nope", json={"price": 1}), 404, "not_found")

        for client in (c, m, o):
            body = assert_problem(client.delete(f"/membership-plans/{plan['id']}"), 405, "method_not_allowed")
            assert "never deleted" in body["detail"]
        assert m.get(f"/membership-plans/{plan['id']}").status_code == 200


def test_plan_validation(api):
    with login(api.url, "manager") as m:
        def refused(**fields) -> str:
            body = {"name": f"Bad {tag()}", "price": 100} | fields
            return assert_problem(m.post("/membership-plans", json=body, headers=key()), 422,
                                  "validation_error")["detail"]

        assert "svc_nope" in refused(credits=[{"service_id": "svc_nope", "per_period": 1}])
        assert "listed twice" in refused(credits=[{"service_id": "svc_manicure", "per_period": 1},
                                                  {"service_id": "svc_manicure", "per_period": 2}])
        assert "'Tattoo'" in refused(discounts=[{"scope": "category", "target": "Tattoo", "percent": 10}])
        assert "svc_nope" in refused(discounts=[{"scope": "service", "target": "svc_nope", "percent": 10}])
        assert "listed twice" in refused(discounts=[{"scope": "all", "percent": 10}, {"scope": "all", "percent": 20}])
        refused(discounts=[{"scope": "all", "target": "Nails", "percent": 10}])
        refused(discounts=[{"scope": "category", "percent": 10}])
        refused(discounts=[{"scope": "all", "percent": 0}])
        refused(discounts=[{"scope": "all", "percent": 101}])
        refused(credits=[{"service_id": "svc_manicure", "per_period": 0}])
        refused(price=-1)
        refused(name="")
        plan = make_plan(m)
        r = m.patch(f"/membership-plans/{plan['id']}", json={"credits": [{"service_id": "svc_x", "per_period": 1}]})
        assert_problem(r, 422, "validation_error")
        assert m.get(f"/membership-plans/{plan['id']}").json() == plan  # nothing changed


def test_enrol_lists_newest_first_and_records_activity(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m, credits=[{"service_id": "svc_pedicure", "per_period": 2}])
        other = make_plan(m)
        cus = new_customer(c)["id"]
        first = enrol(c, cus, plan["id"])
        assert (first["status"], first["starts_on"], first["ends_on"]) == ("active", today().isoformat(), None)
        assert first["credits"] == [{"service_id": "svc_pedicure", "service_name": "Pedicure", "per_period": 2,
                                     "used": 0, "on_hold": 0, "remaining": 2, "allowance": 2, "carried": 0,
                                     "carried_from": None}]
        later = enrol(c, cus, other["id"], starts_on=(today() + timedelta(days=10)).isoformat())
        assert later["status"] == "scheduled"
        items = c.get(f"/customers/{cus}/memberships").json()["items"]
        assert [e["id"] for e in items] == [later["id"], first["id"]]
        page = c.get(f"/customers/{cus}/memberships", params={"limit": 1}).json()
        assert [e["id"] for e in page["items"]] == [later["id"]] and page["next_cursor"]
        rest = c.get(f"/customers/{cus}/memberships", params={"limit": 1, "cursor": page["next_cursor"]}).json()
        assert [e["id"] for e in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
        # the wallet shows only what works today
        assert [e["id"] for e in c.get(f"/customers/{cus}/wallet").json()["memberships"]] == [first["id"]]
        assert m.get(f"/membership-plans/{plan['id']}").json()["members"] == 1
        summaries = [a["summary"] for a in c.get(f"/customers/{cus}/activity").json()["items"]]
        assert summaries[:2] == [
            f"Joined {other['name']} from {later['starts_on']} without a sale by Márton Kiss (due from "
            f"{later['starts_on']}): test set-up",
            f"Joined {plan['name']} without a sale by Márton Kiss (due from {today().isoformat()}): test set-up"]


def test_enrol_refusals(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m)
        cus = new_customer(c)["id"]
        enrol(c, cus, plan["id"])
        body = assert_problem(m.post(f"/customers/{cus}/memberships", json={"plan_id": plan["id"], "reason": "x"},
                                     headers=key()),
                              409, "duplicate")
        assert plan["name"] in body["detail"]
        r = m.post(f"/customers/{cus}/memberships", json={"plan_id": "mpl_demo_silver", "reason": "x"}, headers=key())
        assert "no longer sold" in assert_problem(r, 409, "invalid_transition")["detail"]
        r = m.post(f"/customers/{cus}/memberships", json={"plan_id": "mpl_nope", "reason": "x"}, headers=key())
        assert_problem(r, 404, "not_found")
        r = m.post("/customers/cus_nope/memberships", json={"plan_id": plan["id"], "reason": "x"}, headers=key())
        assert_problem(r, 404, "not_found")
        yesterday = (today() - timedelta(days=1)).isoformat()
        r = m.post(f"/customers/{cus}/memberships", json={"plan_id": make_plan(m)["id"], "starts_on": yesterday,
                                                          "reason": "x"}, headers=key())
        assert_problem(r, 422, "validation_error")
        r = m.post(f"/customers/{cus}/memberships", json={"plan_id": make_plan(m)["id"], "starts_on": days_from(5),
                                                          "ends_on": days_from(4), "reason": "x"}, headers=key())
        assert_problem(r, 422, "validation_error")
        assert_problem(c.get("/memberships/mem_nope"), 404, "not_found")
        assert_problem(c.get("/customers/cus_nope/memberships"), 404, "not_found")
        # an idempotent retry replays the first answer and enrols once
        k = key()
        fresh = make_plan(m)
        one = m.post(f"/customers/{cus}/memberships", json={"plan_id": fresh["id"], "reason": "x"}, headers=k)
        two = m.post(f"/customers/{cus}/memberships", json={"plan_id": fresh["id"], "reason": "x"}, headers=k)
        assert one.status_code == two.status_code == 201 and one.json() == two.json()
        assert two.headers.get("idempotent-replayed") == "true"


def days_from(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def test_cancel_at_once_with_notice_and_roles(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m)
        cus = new_customer(c)["id"]
        now_ = enrol(c, cus, plan["id"])
        assert_problem(c.post(f"/memberships/{now_['id']}/cancel", json={"reason": "x"}, headers=key()), 403,
                       "forbidden_role")
        assert_problem(m.post(f"/memberships/{now_['id']}/cancel", json={"reason": ""}, headers=key()), 422,
                       "validation_error")
        r = m.post(f"/memberships/{now_['id']}/cancel", json={"reason": "Too expensive"}, headers=key())
        assert r.status_code == 200, r.text
        done = r.json()
        assert (done["status"], done["cancel_reason"], done["ends_on"]) == ("cancelled", "Too expensive", None)
        assert done["cancelled_at"]
        r = m.post(f"/memberships/{now_['id']}/cancel", json={"reason": "again"}, headers=key())
        assert_problem(r, 409, "invalid_transition")
        assert c.get(f"/customers/{cus}/wallet").json()["memberships"] == []
        assert c.get(f"/customers/{cus}/activity").json()["items"][0]["summary"] == (
            f"Cancelled {plan['name']} (at once): Too expensive")

        # with notice: still active through ends_on, cancelled after; a new one can start after it
        kept = enrol(c, cus, plan["id"])
        r = m.post(f"/memberships/{kept['id']}/cancel", json={"reason": "Moving", "ends_on": days_from(-1)},
                   headers=key())
        assert_problem(r, 422, "validation_error")
        notice = m.post(f"/memberships/{kept['id']}/cancel", json={"reason": "Moving", "ends_on": days_from(10)},
                        headers=key()).json()
        assert (notice["status"], notice["ends_on"]) == ("active", days_from(10))
        assert [e["id"] for e in c.get(f"/customers/{cus}/wallet").json()["memberships"]] == [kept["id"]]
        assert_problem(m.post(f"/customers/{cus}/memberships", json={"plan_id": plan["id"], "reason": "x",
                                                                     "starts_on": days_from(10)}, headers=key()),
                       409, "duplicate")
        renewal = enrol(c, cus, plan["id"], starts_on=days_from(11))
        assert renewal["status"] == "scheduled"
        r = m.post(f"/memberships/{renewal['id']}/cancel", json={"reason": "x", "ends_on": days_from(5)},
                   headers=key())
        assert "only starts on" in assert_problem(r, 422, "validation_error")["detail"]
        with api.database.read_session() as s:
            from desk_tui.server.memberships import queries

            assert queries.enrollment_view(s, kept["id"], now=as_of(11)).status == "cancelled"
            assert queries.enrollment_view(s, kept["id"], now=as_of(10)).status == "active"
            assert queries.enrollment_view(s, renewal["id"], now=as_of(11)).status == "active"
        assert_problem(m.post("/memberships/mem_nope/cancel", json={"reason": "x"}, headers=key()), 404, "not_found")


def test_a_fixed_term_membership_ends(api):
    """Sold 60 days ago for 30 days (service layer, back-dated clock): ``ended`` now, out of the wallet."""
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m)
        cus = new_customer(c)["id"]
        with api.database.transaction() as s:
            sold = service.enrol(s, customer_id=cus, me=me(), now=as_of(-60), data=wire.EnrollmentCreate(
                plan_id=plan["id"], ends_on=today() - timedelta(days=30)))
        assert sold.status == "active"
        view = c.get(f"/memberships/{sold.id}").json()
        assert view["status"] == "ended" and view["ends_on"] == days_from(-30)
        assert c.get(f"/customers/{cus}/wallet").json()["memberships"] == []
        assert_problem(m.post(f"/memberships/{sold.id}/cancel", json={"reason": "x"}, headers=key()), 409,
                       "invalid_transition")
        # ended, so the same plan can be sold again
        assert enrol(c, cus, plan["id"])["status"] == "active"


def test_a_retired_plan_keeps_its_members(api):
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m, credits=[{"service_id": "svc_facial", "per_period": 1}])
        cus = new_customer(c)["id"]
        member = enrol(c, cus, plan["id"])
        m.patch(f"/membership-plans/{plan['id']}", json={"active": False})
        view = c.get(f"/memberships/{member['id']}").json()
        assert view["status"] == "active" and view["credits"][0]["remaining"] == 1
        r = m.post(f"/customers/{new_customer(c)['id']}/memberships", json={"plan_id": plan["id"], "reason": "x"},
                   headers=key())
        assert_problem(r, 409, "invalid_transition")
        # members follow the plan's current benefits
        m.patch(f"/membership-plans/{plan['id']}", json={"credits": [{"service_id": "svc_facial", "per_period": 4}]})
        assert c.get(f"/memberships/{member['id']}").json()["credits"][0]["remaining"] == 4


def test_two_terminals_selling_the_same_membership_at_once(api):
    """Both engines: the customer row is the lock, so exactly one sale of the plan goes through."""
    with login(api.url, "manager") as m, login(api.url, "reception") as c:
        plan = make_plan(m)
        cus = new_customer(c)["id"]
        results = race(api.url, m.headers["Authorization"], f"/customers/{cus}/memberships",
                       [{"plan_id": plan["id"], "reason": "x"}] * 6)
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(201, None)] + [(409, "duplicate")] * 5, codes
        assert len(c.get(f"/customers/{cus}/memberships").json()["items"]) == 1
