"""VAT: a rate per service, product and package; net, VAT and gross per line and per rate on the
sale, its receipt and the sales report; a completed sale keeps what it was sold at. Both engines.

The demo salon is in Budapest: every demo item is at 27 %, prices typed VAT included. Tests that
change a rate make their own item, so the shared demo catalogue stays as it is.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from desk_tui.cli import main
from tests.api.arrange_appointments import new_customer, sell
from tests.api.arrange_sales import add, completed, last_line, opened, redeem
from tests.support.api_client import as_manager, assert_problem, key, login
from tests.support.live_server import LiveServer


def new_product(m: httpx.Client, price: int, **body) -> dict:
    r = m.post("/products", json={"name": f"Tax test {uuid.uuid4().hex[:6]}", "price": price} | body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def new_service(m: httpx.Client, price: int, **body) -> dict:
    r = m.post("/services", json={"name": f"Tax test {uuid.uuid4().hex[:6]}", "category": "Tax tests",
                                  "duration_min": 30, "price": price,
                                  "location_ids": ["loc_downtown", "loc_riverside"]} | body, headers=key())
    assert r.status_code == 201, r.text
    return r.json()


def report(m: httpx.Client) -> dict:
    r = m.get("/reports/sales")
    assert r.status_code == 200, r.text
    return r.json()


def rate_row(rows: list[dict], rate: float) -> dict:
    return next((x for x in rows if x["rate"] == rate), {"rate": rate, "net": 0, "vat": 0, "gross": 0})


def test_items_take_the_organisations_rate_unless_they_name_one(api):
    with login(api.url, "manager") as m:
        settings = m.get("/settings").json()
        assert (settings["vat_rate"], settings["prices_include_tax"]) == (27, True)
        plain = new_product(m, 1000)
        assert (plain["vat_rate"], plain["tax_inclusive"]) == (27, True)
        own = new_product(m, 1000, vat_rate=5.5, tax_inclusive=False)
        assert (own["vat_rate"], own["tax_inclusive"]) == (5.5, False)
        r = m.patch(f"/products/{own['id']}", json={"vat_rate": 18}, headers=key())
        assert r.status_code == 200 and r.json()["vat_rate"] == 18, r.text
        service = new_service(m, 5000, vat_rate=7.75)
        assert [x["vat_rate"] for x in m.get("/services").json() if x["id"] == service["id"]] == [7.75]
        package = m.get("/packages/pkg_demo_5x_manicure").json()
        assert (package["vat_rate"], package["tax_inclusive"]) == (27, True)


@pytest.mark.parametrize("rate", [-1, 100.5, 1000, 5.555])
def test_a_rate_that_is_not_a_percentage_is_refused(api, rate):
    with login(api.url, "manager") as m:
        body = assert_problem(m.post("/products", json={"name": "Bad rate", "price": 100, "vat_rate": rate},
                                     headers=key()), 422, "invalid_vat_rate")
        assert body["field"] == "vat_rate"
        product = new_product(m, 100)
        assert_problem(m.patch(f"/products/{product['id']}", json={"vat_rate": rate}, headers=key()),
                       422, "invalid_vat_rate")
        service = new_service(m, 100)
        assert_problem(m.patch(f"/services/{service['id']}", json={"vat_rate": rate}, headers=key()),
                       422, "invalid_vat_rate")
        assert_problem(m.patch("/packages/pkg_demo_5x_manicure", json={"vat_rate": rate}, headers=key()),
                       422, "invalid_vat_rate")
        assert m.get("/packages/pkg_demo_5x_manicure").json()["vat_rate"] == 27


def test_reception_cannot_change_a_rate(api):
    with login(api.url, "reception") as c:
        product = new_product(as_manager(c), 100)
        assert_problem(c.patch(f"/products/{product['id']}", json={"vat_rate": 0}, headers=key()),
                       403, "forbidden_role")


def test_vat_included_is_worked_out_per_line_half_up(api):
    with login(api.url, "reception") as c:
        sale = opened(c)
        sale = add(c, sale["id"], "svc_manicure")  # 8 000 HUF at 27 %, VAT included
        line = last_line(sale)
        # 8000 × 27 / 127 = 1700.79 → 1701
        assert (line["vat_rate"], line["tax_inclusive"], line["net"], line["vat"], line["total"]) \
            == (27, True, 6299, 1701, 8000)
        sale = add(c, sale["id"], "prd_cuticle_oil", quantity=2)  # 7 000 at 27 %: 1488.19 → 1488
        assert (last_line(sale)["net"], last_line(sale)["vat"]) == (5512, 1488)
        assert sale["vat"] == [{"rate": 27, "net": 11811, "vat": 3189, "gross": 15000}]
        assert (sale["total"], sale["tax_added_total"]) == (15000, 0), "prices with VAT in are what is paid"


def test_vat_on_top_is_added_to_what_is_paid(api):
    with login(api.url, "reception") as c:
        m = as_manager(c)
        product = new_product(m, 1010, vat_rate=5, tax_inclusive=False)
        sale = opened(c)
        sale = c.post(f"/sales/{sale['id']}/lines", json={"product_id": product["id"]}, headers=key()).json()
        line = last_line(sale)
        # 1010 × 5 % = 50.5 → 51 (half up)
        assert (line["net"], line["vat"], line["total"]) == (1010, 51, 1061)
        sale = add(c, sale["id"], "prd_hand_cream")  # 4 200 at 27 %, VAT included
        assert (sale["subtotal"], sale["tax_added_total"], sale["total"]) == (5210, 51, 5261)
        assert sale["vat"] == [{"rate": 27, "net": 3307, "vat": 893, "gross": 4200},
                               {"rate": 5, "net": 1010, "vat": 51, "gross": 1061}]
        done = completed(c, sale["id"], ("cash", 5261))
        assert "1 × 1 010 HUF + VAT 5%" in done["receipt_text"]
        assert "VAT added to prices without it" in done["receipt_text"]


def test_a_covered_line_counts_zero(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Covered VAT")
        card = sell(c, customer)
        sale = opened(c, customer_id=customer)
        sale = add(c, sale["id"], "svc_manicure")
        sale = redeem(c, sale["id"], sale["lines"][0]["id"], card_id=card["id"]).json()
        line = sale["lines"][0]
        assert (line["net"], line["vat"], line["total"]) == (0, 0, 0)
        assert sale["vat"] == [{"rate": 27, "net": 0, "vat": 0, "gross": 0}]
        done = completed(c, sale["id"])
        assert done["lines"][0]["vat"] == 0
        text = done["receipt_text"]
        assert "VAT summary (HUF)" in text
        assert f"{'27%':<6}{'0':>12}{'0':>12}{'0':>12}" in text.splitlines()


def test_a_completed_sale_keeps_its_rates_and_the_report_sums_them(api):
    with login(api.url, "reception") as c:
        m = as_manager(c)
        # A rate of its own, so the report's row is this test's alone.
        rate = float(f"{uuid.uuid4().int % 90 + 1}.{uuid.uuid4().int % 89 + 11}")
        service = new_service(m, 10000, vat_rate=rate)
        before = report(m)
        sale = opened(c)
        sale = c.post(f"/sales/{sale['id']}/lines", json={"service_id": service["id"]}, headers=key()).json()
        line = last_line(sale)
        done = completed(c, sale["id"], ("card", 10000))
        vat = round(10000 * rate * 100 / (10000 + rate * 100) + 1e-9)
        assert (done["lines"][0]["net"], done["lines"][0]["vat"]) == (10000 - vat, vat) == (line["net"], line["vat"])

        r = m.patch(f"/services/{service['id']}", json={"vat_rate": 0}, headers=key())
        assert r.status_code == 200, r.text
        again = c.get(f"/sales/{sale['id']}").json()
        assert again["receipt_text"] == done["receipt_text"]
        assert (again["lines"][0]["vat_rate"], again["lines"][0]["vat"]) == (rate, vat)
        assert again["vat"] == done["vat"]

        after = report(m)
        assert after["sales"] == before["sales"] + 1
        assert rate_row(after["rates"], rate) == {"rate": rate, "net": 10000 - vat, "vat": vat, "gross": 10000}
        assert after["gross"] - before["gross"] == 10000
        assert after["vat"] - before["vat"] == vat


def test_the_sales_report_is_for_managers_and_days_in_order(api):
    with login(api.url, "reception") as c:
        assert_problem(c.get("/reports/sales"), 403, "forbidden_role")
        m = as_manager(c)
        assert_problem(m.get("/reports/sales", params={"from": "2026-03-02", "to": "2026-03-01"}),
                       422, "validation_error")
        empty = m.get("/reports/sales", params={"from": "2001-01-01", "to": "2001-01-31"}).json()
        assert (empty["sales"], empty["rates"], empty["gross"], empty["currency"]) == (0, [], 0, "HUF")


def test_the_sales_report_is_per_location_for_the_owner_and_the_managers_own(api):
    def gross(c: httpx.Client, **params) -> int:
        r = c.get("/reports/sales", params=params)
        assert r.status_code == 200, r.text
        return r.json()["gross"]

    with login(api.url, "owner") as owner, login(api.url, "manager") as downtown, \
            login(api.url, "manager", location_id="loc_riverside") as riverside:
        before = {"all": gross(owner), "river": gross(owner, location_id="loc_riverside"),
                  "down": gross(downtown)}
        for till, price in ((downtown, 1000), (riverside, 300)):
            sale = add(till, opened(till)["id"], new_product(till, price)["id"])
            completed(till, sale["id"], ("cash", price))
        assert gross(owner) - before["all"] == 1300  # every location
        answer = owner.get("/reports/sales", params={"location_id": "loc_riverside"}).json()
        assert (answer["location_id"], answer["location_name"]) == ("loc_riverside", "Riverside")
        assert answer["gross"] - before["river"] == 300
        # a manager: the location signed in at, named or not; no other, nor all of them
        mine = downtown.get("/reports/sales").json()
        assert (mine["location_id"], mine["gross"] - before["down"]) == ("loc_downtown", 1000)
        assert gross(downtown, location_id="loc_downtown") == mine["gross"]
        body = assert_problem(downtown.get("/reports/sales", params={"location_id": "loc_riverside"}), 403,
                              "forbidden_role")
        assert "Downtown" in body["detail"] and "owner" in body["detail"]
        assert owner.get("/reports/sales").json()["location_id"] is None
        assert assert_problem(owner.get("/reports/sales", params={"location_id": "loc_nowhere"}), 422,
                              "validation_error")["field"] == "location_id"


def test_a_new_salon_chooses_its_standard_rate_and_pricing(engine, new_db_url, capsys):
    url = new_db_url(engine)
    assert main(["admin", "--db", url, "init", "--business-name", "Studio", "--location", "Main",
                 "--vat-rate", "150"]) != 0
    assert "A VAT rate is a percentage from 0 to 100." in capsys.readouterr().err
    assert main(["admin", "--db", url, "init", "--business-name", "Studio", "--location", "Main",
                 "--vat-rate", "20", "--prices-exclude-vat"]) == 0
    assert main(["admin", "--db", url, "create-staff", "--username", "boss", "--name", "Boss", "--role", "owner",
                 "--location", "Main", "--pin", "4444"]) == 0
    with LiveServer(url, demo=False) as server, login(server.url, "boss", "4444") as m:
        settings = m.get("/settings").json()
        assert (settings["vat_rate"], settings["prices_include_tax"]) == (20, False)
        product = new_product(m, 1000)
        assert (product["vat_rate"], product["tax_inclusive"]) == (20, False)
        sale = opened(m)
        sale = m.post(f"/sales/{sale['id']}/lines", json={"product_id": product["id"]}, headers=key()).json()
        assert (sale["total"], sale["vat"]) == (1200, [{"rate": 20, "net": 1000, "vat": 200, "gross": 1200}])


def test_the_operator_changes_the_standard_rate_after_init(engine, new_db_url, capsys):
    url = new_db_url(engine)
    assert main(["admin", "--db", url, "vat-rate", "27"]) == 2  # nothing to change before init
    assert "admin init" in capsys.readouterr().err
    assert main(["admin", "--db", url, "init", "--business-name", "Studio", "--location", "Main",
                 "--vat-rate", "27"]) == 0
    assert main(["admin", "--db", url, "create-staff", "--username", "boss", "--name", "Boss", "--role", "owner",
                 "--location", "Main", "--pin", "4444"]) == 0
    with LiveServer(url, demo=False) as server, login(server.url, "boss", "4444") as m:
        before = new_product(m, 1000)
        # while the server runs: its next request reads the new defaults
        assert main(["admin", "--db", url, "vat-rate", "5.5", "--prices-exclude-vat"]) == 0
        assert "VAT 5.5%" in capsys.readouterr().out
        settings = m.get("/settings").json()
        assert (settings["vat_rate"], settings["prices_include_tax"]) == (5.5, False)
        product = new_product(m, 1000)
        assert (product["vat_rate"], product["tax_inclusive"]) == (5.5, False)
        kept = [x["vat_rate"] for x in m.get("/products").json() if x["id"] == before["id"]]
        assert kept == [27]  # items on file keep theirs
        # the rate alone leaves the pricing as it was; a rate out of range changes nothing
        assert main(["admin", "--db", url, "vat-rate", "18"]) == 0
        assert (m.get("/settings").json()["vat_rate"], m.get("/settings").json()["prices_include_tax"]) == (18, False)
        assert main(["admin", "--db", url, "vat-rate", "120", "--prices-include-vat"]) == 2
        assert "from 0 to 100" in capsys.readouterr().err
        assert main(["admin", "--db", url, "vat-rate", "20", "--prices-include-vat"]) == 0
        settings = m.get("/settings").json()
        assert (settings["vat_rate"], settings["prices_include_tax"]) == (20, True)
