"""The receipt of a completed sale, as the server wrote it: every redeemed line is labelled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from desk_tui.contract.sales import Sale


class ReceiptScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close", id="receipt.close")]

    def __init__(self, sale: Sale, *, reprint: bool = False) -> None:
        super().__init__()
        self.sale = sale
        self._reprint = reprint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog receipt"):
            yield Static("Receipt (copy)" if self._reprint else "Sale completed — receipt", classes="title")
            with VerticalScroll(id="receipt-scroll"):
                yield Static(self.sale.receipt_text or "(no receipt text)", id="receipt-text", markup=False)
            yield Static("Enter or Esc closes", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
