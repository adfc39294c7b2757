"""A manager approves a price at reception's till (keyboard only, 80×24, against the real server).

The receptionist sets a line to 0; the server asks for a manager's approval; a small dialog takes
the manager's username and PIN over the line editor, a wrong PIN is said there, Escape goes back
with the typed price kept, and the right PIN saves the line with the approval on record.
"""

from __future__ import annotations

import uuid

from textual.widgets import Input, Static

from desk_tui.ui.screens.line_edit import LineEditScreen
from desk_tui.ui.screens.manager_approval import ManagerApprovalScreen
from desk_tui.ui.screens.payment import PaymentScreen
from desk_tui.ui.screens.receipt import ReceiptScreen
from tests.support.api_client import key, login
from tests.ui.at_the_till import add, open_cart_for
from tests.ui.pilot import wait_until


def status_of(screen) -> str:
    return str(screen.query_one("#form-status", Static).render())


async def test_reception_gets_a_managers_pin_for_a_free_line(make_app, ui_server):
    with login(ui_server.url, "reception") as api:
        r = api.post("/customers", json={"name": f"Goodwill {uuid.uuid4().hex[:8]}"}, headers=key())
        r.raise_for_status()
        customer = r.json()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart_for(pilot, customer)
        await add(pilot, "s", "facial")
        line = cart.sale.lines[0]
        assert (line.name, line.total) == ("Facial", 15000)

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, LineEditScreen), "the line editor")
        editor = app.screen
        await pilot.press("0", "enter", "enter", "enter")  # price 0; Enter through discount and quantity
        await wait_until(pilot, lambda: isinstance(app.screen, ManagerApprovalScreen), "the manager's approval")
        dialog = app.screen
        assert "20%" in str(dialog.query_one(".form-question").render())
        box = dialog.query_one(".dialog").region
        assert box.right <= 80 and box.bottom <= 24, box

        # a wrong PIN is said in the dialog; the username stays, the PIN is typed again
        await pilot.press(*"manager", "enter", *"9999", "enter")
        await wait_until(pilot, lambda: "do not match" in status_of(dialog), "the wrong PIN said")
        assert app.screen is dialog
        assert (dialog.query_one("#username", Input).value, dialog.query_one("#pin", Input).value) == ("manager", "")

        # Escape: back to the line editor, the typed price still there, nothing saved
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is editor and "Not saved" in status_of(editor), "back, not saved")
        assert editor.query_one("#price", Input).value == "0"
        assert api_total(ui_server, cart.sale.id) == 15000

        # again, with the right PIN: saved, the approval on the line
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ManagerApprovalScreen), "the approval asked again")
        await pilot.press(*"manager", "enter", *"2222", "enter")
        await wait_until(pilot, lambda: app.screen is cart and cart.sale.total == 0, "the free line in the cart")
        assert cart.sale.lines[0].approved_by == "Márton Kiss"

        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, PaymentScreen), "the payment dialog")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
    with login(ui_server.url, "manager") as m:
        sale = m.get(f"/sales/{cart.sale.id}").json()
    assert (sale["status"], sale["total"], sale["lines"][0]["approved_by"]) == ("completed", 0, "Márton Kiss")


def api_total(ui_server, sale_id: str) -> int:
    with login(ui_server.url, "reception") as c:
        return c.get(f"/sales/{sale_id}").json()["total"]
