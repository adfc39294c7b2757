"""The receipt's words: a label per line and the receipt text written when a sale completes.

Each line's amount row names its VAT rate ("1 × 8 000 HUF, VAT 27%"; "+ VAT" when the price was
typed without it) and the receipt ends with net, VAT and gross per rate; a covered line counts 0.

"Manicure — from 5x Manicure, 3 of 5 used", "Deep Tissue Massage — Gold membership credit (1 of 2
used this month)", "Facial — 20% membership discount". While the cart is open a redeemed line
says its source and that it is on hold; the counts are written when the sale completes, after
the redemption, so they are what the customer has left from then on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk_tui.contract.money import format_money, rate_words
from desk_tui.server.cards import family, ledger
from desk_tui.server.cards import wording as card_wording
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import Customer
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.calendar import org_zone
from desk_tui.server.reference.models import Location, Staff
from desk_tui.server.reference.money import money as org_money
from desk_tui.server.reference.names import names
from desk_tui.server.reference.vat import percent
from desk_tui.server.sales import membership, purchases
from desk_tui.server.sales.models import Sale, SaleLine
from desk_tui.server.sales.money import Totals, gross, is_redeemed, line_total, totals

METHODS = {"cash": "Cash", "card": "Card", "store_credit": "Store credit", "other": "Other"}
WIDTH = 48


def item(line: SaleLine) -> str:
    return card_wording.service_label(line.name, line.quantity)


def source_words(line: SaleLine) -> str:
    if line.redeem_kind == "card":
        return f"from {line.source_name}"
    return f"{line.source_name} credit"


def label(line: SaleLine) -> str:
    """The line's words now: frozen at completion, else derived from its current state."""
    if line.receipt_label:
        return line.receipt_label
    if line.redeem_kind is not None and line.hold_state == "held":
        return f"{item(line)} — {source_words(line)} (on hold)"
    if purchases.is_purchase(line):
        words = purchases.open_words(line)
        return f"{words}, {line.discount_percent}% discount" if line.discount_percent else words
    if line.discount_percent:
        who = "membership discount" if line.discount_source == "membership" else "discount"
        return f"{item(line)} — {line.discount_percent}% {who}"
    return item(line)


def card_label(s: Session, line: SaleLine, customer_id: str | None) -> str:
    """After the redemption: "Manicure — from 5x Manicure, 3 of 5 used"; for a family member,
    "from Anna Kovács's 5x Manicure" (``customer_id``: the sale's)."""
    card = s.get(Card, line.card_id)
    if card is None or line.entitlement_id is None:
        return f"{item(line)} — {source_words(line)}"
    pool = ledger.card_pools(s, card).get(line.entitlement_id, ledger.Pool(line.entitlement_id))
    ent = ledger.pool_for(card, line.entitlement_id)
    return (f"{item(line)} — from {family.whose(s, card, customer_id)}, "
            f"{pool.used} of {card_wording.units(card, ent, pool.total)} used")


def credit_label(s: Session, line: SaleLine, *, now: datetime) -> str:
    """After the credit is used: "Deep Tissue Massage — Gold membership credit (1 of 2 used this month)"."""
    # a membership credit line names its membership and its service (lines.redeem_line)
    assert line.enrollment_id is not None and line.service_id is not None
    return f"{item(line)} — {membership.usage_label(s, enrollment_id=line.enrollment_id, service_id=line.service_id, now=now)}"


def freeze_labels(s: Session, sale: Sale, *, now: datetime) -> None:
    for line in sale.lines:
        if line.redeem_kind == "card" and line.hold_state == "redeemed":
            line.receipt_label = card_label(s, line, sale.customer_id)
        elif line.redeem_kind == "membership" and line.hold_state == "redeemed":
            line.receipt_label = credit_label(s, line, now=now)
        elif purchases.is_purchase(line):
            line.receipt_label = purchases.label(s, line)
        else:
            line.receipt_label = label(line)


def _row(left: str, right: str) -> str:
    gap = max(WIDTH - len(left) - len(right), 1)
    return f"{left}{' ' * gap}{right}"


def text(s: Session, sale: Sale, *, now: datetime) -> str:
    """The receipt, plain text, fixed width: business, place, date (org time zone), lines, totals, payments."""
    org = reference.settings(s)

    def money(amount: int) -> str:
        return org_money(s, amount)

    found = names(s, {Location: [sale.location_id], Staff: [sale.completed_by], Customer: [sale.customer_id]})
    where = found[Location].get(sale.location_id, "")
    staff = found[Staff].get(sale.completed_by or "")
    customer = found[Customer].get(sale.customer_id or "")
    local = now.astimezone(org_zone(s))
    out = [org.business_name, where, local.strftime("%Y-%m-%d %H:%M"), f"Sale {sale.id}"]
    if customer:
        out.append(f"Customer: {customer}")
    if staff:
        out.append(f"Served by: {staff}")
    out.append("-" * WIDTH)
    for line in sale.lines:
        out.append(line.receipt_label or label(line))
        each = f"  {line.quantity} × {money(line.unit_price)}"
        vat = f"VAT {rate_words(percent(line.vat_basis_points or 0))}"
        vat = f"{', ' if line.tax_inclusive is not False else ' + '}{vat}"
        if is_redeemed(line):
            out.append(_row(f"{each}{vat}", f"covered {money(gross(line))}"))
        elif line.discount_percent:
            out.append(_row(f"{each} − {line.discount_percent}%{vat}", money(line_total(line))))
        else:
            out.append(_row(f"{each}{vat}", money(line_total(line))))
    t = totals(sale)
    out.append("-" * WIDTH)
    out.append(_row("Subtotal", money(t.subtotal)))
    if t.discount_total:
        out.append(_row("Discounts", f"−{money(t.discount_total)}"))
    if t.covered_total:
        out.append(_row("Covered by packages and memberships", f"−{money(t.covered_total)}"))
    if t.tax_added_total:
        out.append(_row("VAT added to prices without it", money(t.tax_added_total)))
    out.append(_row("Total", money(t.total)))
    if not sale.payments:
        out.append("Fully covered by membership" if all(x.redeem_kind == "membership" for x in sale.lines
                                                        if is_redeemed(x)) and t.covered_total
                   else "Fully covered — no payment")
    for p in sale.payments:
        out.append(_row(f"Paid: {METHODS[p.method]}", money(p.amount)))
    out.extend(vat_table(s, t))
    return "\n".join(out) + "\n"


def vat_table(s: Session, t: Totals) -> list[str]:
    """Net, VAT and gross per rate, 42 characters wide so the narrowest till printer fits it."""
    org = reference.settings(s)

    def amount(value: int) -> str:
        return format_money(value, "", org.currency_decimals, group=" ")

    rows = ["-" * WIDTH, f"VAT summary ({org.currency})",
            f"{'Rate':<6}{'Net':>12}{'VAT':>12}{'Gross':>12}"]
    rows += [f"{rate_words(percent(r.basis_points)):<6}{amount(r.net):>12}{amount(r.vat):>12}{amount(r.gross):>12}"
             for r in t.vat]
    return rows
