"""Wide tables at 80×24 (ui/widgets/fitted_table.py): nothing is off to the right of the screen,
the state of a row is on screen without a → press, and every other field of the highlighted row
is spelled out under the table; a wider terminal shows more columns."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from desk_tui.ui.screens.card_history import CardHistoryScreen
from desk_tui.ui.screens.cards import CardsScreen
from desk_tui.ui.screens.customers import CustomersScreen
from desk_tui.ui.widgets.fitted_table import Column, FittedTable, fit
from tests.support.api_client import key
from tests.ui.pilot import reach, sign_in, wait_until
from tests.ui.reading_screens import detail
from tests.ui.salon import Salon, at


def labels(table: DataTable) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


def fits(table: DataTable) -> bool:
    """Every column is on screen: the rows need no horizontal scrolling."""
    return table.virtual_size.width <= table.scrollable_content_region.width




async def test_the_cards_table_shows_status_and_expiry_at_80_columns_and_the_rest_below(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Ilka")
    card = salon.card(customer["id"], "pkg_demo_facials_massages")
    number = f"W-{uuid.uuid4().hex[:6]}"
    assert salon.api.patch(f"/cards/{card['id']}", json={"number": number}, headers=key()).status_code == 200
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CardsScreen, "f5", what="the Cards screen")
        table = screen.query_one("#card-table", DataTable)
        await pilot.press(*number, "enter")
        await wait_until(pilot, lambda: table.row_count == 1 and screen.focused is table, "the card, focused")
        assert labels(table)[:4] == ["Number", "Client", "Status", "Expires"], labels(table)
        assert fits(table), (table.virtual_size, table.scrollable_content_region)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[:4] == [number, customer["name"], "Active", "2035-12-31"]
        shown = detail(screen)
        for field in ("Package: 3 Facials + 2 Massages", f"Card ID: {card['id']}", f"Client ID: {customer['id']}",
                      "Initial units: 3 + 2 sessions", "Issued: "):
            assert field in shown, shown

        await pilot.resize_terminal(180, 24)  # a wide terminal: the package is a column again
        fitted = screen.query_one(FittedTable)
        await wait_until(pilot, lambda: "package" in fitted.shown_keys, "the Package column")
        assert fits(table) and "Package:" not in detail(screen)


async def test_card_history_shows_the_appointment_at_80_columns_and_the_note_below(make_app, ui_server):
    salon = Salon(ui_server.url)
    customer = salon.customer("Janka")
    card = salon.card(customer["id"])
    salon.book(customer["id"], at(date.today() + timedelta(days=2), 10), card_id=card["id"], allow_overlap=True)
    note = "client says the first visit was free"
    salon.api.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure", "note": note},
                   headers=key()).raise_for_status()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CardsScreen, "f5", what="the Cards screen")
        await pilot.press(*customer["name"], "enter")
        table = screen.query_one("#card-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1 and screen.focused is table, "the card")
        history = await reach(pilot, CardHistoryScreen, "enter", what="the card's history")
        entries = history.query_one("#history", DataTable)
        await wait_until(pilot, lambda: entries.row_count == 3, "sold, booked, redeemed")
        assert "Appointment" in labels(entries) and fits(entries), labels(entries)
        booked = [str(c) for c in entries.get_row_at(1)]
        assert booked[labels(entries).index("Appointment")].startswith((date.today() + timedelta(days=2)).isoformat())
        await wait_until(pilot, lambda: entries.cursor_row == 2, "the newest entry highlighted")
        assert f"Note: {note}" in detail(history), detail(history)  # too long for the Note column: in full below


async def test_a_long_email_is_whole_at_80_columns(make_app, ui_server):
    salon = Salon(ui_server.url)
    tag = uuid.uuid4().hex[:6]
    email = f"firstname.lastname.{tag}@example.com"  # 37 characters
    customer = salon.api.post("/customers", json={"name": f"Hosszú Emília {tag}", "phone": "+36 20 987 6543",
                                                  "email": email}, headers=key()).json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await reach(pilot, CustomersScreen, "f3", what="F3")
        table = screen.query_one("#customer-results", DataTable)
        await pilot.press(*tag)
        await wait_until(pilot, lambda: table.row_count == 1, "the customer")
        assert fits(table)
        assert str(table.get_row_at(0)[labels(table).index("Email")]) == email
        assert table.columns[ColumnKey("email")].width >= len(email)
        assert screen.query_one(FittedTable).values(customer["id"])["email"].plain == email


def test_columns_are_taken_by_rank_and_shown_in_their_order():
    columns = [Column("a", "A", 2, max_width=10), Column("b", "B", 1, max_width=10), Column("c", "C", 3, max_width=30)]
    rows = [{"a": "x" * 10, "b": "y" * 6, "c": "z" * 30}]
    assert fit(columns, rows, 100) == [(columns[0], 10), (columns[1], 6), (columns[2], 30)]
    # 20 cells: b (8) and a (12) fit; c would get nothing worth showing
    assert fit(columns, rows, 20) == [(columns[0], 10), (columns[1], 6)]
    # 32 cells: c is cropped to the 10 cells left (its whole value goes to the detail pane)
    assert fit(columns, rows, 32) == [(columns[0], 10), (columns[1], 6), (columns[2], 10)]
    # too narrow for anything but the first-ranked column: it is still shown, cropped
    assert fit(columns, rows, 5) == [(columns[1], 3)]
