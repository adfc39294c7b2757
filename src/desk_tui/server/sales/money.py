"""The cart's arithmetic, in integer minor units (contract/sales.py docstring).

A line's **price after discount** is ``round_half_up(quantity × unit_price × (100 − discount%) /
100)``, or 0 when the line is redeemed (covered by a card or a credit). Its VAT follows from the
rate copied onto the line and whether its price includes VAT, rounded half up per line to the
currency's minor unit (the money is already in minor units):

* VAT included (the default): ``vat = round_half_up(price × rate / (100 + rate))``, ``net =
  price − vat``, ``gross = price``;
* VAT on top: ``net = price``, ``vat = round_half_up(net × rate / 100)``, ``gross = net + vat``.

A line's ``total`` is its gross: what the customer pays for it. ``subtotal = Σ quantity ×
unit_price``; ``discount_total`` is what discounts took off, ``covered_total`` what redemptions
covered, ``tax_added_total`` the VAT added on top of prices typed without it, and ``total =
subtotal − discount_total − covered_total + tax_added_total = Σ line totals``. A completed sale's
lines keep their net and VAT as written then (``SaleLine.net_amount``/``vat_amount``), so
nothing recomputes an old receipt.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk_tui.server.reference.vat import WHOLE
from desk_tui.server.sales.models import Sale, SaleLine


def half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, exact in integers (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


def gross(line: SaleLine) -> int:
    """The line at its list price: quantity × price of one (before discounts and VAT on top)."""
    return line.quantity * line.unit_price


def is_redeemed(line: SaleLine) -> bool:
    """A line covered by a card or a credit (held now, or redeemed by a completed sale)."""
    return line.redeem_kind is not None and line.hold_state in ("held", "redeemed")


def price_after_discount(line: SaleLine) -> int:
    if is_redeemed(line):
        return 0
    return half_up(gross(line) * (100 - line.discount_percent), 100)


@dataclass(frozen=True, slots=True)
class LineVat:
    net: int
    vat: int

    @property
    def gross(self) -> int:
        return self.net + self.vat


def line_vat(line: SaleLine) -> LineVat:
    if line.net_amount is not None and line.vat_amount is not None:
        return LineVat(net=line.net_amount, vat=line.vat_amount)
    price, rate = price_after_discount(line), line.vat_basis_points or 0
    if line.tax_inclusive is False:
        return LineVat(net=price, vat=half_up(price * rate, WHOLE))
    vat = half_up(price * rate, WHOLE + rate)
    return LineVat(net=price - vat, vat=vat)


def line_total(line: SaleLine) -> int:
    return line_vat(line).gross


def freeze(sale: Sale) -> None:
    """At completion: each line keeps its net and VAT as they are now."""
    for line in sale.lines:
        amounts = line_vat(line)
        line.net_amount, line.vat_amount = amounts.net, amounts.vat


@dataclass(frozen=True, slots=True)
class VatRow:
    """One rate's part of a sale (or a report): basis points, net, VAT, gross."""
    basis_points: int
    net: int
    vat: int
    gross: int


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: int
    discount_total: int
    covered_total: int
    tax_added_total: int
    total: int
    #: per rate, highest rate first; a rate whose lines were all covered shows at 0
    vat: tuple[VatRow, ...] = ()


def totals(sale: Sale) -> Totals:
    subtotal = discount = covered = added = total = 0
    rates: dict[int, tuple[int, int]] = {}
    for line in sale.lines:
        subtotal += gross(line)
        price = price_after_discount(line)
        amounts = line_vat(line)
        total += amounts.gross
        added += amounts.gross - price
        if is_redeemed(line):
            covered += gross(line)
        else:
            discount += gross(line) - price
        net, vat = rates.get(line.vat_basis_points or 0, (0, 0))
        rates[line.vat_basis_points or 0] = (net + amounts.net, vat + amounts.vat)
    rows = tuple(VatRow(basis_points=r, net=n, vat=v, gross=n + v) for r, (n, v) in sorted(rates.items(), reverse=True))
    return Totals(subtotal=subtotal, discount_total=discount, covered_total=covered, tax_added_total=added,
                  total=total, vat=rows)
