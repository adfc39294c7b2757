"""Reports over HTTP: liability per package, cards expiring soon, and the card-transaction CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from desk_tui.server.database import utcnow
from desk_tui.server.memberships.status import month_after
from desk_tui.server.reports import dues
from tests.api.arrange_cards import (
    FACIALS_AND_MASSAGES,
    days,
    make_package,
    new_customer,
    redeemed,
    sell,
    tag,
    today,
)
from tests.support.api_client import assert_problem, key, login


def _line(report: dict, package_id: str) -> dict | None:
    return next((x for x in report["items"] if x["package_id"] == package_id), None)


def test_liability_counts_units_and_value_still_owed_per_package(api):
    with login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 4, "services": [{"service_id": "svc_manicure"}]}], price=10000)
        assert _line(m.get("/reports/liability").json(), pkg["id"]) is None
        a, _b, used_up, expired, refunded = (sell(m, pkg["id"]) for _ in range(5))
        redeemed(m, a["id"])                          # 3 left: 7 500
        redeemed(m, used_up["id"], quantity=4)        # nothing owed
        m.patch(f"/cards/{expired['id']}", json={"expires_on": days(-1)}, headers=key())
        m.post(f"/cards/{refunded['id']}/refund", json={"reason": "x"}, headers=key())
        report = m.get("/reports/liability").json()
        assert report["currency"] == "HUF" and report["total_value"] >= 17500
        assert _line(report, pkg["id"]) == {"package_id": pkg["id"], "package_name": pkg["name"],
                                            "unit_type": "sessions", "cards": 2, "units_outstanding": 7,
                                            "value_outstanding": 17500}
        bundle = make_package(m, FACIALS_AND_MASSAGES, price=60000)
        sell(m, bundle["id"])
        assert _line(m.get("/reports/liability").json(), bundle["id"])["value_outstanding"] == 60000
    with login(api.url, "reception") as c:
        assert_problem(c.get("/reports/liability"), 403, "forbidden_role")


def test_expiring_lists_cards_with_units_left_soonest_first(api):
    with login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 2, "services": [{"service_id": "svc_manicure"}]}])
        owner = new_customer(m, f"Reminder {tag()}")
        soon = sell(m, pkg["id"], owner["id"], expires_on=days(3), number=f"EX-{tag()}")
        today_card = sell(m, pkg["id"], owner["id"], expires_on=today().isoformat())
        later = sell(m, pkg["id"], owner["id"], expires_on=days(20))
        far = sell(m, pkg["id"], owner["id"], expires_on=days(60))
        empty = sell(m, pkg["id"], owner["id"], expires_on=days(2))
        redeemed(m, empty["id"], quantity=2)
        redeemed(m, soon["id"])
        mine = {soon["id"], today_card["id"], later["id"], far["id"], empty["id"]}

        def listed(**params) -> list[dict]:
            found, cursor = [], None
            while True:
                page = m.get("/reports/expiring", params=params | {"limit": 7} | ({"cursor": cursor} if cursor else {}))
                assert page.status_code == 200, page.text
                found += [x for x in page.json()["items"] if x["card_id"] in mine]
                if not (cursor := page.json()["next_cursor"]):
                    return found

        assert [x["card_id"] for x in listed()] == [today_card["id"], soon["id"], later["id"]]
        first = listed(within_days=5)
        assert [x["card_id"] for x in first] == [today_card["id"], soon["id"]]
        assert first[1] | {"card_id": None} == {
            "card_id": None, "number": soon["number"], "customer_id": owner["id"], "customer_name": owner["name"],
            "phone": None, "email": None, "package_id": pkg["id"], "package_name": pkg["name"],
            "unit_type": "sessions", "expires_on": days(3), "days_left": 3, "remaining": 1}
        assert [x["card_id"] for x in listed(within_days=0)] == [today_card["id"]]
        assert len(listed(within_days=90)) == 4
        for bad in ({"within_days": -1}, {"within_days": 5000}, {"cursor": "bad!"}):
            assert_problem(m.get("/reports/expiring", params=bad), 422, "validation_error")


def test_card_transactions_csv_has_one_row_per_ledger_entry(api):
    with login(api.url, "manager") as m:
        owner = new_customer(m, f"Export {tag()}")
        card = sell(m, make_package(m)["id"], owner["id"], number=f"CSV-{tag()}", note="=HYPERLINK(\"x\")")
        tx = redeemed(m, card["id"])["transaction"]
        m.post(f"/cards/{card['id']}/transactions/{tx['id']}/undo", json={"reason": "Mistake"}, headers=key())
        r = m.get("/reports/card-transactions.csv", params={"from": today().isoformat(), "to": today().isoformat()})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.text)))
        mine = [x for x in rows if x["card_id"] == card["id"]]
        assert [x["kind"] for x in mine] == ["issue", "redeem", "undo"]
        assert mine[0]["note"] == "'=HYPERLINK(\"x\")" and mine[0]["amount"] == "40000"
        assert mine[0]["card_number"] == card["number"] and mine[0]["customer_name"] == owner["name"]
        assert mine[1]["service_name"] == "Manicure" and mine[1]["staff_name"] == "Márton Kiss"
        assert mine[2]["ref_id"] == tx["id"] and mine[2]["note"] == "Mistake"
        assert mine[0]["at"].endswith(("+01:00", "+02:00"))  # business time zone
        assert all(x["transaction_id"] for x in rows) and len({x["transaction_id"] for x in rows}) == len(rows)
        yesterday = m.get("/reports/card-transactions.csv", params={"to": days(-1)}).text
        assert card["id"] not in yesterday and yesterday.startswith("transaction_id,at,card_id")
        everything = m.get("/reports/card-transactions.csv").text
        assert everything.count(card["id"]) >= 3
        assert_problem(m.get("/reports/card-transactions.csv", params={"from": days(1), "to": days(0)}), 422,
                       "validation_error")
        assert_problem(m.get("/reports/card-transactions.csv", params={"from": "yesterday"}), 422,
                       "validation_error")
    with login(api.url, "manager", location_id="loc_riverside") as river:
        rows = list(csv.DictReader(io.StringIO(river.get("/reports/card-transactions.csv",
                                                         params={"from": today().isoformat()}).text)))
        assert {x["staff_name"] for x in rows if x["card_id"] == card["id"]} == {""}
    with login(api.url, "reception") as c:
        assert_problem(c.get("/reports/card-transactions.csv"), 403, "forbidden_role")


def test_memberships_due_lists_members_whose_paid_months_ran_out(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer = new_customer(c)["id"]
        sale = c.post("/sales", json={"customer_id": customer}, headers=key()).json()
        sale = c.post(f"/sales/{sale['id']}/lines", json={"plan_id": "mpl_demo_gold"}, headers=key()).json()
        r = c.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                   headers=key())
        assert r.status_code == 200, r.text
        [enrolment] = c.get(f"/customers/{customer}/memberships").json()["items"]
        due = m.get("/reports/memberships-due", params={"limit": 500})
        assert due.status_code == 200, due.text
        assert enrolment["id"] not in [x["enrollment_id"] for x in due.json()["items"]]  # paid for this month
        assert_problem(c.get("/reports/memberships-due"), 403, "forbidden_role")

        # 62 days on, as the report's own query sees that day: two monthly periods have begun unpaid.
        with api.database.read_session() as s:
            items, _ = dues.memberships_due(s, limit=500, cursor=None, now=utcnow() + timedelta(days=62))
        mine = next(x for x in items if x.enrollment_id == enrolment["id"])
        starts_on = date.fromisoformat(enrolment["starts_on"])
        assert (mine.due_since, mine.months_due, mine.plan_name, mine.price) \
            == (month_after(starts_on), 2, "Gold membership", enrolment["price"])
        assert mine.paid_through.isoformat() == enrolment["paid_through"]
