"""``p`` on a receipt: the receipt goes where the client's ``receipt_printer`` says, and the
screen says where it went or why it could not, in a sentence. Against the real demo server."""

from __future__ import annotations

import io

from pypdf import PdfReader
from textual.widgets import Static

from desk_tui.ui.screens.receipt import ReceiptScreen
from tests.support.api_client import key, login
from tests.ui.at_the_till import open_checkout
from tests.ui.pilot import wait_until


def completed_sale(url: str) -> dict:
    with login(url, "reception") as desk:
        sale = desk.post("/sales", json={}, headers=key()).json()
        sale = desk.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_cuticle_oil"}, headers=key()).json()
        r = desk.post(f"/sales/{sale['id']}/complete",
                      json={"payments": [{"method": "cash", "amount": sale["total"]}]}, headers=key())
        r.raise_for_status()
        return r.json()


async def open_receipt(pilot, sale: dict) -> ReceiptScreen:
    app = pilot.app
    checkout = await open_checkout(pilot)
    await pilot.press("d")
    await wait_until(pilot, lambda: sale["id"] in checkout.carts, "the completed sale listed")
    table = checkout.query_one("DataTable")
    table.move_cursor(row=table.get_row_index(sale["id"]))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen), "the receipt")
    return app.screen


def said(screen: ReceiptScreen) -> str:
    return str(screen.query_one("#receipt-said", Static).render())


async def test_p_saves_the_receipt_as_a_pdf_and_says_where(make_app, ui_server, tmp_path):
    sale = completed_sale(ui_server.url)
    folder = tmp_path / "receipts"
    app = make_app(receipt_printer=f"pdf:{folder}", receipt_width=42)
    async with app.run_test(size=(80, 24)) as pilot:
        receipt = await open_receipt(pilot, sale)
        assert "VAT summary (HUF)" in receipt.sale.receipt_text
        await pilot.press("p")
        saved = folder / f"receipt-{sale['id']}.pdf"
        await wait_until(pilot, lambda: said(receipt).startswith("The receipt was saved"), "the sentence")
        assert said(receipt) == f"The receipt was saved as {saved}."
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
        assert f"Sale {sale['id']}" in text and "Cuticle Oil" in text and "VAT summary (HUF)" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ReceiptScreen), "the receipt closed")


async def test_without_a_printer_p_says_how_to_set_one_up(make_app, ui_server):
    sale = completed_sale(ui_server.url)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        receipt = await open_receipt(pilot, sale)
        await pilot.press("p")
        await wait_until(pilot, lambda: said(receipt).startswith("No receipt printer"), "the sentence")
        assert "receipt_printer in config.toml" in said(receipt)
        assert app.screen is receipt, "the receipt stays open to try again"
