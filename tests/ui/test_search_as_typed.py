"""Search as reception types it, and the seed's card items, at 80×24 against a real server: F3
finds a customer by a phone's last digits and a card's last digits, a new customer whose phone is
on file is named before saving, e gives a card a new number (kept in its history), the Cards table
has Client ID and Initial units, the booking panel shows the card ID, x exports every entry."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from datetime import date

from textual.widgets import DataTable, Static

from desk_tui.ui.screens.booking import BookingScreen
from desk_tui.ui.screens.card_actions import RenumberScreen
from desk_tui.ui.screens.cards import CardsScreen
from desk_tui.ui.screens.customer_form import CustomerFormScreen
from desk_tui.ui.screens.customer_profile import CustomerProfileScreen
from desk_tui.ui.screens.customers import CustomersScreen
from desk_tui.ui.screens.export_dialog import ExportScreen
from desk_tui.ui.screens.reports import ReportsScreen
from desk_tui.ui.widgets.day_grid import DayGrid
from tests.support.api_client import key
from tests.ui.pilot import reach, sign_in, wait_until
from tests.ui.salon import Salon, app_on, at


def _status(screen) -> str:
    return str(screen.query_one("#form-status", Static).render())


async def test_f3_finds_a_customer_by_the_last_four_digits_of_the_phone_and_of_a_card(make_app, ui_server):
    salon = Salon(ui_server.url)
    middle, last = f"{secrets.randbelow(900) + 100}", f"{secrets.randbelow(9000) + 1000}"
    name = f"Kata Szabó-Kert{uuid.uuid4().hex[:4]}"
    customer = salon.api.post("/customers", json={"name": name, "phone": f"+36 50 {middle} {last}"},
                              headers=key()).json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CustomersScreen, "f3", what="the customers")
        table = screen.query_one("#customer-results", DataTable)

        async def search(text: str) -> set[str]:
            await pilot.press("slash", "ctrl+u", *text)
            await wait_until(pilot, lambda: screen.query_one("#customer-search").value == text, text)
            await pilot.app.workers.wait_for_complete()
            return {str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)}

        assert customer["id"] in await search(f"06 50 {middle} {last}")
        assert customer["id"] in await search(last)
        assert customer["id"] in await search(name.split()[1])  # the hyphenated surname as written
        assert await search("1005") >= {"cus_demo0005"}  # BS-1005's owner


async def test_a_new_customer_whose_phone_is_on_file_is_named_then_saved_on_a_second_save(make_app, ui_server):
    salon = Salon(ui_server.url)
    middle, last = f"{secrets.randbelow(900) + 100}", f"{secrets.randbelow(9000) + 1000}"
    other = salon.api.post("/customers", json={"name": f"Éva Kiss{uuid.uuid4().hex[:4]}",
                                               "phone": f"+36 50 {middle} {last}"}, headers=key()).json()
    name = f"Péter Kiss{uuid.uuid4().hex[:4]}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await reach(pilot, CustomersScreen, "f3", what="the customers")
        form = await reach(pilot, CustomerFormScreen, "ctrl+n", what="the new customer form")
        await pilot.press(*name, "tab", *f"06 50 {middle} {last}", "tab", "enter")
        await wait_until(pilot, lambda: other["name"] in _status(form), "the other customer named")
        assert "already on file" in _status(form) and app.screen is form
        assert salon.api.get("/customers", params={"q": name}).json()["items"] == []  # nothing saved yet
        await pilot.press("enter")  # reception goes on: a second record, on purpose
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen), "the new customer's profile")
        saved = salon.api.get("/customers", params={"q": name}).json()["items"]
        assert [c["name"] for c in saved] == [name]


async def test_cards_table_has_client_id_and_initial_units_and_e_gives_a_new_number(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Lili")
    card = salon.card(customer["id"], "pkg_demo_facials_massages")
    old, new = f"LC-{secrets.randbelow(900000) + 100000}", f"LC-{secrets.randbelow(900000) + 100000}"
    assert salon.api.patch(f"/cards/{card['id']}", json={"number": old}, headers=key()).status_code == 200
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CardsScreen, "f5", what="the Cards screen")
        table = screen.query_one("#card-table", DataTable)
        await pilot.press(*old[-4:])  # the last digits printed on the card
        await wait_until(pilot, lambda: table.row_count >= 1 and card["id"] in [
            str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)], "the card")
        await pilot.press("enter")  # to the table
        table.move_cursor(row=table.get_row_index(card["id"]))
        # At 80 columns the seed's Card ID, Client ID and Initial units are in the pane under the table.
        pane = screen.query_one(".row-detail", Static)
        detail = lambda: str(pane.render()).replace("\xa0", " ")  # noqa: E731 (labels are kept whole)
        await wait_until(pilot, lambda: f"Card ID: {card['id']}" in detail(), "the card's detail")
        assert f"Client ID: {customer['id']}" in detail() and "Initial units: 3 + 2 sessions" in detail()
        dialog = await reach(pilot, RenumberScreen, "e", what="the new number dialog")
        assert card["id"] in str(dialog.query_one(".form-question", Static).render())
        await pilot.press("ctrl+u", *new, "tab", *"lost card", "enter")
        await wait_until(pilot, lambda: app.screen is screen, "back on the Cards table")
        assert salon.get_card(card["id"])["number"] == new
        entry = salon.api.get(f"/cards/{card['id']}/transactions").json()["items"][-1]
        assert (entry["kind"], entry["old_value"], entry["new_value"], entry["note"]) == ("renumber", old, new,
                                                                                          "lost card")
        # found by its new last digits; a number another card has is refused by the server, in the dialog
        await pilot.press("slash", "ctrl+u", *new[-4:])
        await wait_until(pilot, lambda: card["id"] in table.rows, "the card by its new digits")
        await pilot.press("enter")
        table.move_cursor(row=table.get_row_index(card["id"]))
        dialog = await reach(pilot, RenumberScreen, "e", what="the dialog again")
        await pilot.press("ctrl+u", *"BS-1001", "tab", "enter")
        await wait_until(pilot, lambda: "number" in _status(dialog).lower() and "Sending" not in _status(dialog),
                         "the refusal")
        assert app.screen is dialog and "already" in _status(dialog)


async def test_the_booking_panel_shows_the_card_id(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Irma")
    card = salon.card(customer["id"])
    day = date(2031, 3, 3)
    app = app_on(ui_server.url, at(day, 9))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        grid = app.screen.query_one(DayGrid)
        await wait_until(pilot, lambda: grid.row_count > 0, "the day grid")
        booking = await reach(pilot, BookingScreen, "enter", what="the booking screen")
        await pilot.press(*customer["name"])
        results = booking.query_one("#booking-customers")
        await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, "the customer")
        await pilot.press("enter", "enter")
        panel = booking.query_one("#booking-packages")
        await wait_until(pilot, lambda: panel.option_count >= 2, "the available packages")
        assert f"card ID {card['id']}" in str(panel.get_option_at_index(0).prompt)


async def test_export_asks_for_the_days_and_by_default_exports_every_entry(make_app, desk_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "manager", "2222")
        await reach(pilot, ReportsScreen, "f7", what="the reports")
        await wait_until(pilot, lambda: app.org_settings is not None, "the salon's settings")
        await reach(pilot, ExportScreen, "x", what="the export dialog")
        await pilot.press("enter", "enter")  # both blank: everything
        exports = desk_home / "data" / "exports"
        await wait_until(pilot, lambda: exports.exists() and any(exports.iterdir()), "the CSV file")
        rows = list(csv.DictReader(io.StringIO(next(exports.iterdir()).read_text())))
        # the demo sold BS-1003 200 days ago: far outside the old 30 days
        assert any(r["card_id"] == "crd_demo_0301" and r["kind"] == "issue" for r in rows)
        # a range: only the days asked for
        for f in exports.iterdir():
            f.unlink()
        await reach(pilot, ExportScreen, "x", what="the export dialog again")
        await pilot.press(*"-10", "enter", "enter")
        await wait_until(pilot, lambda: any(exports.iterdir()), "the second CSV file")
        recent = list(csv.DictReader(io.StringIO(next(exports.iterdir()).read_text())))
        assert all(r["card_id"] != "crd_demo_0301" or r["kind"] != "issue" for r in recent)
        assert len(recent) < len(rows)


def _two_alike(salon: Salon) -> tuple[str, dict, dict]:
    """Two customers one typed word finds, in name order."""
    word = f"Lefelé{uuid.uuid4().hex[:5]}"
    first, second = (salon.api.post("/customers", json={"name": f"{word} {given}"}, headers=key()).json()
                     for given in ("Anna", "Bea"))
    return word, first, second


async def test_down_in_the_f3_search_goes_to_the_results(make_app, ui_server):
    word, _, second = _two_alike(Salon(ui_server.url))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CustomersScreen, "f3", what="the customers")
        table = screen.query_one("#customer-results", DataTable)
        await pilot.press("slash", "ctrl+u", *word)
        await wait_until(pilot, lambda: table.row_count == 2, "both customers")
        await pilot.press("down", "down", "enter")  # into the results, to the second, open it
        await wait_until(pilot, lambda: isinstance(app.screen, CustomerProfileScreen), "the profile")
        assert app.screen.customer_id == second["id"]


async def test_down_in_the_customer_picker_goes_to_the_results(make_app, ui_server):
    from desk_tui.ui.screens.cart import CartScreen
    from desk_tui.ui.screens.checkout import CheckoutScreen
    from desk_tui.ui.screens.customer_picker import CustomerPickerScreen

    word, _, second = _two_alike(Salon(ui_server.url))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await reach(pilot, CheckoutScreen, "f4", what="F4 Checkout")
        await reach(pilot, CustomerPickerScreen, "n", what="the customer picker")
        await pilot.press(*word)
        matches = app.screen.query_one(".customer-matches", DataTable)
        await wait_until(pilot, lambda: matches.row_count == 2, "both customers")
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CartScreen), "the cart")
        await wait_until(pilot, lambda: app.screen.sale is not None, "the cart's sale")
        assert app.screen.sale.customer_id == second["id"]
