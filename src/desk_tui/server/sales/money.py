"""The cart's arithmetic, in integer minor units (contract/sales.py docstring).

``line total = round_half_up(quantity × unit_price × (100 − discount%) / 100)``, or 0 when the
line is redeemed; ``subtotal = Σ quantity × unit_price``; ``covered_total`` is what redemptions
covered, ``discount_total`` what discounts took off, and ``total = subtotal − discount_total −
covered_total = Σ line totals``.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk_tui.server.sales.models import Sale, SaleLine


def gross(line: SaleLine) -> int:
    return line.quantity * line.unit_price


def is_redeemed(line: SaleLine) -> bool:
    """A line covered by a card or a credit (held now, or redeemed by a completed sale)."""
    return line.redeem_kind is not None and line.hold_state in ("held", "redeemed")


def line_total(line: SaleLine) -> int:
    if is_redeemed(line):
        return 0
    # Half up on a non-negative amount: floor((n + 50) / 100), exact in integers.
    return (gross(line) * (100 - line.discount_percent) + 50) // 100


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: int
    discount_total: int
    covered_total: int
    total: int


def totals(sale: Sale) -> Totals:
    subtotal = discount = covered = total = 0
    for line in sale.lines:
        subtotal += gross(line)
        t = line_total(line)
        total += t
        if is_redeemed(line):
            covered += gross(line)
        else:
            discount += gross(line) - t
    return Totals(subtotal=subtotal, discount_total=discount, covered_total=covered, total=total)
