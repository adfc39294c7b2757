"""The back office from F5 Cards: a closure extends every active card in scope (managers), and
cards move in from a previous system by CSV (owners). Driven from the keyboard against the live
server; the effects are checked through the API. The closures here are scoped to a package of
the test's own, so the cards of other tests sharing this server never move."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from desk_tui.client.api import DeskClient, new_idempotency_key
from desk_tui.client.cache import Cache
from desk_tui.client.settings import Paths
from desk_tui.client.tokens import TokenStore
from desk_tui.ui.commands import screen_commands
from desk_tui.ui.screens.card_import import ImportCardsScreen
from desk_tui.ui.screens.cards import CardsScreen
from desk_tui.ui.screens.closure import ClosureScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.help import HelpScreen
from desk_tui.ui.widgets.fitted_table import FittedTable
from tests.support.api_client import key, login
from tests.ui.pilot import notifications, reach, sign_in, wait_until
from tests.ui.salon import Salon

EXPIRES = "2035-12-31"  # what Salon.card sells


def _text(widget) -> str:
    return str(widget.render())


async def _cards_screen(pilot, *, search: str = "") -> CardsScreen:
    """F5, optionally a search, then the focus on the list (where c and i are keys, not letters)."""
    app = pilot.app
    await pilot.press("f5")
    await wait_until(pilot, lambda: isinstance(app.screen, CardsScreen), "the Cards screen")
    screen = app.screen
    table = screen.query_one("#card-table")
    if search:
        await pilot.press(*search)
    await wait_until(pilot, lambda: table.row_count > 0 and (not search or all(
        search in str(table.get_row_at(i)[1]) for i in range(table.row_count))), "the cards listed")
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.focused is table, "the list focused")
    return screen


def _own_package(salon: Salon, name: str) -> dict:
    r = salon.api.post("/packages", headers=key(), json={
        "name": name, "price": 10000, "entitlements": [{"units": 3, "services": [{"service_id": "svc_pedicure"}]}]})
    r.raise_for_status()
    return r.json()


async def _fill_closure(pilot, dialog: ClosureScreen, *, days: str, package: str, location: str, reason: str):
    """Days, then each Select opened and searched by typing (as a user does), then the reason and Enter."""
    await pilot.press(*days, "tab", "enter", *package, "enter", "tab")
    if location:
        await pilot.press("enter", *location, "enter")
    await pilot.press("tab", *reason, "enter")


async def test_manager_previews_then_extends_one_packages_cards(make_app, ui_server):
    salon = Salon(ui_server.url)
    name = f"Closure pack {uuid.uuid4().hex[:6]}"
    package = _own_package(salon, name)
    customer = salon.customer("Zarva")
    in_scope = [salon.card(customer["id"], package["id"]) for _ in range(2)]
    other = salon.card(customer["id"])  # 5x Manicure: another package, out of scope
    reason = f"Closed for renovation {uuid.uuid4().hex[:4]}"
    moved = (date.fromisoformat(EXPIRES) + timedelta(days=7)).isoformat()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        screen = await _cards_screen(pilot, search=customer["name"])
        await reach(pilot, ClosureScreen, "c", what="the closure dialog")
        dialog = app.screen
        await wait_until(pilot, lambda: package["id"] in dialog.package_names, "the packages in the list")
        await _fill_closure(pilot, dialog, days="7", package=name, location="", reason=reason)

        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the preview")
        question = _text(app.screen.query_one("#confirm-question"))
        assert "This extends 2 active cards by 7 days" in question and name in question and reason in question
        await pilot.press("n")
        status = dialog.query_one("#form-status")
        await wait_until(pilot, lambda: "Nothing was changed." in _text(status), "the dialog back, nothing sent")
        # The preview was a dry run: nothing moved.
        assert [salon.get_card(c["id"])["expires_on"] for c in in_scope] == [EXPIRES, EXPIRES]

        await pilot.press("enter")  # the reason still has the focus: Enter previews again
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the preview again")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is screen, "the dialog closed after the closure")
        # The closure's worker says what it did once the dialog has gone: waited for, not assumed.
        await wait_until(pilot, lambda: any(n.message == "2 cards extended by 7 days." for n in notifications(app)),
                         "the closure's result said")
        fitted = screen.query_one(FittedTable)
        await wait_until(pilot, lambda: sorted(str(fitted.values(c["id"])["expires"]) for c in [*in_scope, other])
                         == sorted([moved] * 2 + [EXPIRES]), "the list refreshed")

    for card in in_scope:
        assert salon.get_card(card["id"])["expires_on"] == moved
        entries = salon.api.get(f"/cards/{card['id']}/transactions").json()["items"]
        assert [(e["kind"], e["note"]) for e in entries if e["kind"] == "extend"] == [("extend", reason)]
    assert salon.get_card(other["id"])["expires_on"] == EXPIRES


async def test_closure_at_another_location_finds_nothing_and_changes_nothing(make_app, ui_server):
    salon = Salon(ui_server.url)
    name = f"Closure elsewhere {uuid.uuid4().hex[:6]}"
    package = _own_package(salon, name)
    card = salon.card(salon.customer("Mashol")["id"], package["id"])
    [elsewhere] = [loc["name"] for loc in salon.api.get("/locations").json() if loc["id"] != card["issued_location_id"]]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        await _cards_screen(pilot)
        await reach(pilot, ClosureScreen, "c", what="the closure dialog")
        dialog = app.screen
        await wait_until(pilot, lambda: package["id"] in dialog.package_names, "the packages in the list")
        await _fill_closure(pilot, dialog, days="3", package=name, location=elsewhere, reason="Holiday")
        status = dialog.query_one("#form-status")
        await wait_until(pilot, lambda: "nothing to extend" in _text(status), "the sentence")
        assert f"sold at {elsewhere}" in _text(status) and app.screen is dialog
    assert salon.get_card(card["id"])["expires_on"] == EXPIRES


@pytest.mark.parametrize(("username", "pin", "closure", "imports"), [
    ("reception", "1111", False, False),
    ("manager", "2222", True, False),
    ("owner", "3333", True, True),
])
async def test_back_office_keys_follow_the_role(make_app, username, pin, closure, imports):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, username, pin)
        screen = await _cards_screen(pilot)
        titles = {c.title for c in screen_commands(app, screen)}
        assert ("Closure: extend cards" in titles, "Import cards (CSV)" in titles) == (closure, imports)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the keys")
        keys = app.screen.query_one("#help-keys")
        listed = {str(keys.get_row_at(i)[1]) for i in range(keys.row_count)}
        assert ("Closure: extend cards" in listed, "Import cards (CSV)" in listed) == (closure, imports)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back to the list")
        for letter, dialog, allowed in (("c", ClosureScreen, closure), ("i", ImportCardsScreen, imports)):
            await pilot.press(letter)
            if allowed:
                await wait_until(pilot, lambda d=dialog: isinstance(app.screen, d), f"the dialog of {letter}")
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is screen, "back to the list")
            else:
                assert app.screen is screen, f"{letter} opened a dialog for {username}"


def _csv(*rows: str) -> str:
    return "\n".join(["package_id,customer_name,number,remaining", *rows]) + "\n"


async def test_owner_checks_a_file_then_imports_it(make_app, ui_server, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    n1, n2 = f"OLD-{uuid.uuid4().hex[:8]}", f"OLD-{uuid.uuid4().hex[:8]}"
    who = f"Régi Ügyfél {uuid.uuid4().hex[:6]}"
    file = tmp_path / "old-cards.csv"
    file.write_text(_csv(f"pkg_demo_5x_manicure,{who},{n1},3", "pkg_nope,Someone Else,,",
                         f"pkg_demo_5x_manicure,{who} Two,{n2},"), encoding="utf-8")
    owner = login(ui_server.url, "owner")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "owner", "3333")
        screen = await _cards_screen(pilot)
        await reach(pilot, ImportCardsScreen, "i", what="the import dialog")
        dialog = app.screen
        status, report = dialog.query_one("#form-status"), dialog.query_one("#import-report")

        await pilot.press(*"old-cards.csv", "enter")
        await wait_until(pilot, lambda: "the full path" in _text(status), "a relative path refused")
        await pilot.press("ctrl+u", *str(tmp_path / "missing.csv"), "enter")
        await wait_until(pilot, lambda: _text(status) == f"There is no file at {tmp_path / 'missing.csv'}.",
                         "the missing file said plainly")

        await pilot.press("ctrl+u", *"~/old-cards.csv", "enter")
        await wait_until(pilot, lambda: "Row 3: package_id: no package 'pkg_nope'." in _text(report),
                         "the refused row in words")
        assert _text(report).startswith("2 rows ready; 1 row with problems:")
        assert "Nothing can be imported" in _text(status) and app.screen is dialog
        assert owner.get("/cards", params={"q": n1}).json()["items"] == []  # a dry run writes nothing

        file.write_text(_csv(f"pkg_demo_5x_manicure,{who},{n1},3", f"pkg_demo_5x_manicure,{who} Two,{n2},"),
                        encoding="utf-8")
        await pilot.press("enter")  # still on the path: check the corrected file
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "Import 2 cards from old-cards.csv?" in _text(app.screen.query_one("#confirm-question"))
        assert _text(report) == "2 cards ready to import; no problems found."
        assert owner.get("/cards", params={"q": n1}).json()["items"] == []  # not before the confirmation
        await pilot.press("enter")  # Yes has the focus
        await wait_until(pilot, lambda: app.screen is screen, "the dialog closed after the import")
        assert any(n.message == "2 cards imported from old-cards.csv." for n in notifications(app))

    [first] = owner.get("/cards", params={"q": n1}).json()["items"]
    [second] = owner.get("/cards", params={"q": n2}).json()["items"]
    assert (first["customer_name"], first["balances"][0]["remaining"]) == (who, 3)
    assert (second["customer_name"], second["balances"][0]["remaining"]) == (f"{who} Two", 5)


async def test_a_file_the_server_cannot_read_is_explained(make_app, tmp_path):
    file = tmp_path / "export.csv"
    file.write_text("name,phone\nAnna,123\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "owner", "3333")
        await _cards_screen(pilot)
        await reach(pilot, ImportCardsScreen, "i", what="the import dialog")
        status = app.screen.query_one("#form-status")
        await pilot.press(*str(tmp_path), "enter")
        await wait_until(pilot, lambda: "is a folder" in _text(status), "a folder refused")
        await pilot.press("ctrl+u", *str(file), "enter")
        # The server's own words about the file, not the generic "check the highlighted fields".
        await wait_until(pilot, lambda: _text(status).startswith("This file cannot be imported: The first row must "
                                                                 "name the columns"), "the server's sentence")


async def test_client_import_retried_with_the_same_key_imports_once(ui_server, desk_home):
    paths = Paths.from_env()
    number = f"OLD-{uuid.uuid4().hex[:8]}"
    csv = _csv(f"pkg_demo_5x_manicure,Kulcs Kata {uuid.uuid4().hex[:6]},{number},2").encode()
    async with DeskClient(ui_server.url, tokens=TokenStore(ui_server.url, paths=paths),
                          cache=Cache(paths.cache_dir)) as client:
        await client.login("owner", "3333")
        preview = await client.cards.import_cards(csv, dry_run=True, idempotency_key=new_idempotency_key())
        assert (preview.accepted, preview.rejected, preview.imported, preview.dry_run) == (1, [], 0, True)
        intent = new_idempotency_key()
        first = await client.cards.import_cards(csv, dry_run=False, idempotency_key=intent)
        again = await client.cards.import_cards(csv, dry_run=False, idempotency_key=intent)  # a retry: replayed
        assert first == again and (first.imported, first.dry_run) == (1, False)
    assert len(login(ui_server.url, "owner").get("/cards", params={"q": number}).json()["items"]) == 1
