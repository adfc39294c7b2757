"""The receipt of a completed sale, as the server wrote it: every redeemed line is labelled, and
net, VAT and gross per rate close it. ``p`` prints it where the client's ``receipt_printer``
setting says (an ESC/POS till printer or a PDF in a folder) and says where it went, or why not."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from desk_tui.contract.sales import Sale
from desk_tui.ui.as_typed import as_typed

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp


class ReceiptScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close", id="receipt.close"),
                Binding("p", "print_receipt", "Print", id="receipt.print")]

    def __init__(self, sale: Sale, *, reprint: bool = False) -> None:
        super().__init__()
        self.sale = sale
        self._reprint = reprint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog receipt"):
            yield Static("Receipt (copy)" if self._reprint else "Sale completed — receipt", classes="title")
            with VerticalScroll(id="receipt-scroll"):
                yield Static(self.sale.receipt_text or "(no receipt text)", id="receipt-text", markup=False)
            yield Static("p prints · Enter or Esc closes", id="receipt-said", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_print_receipt(self) -> None:
        if not self.sale.receipt_text:
            self.say("This sale has no receipt to print.")
            return
        self.say("Printing…")
        self._print(self.sale.receipt_text)

    @work(exclusive=True, group="receipt-print", exit_on_error=False)
    async def _print(self, text: str) -> None:
        # Imported here, not at the top: the app's start-up never loads the printing code.
        from desk_tui.client.receipt_printer import PrintFailed, print_receipt

        settings = cast("DeskApp", self.app).loaded_settings
        try:
            said = await asyncio.to_thread(print_receipt, text, setting=settings.receipt_printer,
                                           sale_id=self.sale.id, width=settings.receipt_width)
        except PrintFailed as failed:
            said = str(failed)
        self.say(said)
        self.notify(said, title="Receipt", timeout=8, markup=False)

    def say(self, sentence: str) -> None:
        self.query_one("#receipt-said", Static).update(as_typed(sentence))
