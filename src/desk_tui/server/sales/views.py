"""Sales as the wire shows them (contract/sales.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import sales as wire
from desk_tui.server.customers.service import customer_brief
from desk_tui.server.reference.models import Staff
from desk_tui.server.reference.vat import percent as vat_percent
from desk_tui.server.sales import holds, receipt
from desk_tui.server.sales.models import Sale, SaleLine
from desk_tui.server.sales.money import line_vat, totals


def redeemed_from(line: SaleLine) -> wire.RedeemedFrom | None:
    if line.redeem_kind is None:
        return None
    return wire.RedeemedFrom(kind=line.redeem_kind, card_id=line.card_id, entitlement_id=line.entitlement_id,
                             enrollment_id=line.enrollment_id, source_name=line.source_name or "",
                             state=line.hold_state, via_appointment=line.held_by_appointment)


def line_wire(line: SaleLine, approvers: dict[str, str] | None = None) -> wire.SaleLine:
    amounts = line_vat(line)
    return wire.SaleLine(id=line.id, kind=line.kind, service_id=line.service_id, product_id=line.product_id,
                         package_id=line.package_id, plan_id=line.plan_id, card_number=line.card_number,
                         expires_on=line.expires_on, issued_card_id=line.issued_card_id,
                         issued_enrollment_id=line.issued_enrollment_id,
                         renews_enrollment_id=line.renews_enrollment_id,
                         appointment_line_id=line.appointment_line_id, name=line.name, quantity=line.quantity,
                         unit_price=line.unit_price, discount_percent=line.discount_percent,
                         discount_source=line.discount_source, list_price=line.list_price,
                         approved_by=(approvers or {}).get(line.approved_by) if line.approved_by else None,
                         total=amounts.gross, net=amounts.net, vat=amounts.vat,
                         vat_rate=vat_percent(line.vat_basis_points or 0), tax_inclusive=line.tax_inclusive is not False,
                         redeemed_from=redeemed_from(line), label=receipt.label(line))


def one(s: Session, sale: Sale, *, timeout: timedelta) -> wire.Sale:
    t = totals(sale)
    customer = customer_brief(s, sale.customer_id) if sale.customer_id else None
    approved = {x.approved_by for x in sale.lines if x.approved_by}
    approvers = dict(s.execute(select(Staff.id, Staff.name).where(Staff.id.in_(approved))).all()) if approved else {}
    return wire.Sale(
        id=sale.id, status=sale.status, customer_id=sale.customer_id, customer_name=customer.name if customer else None,
        appointment_id=sale.appointment_id, location_id=sale.location_id,
        lines=[line_wire(x, approvers) for x in sale.lines], subtotal=t.subtotal, discount_total=t.discount_total,
        covered_total=t.covered_total, tax_added_total=t.tax_added_total, total=t.total,
        vat=[wire.VatRate(rate=vat_percent(r.basis_points), net=r.net, vat=r.vat, gross=r.gross) for r in t.vat],
        payments=[wire.Payment(method=p.method, amount=p.amount) for p in sale.payments],
        receipt_text=sale.receipt_text, opened_at=sale.opened_at,
        holds_expire_at=holds.expires_at(sale, timeout) if sale.status == "open" else None,
        completed_at=sale.completed_at, abandoned_reason=sale.abandoned_reason,
        store_credit=customer.store_credit if customer else 0,
    )
