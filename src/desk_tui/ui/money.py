"""Money on screen: integer minor units in, the salon's currency out ("8 000 HUF", "12.50 EUR")."""

from __future__ import annotations

from desk_tui.contract.reference import Settings


def format_money(amount: int, settings: Settings | None) -> str:
    decimals = settings.currency_decimals if settings else 2
    currency = settings.currency if settings else ""
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(amount), 10**decimals) if decimals else (abs(amount), 0)
    text = f"{whole:,}".replace(",", "\u202f")  # narrow no-break space groups thousands
    if decimals:
        text += f".{minor:0{decimals}d}"
    return f"{sign}{text} {currency}".strip()
