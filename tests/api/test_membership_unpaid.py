"""Unpaid memberships: the checkout warns from the first unpaid day; after the organisation's grace
(``membership_grace_days``, default 14) the benefits are suspended until the month is paid, and a
cart that adds the month gets them back. A grace of null only warns. Both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import update

from desk_tui.cli import main
from desk_tui.contract import memberships as wire
from desk_tui.server.memberships import service
from desk_tui.server.reference.models import OrgSettings
from tests.api.arrange_appointments import new_customer
from tests.api.arrange_cards import today
from tests.api.arrange_memberships import as_of, me
from tests.api.arrange_sales import add, completed, opened, redeem
from tests.support.api_client import assert_problem, key, login

GOLD = "mpl_demo_gold"


def overdue(api, c, days: int) -> tuple[str, str]:
    """A customer given Gold without a sale ``days`` ago: due since then."""
    customer = new_customer(c, "Owing Member")
    with api.database.transaction() as s:
        e = service.give(s, customer_id=customer, now=as_of(-days), me=me("manager"),
                         data=wire.EnrollmentCreate(plan_id=GOLD, reason="test set-up"))
    return customer, e.id


@contextmanager
def grace(api, days: int | None) -> Iterator[None]:
    """The organisation's grace for a while (the shared server's setting is put back after)."""
    with api.database.transaction() as s:
        s.execute(update(OrgSettings).values(membership_grace_days=days))
    try:
        yield
    finally:
        with api.database.transaction() as s:
            s.execute(update(OrgSettings).values(membership_grace_days=14))


def test_within_the_grace_the_benefits_stay_with_a_warning(api):
    with login(api.url, "reception") as c:
        customer, enrollment = overdue(api, c, 13)
        since = (today() - timedelta(days=13)).isoformat()
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        b = c.get(f"/sales/{sale['id']}/benefits").json()
        assert b["payments_due"] == [f"Gold membership: payment due since {since}"]
        assert b["banner"] and b["credits"] and b["suspended"] == []
        assert [m["id"] for m in c.get(f"/customers/{customer}/wallet").json()["memberships"]] == [enrollment]
        view = c.get(f"/memberships/{enrollment}").json()
        assert (view["due_since"], view["suspended_from"]) == (since, None)


def test_after_the_grace_benefits_are_suspended_until_the_month_is_in_the_cart(api):
    with login(api.url, "reception") as c:
        customer, enrollment = overdue(api, c, 20)
        since, stopped = [(today() - timedelta(days=n)).isoformat() for n in (20, 6)]
        view = c.get(f"/memberships/{enrollment}").json()
        assert (view["status"], view["due_since"], view["suspended_from"]) == ("active", since, stopped)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        line = sale["lines"][0]["id"]
        b = c.get(f"/sales/{sale['id']}/benefits").json()
        assert b["payments_due"] == [f"Gold membership: payment due since {since}; benefits suspended from {stopped}"]
        assert b["suspended"] == [enrollment]
        assert (b["banner"], b["discounts"], b["credits"]) == ([], [], [])
        assert c.get(f"/customers/{customer}/wallet").json()["memberships"] == []
        refusal = assert_problem(redeem(c, sale["id"], line, enrollment_id=enrollment), 409, "membership_unpaid")
        assert f"payment due since {since}" in refusal["detail"]
        assert c.post(f"/sales/{sale['id']}/apply-discounts", headers=key()).json()["lines"][0]["discount_percent"] == 0

        # The month goes in the cart: this sale has the benefits again, and completing pays it.
        r = c.post(f"/sales/{sale['id']}/lines", json={"plan_id": GOLD}, headers=key())
        assert r.status_code == 201, r.text
        b = c.get(f"/sales/{sale['id']}/benefits").json()
        assert b["payments_due"] == [] and b["credits"]
        assert redeem(c, sale["id"], line, enrollment_id=enrollment).status_code == 200
        done = completed(c, sale["id"], ("cash", 19900))
        assert done["status"] == "completed"
        view = c.get(f"/memberships/{enrollment}").json()
        assert view["suspended_from"] is None and view["paid_through"] > today().isoformat()
        assert next(x for x in view["credits"] if x["service_id"] == "svc_deep_tissue")["used"] == 1


def test_a_grace_of_null_only_warns(api):
    with login(api.url, "reception") as c, grace(api, None):
        customer, enrollment = overdue(api, c, 40)
        sale = add(c, opened(c, customer_id=customer)["id"], "svc_deep_tissue")
        b = c.get(f"/sales/{sale['id']}/benefits").json()
        assert b["payments_due"] == [f"Gold membership: payment due since {(today() - timedelta(days=40)).isoformat()}"]
        assert redeem(c, sale["id"], sale["lines"][0]["id"], enrollment_id=enrollment).status_code == 200
        assert c.get("/settings").json()["membership_grace_days"] is None


def test_the_grace_is_set_with_desk_tui_admin(api, capsys):
    try:
        assert main(["admin", "--db", api.db_url, "membership-grace", "off"]) == 0
        assert "only warned of" in capsys.readouterr().out
        with login(api.url, "reception") as c:
            assert c.get("/settings").json()["membership_grace_days"] is None
        assert main(["admin", "--db", api.db_url, "membership-grace", "soon"]) == 2
        assert "DAYS is a whole number" in capsys.readouterr().err
        assert main(["admin", "--db", api.db_url, "membership-grace", "30"]) == 0
        with login(api.url, "reception") as c:
            assert c.get("/settings").json()["membership_grace_days"] == 30
    finally:
        main(["admin", "--db", api.db_url, "membership-grace", "14"])
