"""Money in the server's sentences (receipts, activity, refusals): "8 000 HUF" in the
organisation's currency, by the contract's one formatter."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk_tui.contract.money import format_money
from desk_tui.server.reference import service as reference


def money(s: Session, amount: int) -> str:
    # A plain space groups thousands here: receipts are laid out by counting characters and
    # stored sentences are read in logs and exports, where a plain space is what people expect.
    settings = reference.settings(s)
    return format_money(amount, settings.currency, settings.currency_decimals, group=" ")
