"""Money on screen: integer minor units in, the salon's currency out ("8 000 HUF", "12.50 EUR"),
and back from what staff type in a price field ("36000", "36 000", "12.50")."""

from __future__ import annotations

import re

from desk_tui.contract import money as contract_money
from desk_tui.contract.reference import Settings
from desk_tui.ui.form_problem import FormProblem


def format_money(amount: int, settings: Settings | None) -> str:
    """In the salon's currency; before its settings are loaded, a plain amount with two decimals."""
    if settings is None:
        return contract_money.format_money(amount, "", 2)
    return contract_money.format_money(amount, settings.currency, settings.currency_decimals)


def parse_money(text: str, settings: Settings | None) -> int:
    """"36000", "36 000" or "12.50" in the salon's currency → minor units."""
    decimals = settings.currency_decimals if settings else 2
    clean = re.sub(r"[\s\u202f]", "", text).replace(",", ".")
    match = re.fullmatch(r"(\d{1,10})(?:\.(\d*))?", clean)
    if not match or len(match.group(2) or "") > decimals:
        raise FormProblem(f"Price: a plain amount such as {format_money(36000 * 10**decimals, settings)}.")
    whole, minor = match.group(1), (match.group(2) or "").ljust(decimals, "0")
    scale: int = 10**decimals  # int ** int is typed Any (a negative power is a float)
    return int(whole) * scale + (int(minor) if decimals else 0)


def money_field(amount: int, settings: Settings | None) -> str:
    decimals = settings.currency_decimals if settings else 2
    return f"{amount / 10**decimals:.{decimals}f}"
