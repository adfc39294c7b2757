"""F7 Reports: managers see liability and expiring cards and can export; reception cannot."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta

from desk_tui.server.memberships.models import Enrollment
from desk_tui.ui.screens.export_dialog import ExportScreen
from desk_tui.ui.screens.reports import ReportsScreen
from tests.support.api_client import key, login
from tests.ui.pilot import notifications, sign_in, wait_until
from tests.ui.salon import Salon


async def _open_reports(pilot, app) -> ReportsScreen:
    """As a manager: F7, once its tabs are all there (the tables are mounted after the screen)."""
    await sign_in(pilot, "manager", "2222")
    await pilot.press("f7")
    await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query("#sales-vat"),
                     "the reports")
    return app.screen


async def test_manager_sees_liability_expiring_cards_and_exports(make_app, ui_server, desk_home):
    salon = Salon(ui_server.url)
    liability = salon.api.get("/reports/liability").json()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_reports(pilot, app)
        table = screen.query_one("#liability")
        await wait_until(pilot, lambda: table.row_count == len(liability["items"]) > 0, "the liability lines")
        names = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert names == {line["package_name"] for line in liability["items"]}
        summary = screen.query_one("#reports-summary")
        await wait_until(pilot, lambda: "Owed to customers" in str(summary.render()), "the total")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("enter", "enter")  # from and to blank: every entry
        exports = desk_home / "data" / "exports"
        await wait_until(pilot, lambda: exports.exists() and any(exports.iterdir()), "the CSV file")
        rows = list(csv.reader(io.StringIO(next(exports.iterdir()).read_text())))
        assert len(rows) >= 2  # a header and the demo's recent ledger entries


async def test_reception_is_told_reports_are_for_managers(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f7")
        # the screen may be current a moment before its tabs are composed (a busy machine)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query("#dues"),
                         "the reports")
        summary = app.screen.query_one("#reports-summary")
        await wait_until(pilot, lambda: "for managers and owners" in str(summary.render()), "the sentence")
        assert app.screen.query_one("#liability").row_count == 0
        assert not [b for b in app.screen.active_bindings.values() if b.binding.action == "export"]


async def test_manager_sees_who_owes_a_month_of_their_membership(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.api.post("/customers", json={"name": f"Owing Member {uuid.uuid4().hex[:6]}"},
                              headers=key()).json()
    sale = salon.api.post("/sales", json={"customer_id": customer["id"]}, headers=key()).json()
    sale = salon.api.post(f"/sales/{sale['id']}/lines", json={"plan_id": "mpl_demo_nail_club"}, headers=key()).json()
    salon.api.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                   headers=key()).raise_for_status()
    [enrolment] = salon.api.get(f"/customers/{customer['id']}/memberships").json()["items"]
    # Arranged, not waited for: the month paid ran out forty days ago.
    with ui_server.database.transaction() as s:
        s.get(Enrollment, enrolment["id"]).paid_through = date.fromisoformat(enrolment["starts_on"]) - timedelta(days=40)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_reports(pilot, app)
        table = screen.query_one("#dues")
        await wait_until(pilot, lambda: any(customer["name"] == str(table.get_row_at(i)[2])
                                            for i in range(table.row_count)), "the member who owes")
        row = next(table.get_row_at(i) for i in range(table.row_count) if str(table.get_row_at(i)[2]) == customer["name"])
        assert str(row[4]) == "Nail Club" and int(str(row[1])) >= 2
        summary = app.screen.query_one("#reports-summary")
        # written once the sales are read too, after the dues table (under load, a moment later)
        await wait_until(pilot, lambda: re.search(r" · (1 membership payment|\d+ membership payments) due$",
                                                  str(summary.render())), "the dues in the summary")


async def test_manager_sees_the_sales_of_today_per_vat_rate(make_app, ui_server):
    salon = Salon(ui_server.url)
    sale = salon.api.post("/sales", json={}, headers=key()).json()
    sale = salon.api.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_hand_cream"}, headers=key()).json()
    salon.api.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                   headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(pilot, app)
        period = screen.query_one("#sales-period")
        await wait_until(pilot, lambda: "Today:" in str(period.render()), "today's sales")
        report = salon.api.get("/reports/sales").json()  # after the screen's own read: nothing sold since
        table = screen.query_one("#sales-vat")
        await wait_until(pilot, lambda: table.row_count == len(report["rates"]) + 1, "a row per rate and the total")
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][0] == "27%" and rows[-1][0] == "Total"
        digits = [int("".join(ch for ch in cell if ch.isdigit())) for cell in rows[-1][1:]]
        assert digits == [report["net"], report["vat"], report["gross"]] and report["gross"] >= 4200
        # a manager's figures are their location's; every location's are the owner's (l says so)
        assert re.search(rf"\b{report['sales']} completed sales? at Downtown", str(period.render()))
        await pilot.press("l")
        await wait_until(pilot, lambda: any("are for the owner" in n.message for n in notifications(app)),
                         "why l is not a manager's")
        assert "at Downtown" in str(period.render())
        await pilot.press("d")
        await wait_until(pilot, lambda: "This month:" in str(period.render()), "this month's sales")


def _sold_at(url: str, location_id: str, product_id: str = "prd_cuticle_oil") -> None:
    with login(url, "manager", location_id=location_id) as till:
        sale = till.post("/sales", json={}, headers=key()).json()
        sale = till.post(f"/sales/{sale['id']}/lines", json={"product_id": product_id}, headers=key()).json()
        till.post(f"/sales/{sale['id']}/complete", json={"payments": [{"method": "cash", "amount": sale["total"]}]},
                  headers=key()).raise_for_status()


async def test_the_owner_switches_the_sales_between_every_location_and_this_one(make_app, ui_server):
    _sold_at(ui_server.url, "loc_riverside")
    _sold_at(ui_server.url, "loc_downtown")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "owner", "3333")
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query("#sales-vat"),
                         "the reports")
        screen = app.screen
        period, table = screen.query_one("#sales-period"), screen.query_one("#sales-vat")

        def total() -> int:
            return int("".join(ch for ch in str(table.get_row_at(table.row_count - 1)[3]) if ch.isdigit()))

        with login(ui_server.url, "owner") as owner:
            await wait_until(pilot, lambda: "at every location" in str(period.render()), "every location's sales")
            everywhere = owner.get("/reports/sales").json()
            await wait_until(pilot, lambda: table.row_count and total() == everywhere["gross"], "the total")
            await pilot.press("l")
            await wait_until(pilot, lambda: "at Downtown" in str(period.render()), "this location's sales")
            here = owner.get("/reports/sales", params={"location_id": "loc_downtown"}).json()
            await wait_until(pilot, lambda: table.row_count and total() == here["gross"], "Downtown's total")
            assert 0 < here["gross"] < everywhere["gross"]  # Riverside's sale is left out
            assert re.search(rf"\b{here['sales']} completed sales? at Downtown", str(period.render()))
            await pilot.press("l")
            await wait_until(pilot, lambda: "at every location" in str(period.render()), "every location again")
