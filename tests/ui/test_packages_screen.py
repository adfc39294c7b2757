"""F6 Packages: a manager creates and retires templates from the keyboard; reception only reads."""

from __future__ import annotations

import uuid

from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.package_form import PackageFormScreen
from desk_tui.ui.screens.packages import PackagesScreen
from tests.support.api_client import key
from tests.ui.pilot import sign_in, wait_until
from tests.ui.salon import Salon


def _names(table) -> set[str]:
    return {str(table.get_row_at(i)[0]) for i in range(table.row_count)}


async def _open_catalogue(pilot, app):
    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(app.screen, PackagesScreen), "the catalogue")
    table = app.screen.query_one("#package-table")
    await wait_until(pilot, lambda: table.row_count > 0, "the templates")
    return table


async def _edit(pilot, app, package_id: str, name: str) -> PackageFormScreen:
    """As a manager: F6, the package's row, e."""
    await sign_in(pilot, "manager", "2222")
    table = await _open_catalogue(pilot, app)
    await wait_until(pilot, lambda: name in _names(table), "the package")
    table.move_cursor(row=table.get_row_index(package_id))
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, PackageFormScreen), "the form")
    return app.screen


async def test_manager_creates_a_course_through_the_form(make_app, ui_server):
    name = f"6x Pedicure {uuid.uuid4().hex[:6]}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        table = await _open_catalogue(pilot, app)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PackageFormScreen), "the form")
        form = app.screen
        # Enter walks name → units → services → price → VAT % → expiry → description, then saves.
        assert form.query_one("#vat-rate").value == "27", "the salon's own rate to start with"
        await pilot.press(*name, "enter", "6", "enter", *"pedicure=9", "enter", *"30000", "enter", "enter", "enter")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not form, "the form to close after saving")
        await wait_until(pilot, lambda: name in _names(table), "the new row")

    listed = Salon(ui_server.url).api.get("/packages", params={"limit": 500}).json()["items"]
    created = next(p for p in listed if p["name"] == name)
    assert created["active"] is True and created["unit_type"] == "sessions"
    assert (created["vat_rate"], created["tax_inclusive"]) == (27, True)
    [pool] = created["entitlements"]
    assert pool["units"] == 6
    assert [(s["service_id"], s["unit_cost"]) for s in pool["services"]] == [("svc_pedicure", 9)]


async def test_form_refuses_an_unknown_service_and_keeps_what_was_typed(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        await _open_catalogue(pilot, app)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PackageFormScreen), "the form")
        form = app.screen
        await pilot.press(*"Typo pack", "enter", "5", "enter", *"Pedicur=1", "enter", "1", "enter", "enter", "enter",
                          "enter")
        status = form.query_one("#form-status")
        await wait_until(pilot, lambda: 'no service called "Pedicur"' in str(status.render()), "the sentence")
        assert app.screen is form and form.query_one("#services").value == "Pedicur=1"


async def test_making_a_package_inactive_asks_first(make_app, ui_server):
    salon = Salon(ui_server.url)
    name = f"Retire me {uuid.uuid4().hex[:6]}"
    r = salon.api.post("/packages", headers=key(), json={
        "name": name, "price": 1000, "entitlements": [{"units": 3, "services": [{"service_id": "svc_pedicure"}]}]})
    r.raise_for_status()
    package_id = r.json()["id"]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        table = await _open_catalogue(pilot, app)
        await wait_until(pilot, lambda: name in _names(table), "the new template")
        table.move_cursor(row=table.get_row_index(package_id))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert "cards already sold are not affected" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: str(table.get_row(package_id)[1]) == "Inactive", "the word Inactive")
    assert salon.api.get(f"/packages/{package_id}").json()["active"] is False


async def test_reception_reads_the_catalogue_without_the_keys(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await _open_catalogue(pilot, app)
        summary = app.screen.query_one("#packages-summary")
        await wait_until(pilot, lambda: "Only managers and owners" in str(summary.render()), "the sentence")
        actions = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert not actions & {"new", "edit", "toggle_active"}
        await pilot.press("n")
        assert isinstance(app.screen, PackagesScreen)


async def test_editing_a_bundle_changes_the_plain_fields_and_keeps_its_pools(make_app, ui_server):
    salon = Salon(ui_server.url)
    name = f"Bundle {uuid.uuid4().hex[:6]}"
    r = salon.api.post("/packages", headers=key(), json={"name": name, "price": 1000, "entitlements": [
        {"units": 3, "services": [{"service_id": "svc_pedicure"}]},
        {"units": 2, "services": [{"service_id": "svc_manicure"}]}]})
    r.raise_for_status()
    before = r.json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _edit(pilot, app, before["id"], name)
        table = app.screen_stack[-2].query_one("#package-table")
        assert "not here yet" in str(form.query_one(".form-question").render())
        assert form.query_one("#services").disabled
        form.query_one("#name").value = f"{name} v2"
        form.query_one("#description").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: f"{name} v2" in _names(table), "the new name")
    after = salon.api.get(f"/packages/{before['id']}").json()
    assert after["name"] == f"{name} v2" and after["entitlements"] == before["entitlements"]


async def test_a_manager_sets_a_package_s_vat_rate_and_a_wrong_one_is_said(make_app, ui_server):
    salon = Salon(ui_server.url)
    name = f"VAT pack {uuid.uuid4().hex[:6]}"
    r = salon.api.post("/packages", headers=key(), json={"name": name, "price": 1000, "entitlements": [
        {"units": 3, "services": [{"service_id": "svc_pedicure"}]}]})
    r.raise_for_status()
    package = r.json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _edit(pilot, app, package["id"], name)
        rate = form.query_one("#vat-rate")
        assert rate.value == "27"
        rate.value = "150"
        form.query_one("#description").focus()
        await pilot.press("enter")
        status = form.query_one("#form-status")
        await wait_until(pilot, lambda: "VAT rate is a percentage from 0 to 100" in str(status.render()),
                         "the server's refusal, in words")
        assert app.screen is form and rate.value == "150"
        rate.value = "5,5"
        form.query_one("#tax").value = False
        form.query_one("#description").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not form, "the form to close after saving")
        detail = app.screen.query_one("#package-detail")
        await wait_until(pilot, lambda: "plus VAT 5.5%" in str(detail.render()), "the rate in the detail line")
    after = salon.api.get(f"/packages/{package['id']}").json()
    assert (after["vat_rate"], after["tax_inclusive"]) == (5.5, False)
