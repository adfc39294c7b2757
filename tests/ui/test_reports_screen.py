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
from tests.support.api_client import key
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon


async def test_manager_sees_liability_expiring_cards_and_exports(make_app, ui_server, desk_home):
    salon = Salon(ui_server.url)
    liability = salon.api.get("/reports/liability").json()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "manager", "2222")
        await pilot.press("f7")
        # the screen may be current a moment before its tabs are composed (a busy machine)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query_one("#dues"),
                         "the reports")
        screen = app.screen
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
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query_one("#dues"),
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
        await sign_in(pilot, "manager", "2222")
        await pilot.press("f7")
        # the screen may be current a moment before its tabs are composed (a busy machine)
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.query_one("#dues"),
                         "the reports")
        table = app.screen.query_one("#dues")
        await wait_until(pilot, lambda: any(customer["name"] == str(table.get_row_at(i)[2])
                                            for i in range(table.row_count)), "the member who owes")
        row = next(table.get_row_at(i) for i in range(table.row_count) if str(table.get_row_at(i)[2]) == customer["name"])
        assert str(row[4]) == "Nail Club" and int(str(row[1])) >= 2
        summary = app.screen.query_one("#reports-summary")
        assert re.search(r" · (1 membership payment|\d+ membership payments) due$", str(summary.render()))
