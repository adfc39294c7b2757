"""Money as people read it: integer minor units in, "8 000 HUF" or "-12.50 EUR" out.

The one formatter of both sides: the client draws prices with it, the server writes receipts
and activity sentences with it. Plain Python, no pydantic: the client's first frame may need it.
"""

from __future__ import annotations

#: Groups thousands on screen: narrow, and never broken across lines.
NARROW_NO_BREAK_SPACE = "\u202f"


def format_money(amount: int, currency: str, decimals: int, *, group: str = NARROW_NO_BREAK_SPACE) -> str:
    """``amount`` minor units with ``decimals`` of them to the unit ("12.50 EUR"; "8 000 HUF" with
    none), thousands grouped by ``group``. The sign goes in front of the whole amount, so
    -150 cents reads "-1.50", not the floor division's "-2.50"."""
    decimals = max(decimals, 0)
    whole, minor = divmod(abs(amount), 10**decimals)
    text = f"{whole:,}".replace(",", group)
    if decimals:
        text += f".{minor:0{decimals}d}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{text} {currency}".strip()


def rate_words(rate: float) -> str:
    """A VAT rate as people write it: 27.0 → "27%", 5.5 → "5.5%", 7.75 → "7.75%"."""
    return f"{rate:.2f}".rstrip("0").rstrip(".") + "%"
