"""Editing an open cart's lines: add, change, remove, and cover one with a credit or a card.

Each function locks the cart (:func:`~desk_tui.server.sales.service.lock_open`), refuses a cart
that can no longer change, and leaves the transaction to the caller, like the rest of the sales
service.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import sales as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.approval import Approver
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.cards.queries import get_card
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Location, Product, Service, ServiceLocation
from desk_tui.server.sales import holds, membership, overrides, purchases, receipt
from desk_tui.server.sales.holds import DEFAULT_TIMEOUT
from desk_tui.server.sales.models import Sale, SaleLine
from desk_tui.server.sales.service import (
    card_name,
    line_of,
    lock_open,
    money_words,
    note,
)


def add_line(s: Session, *, sale_id: str, data: wire.SaleLineCreate, me: Principal, now: datetime | None = None,
             timeout: timedelta = DEFAULT_TIMEOUT, approver: Approver | None = None) -> tuple[Sale, SaleLine]:
    """``approver``: the manager who approved ``data.price`` (auth/approval.py), when it is below
    the list price by more than the organisation allows staff (sales/overrides.py)."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    if len(sale.lines) >= wire.LINES_MAX:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"A sale holds at most {wire.LINES_MAX} lines.")
    if data.service_id is not None:
        svc = s.get(Service, data.service_id)
        if svc is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "service_id: no such service.")
        if not svc.active:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"service_id: {svc.name} is no longer offered.")
        offered = s.scalar(select(ServiceLocation.service_id).where(ServiceLocation.service_id == svc.id,
                                                                    ServiceLocation.location_id == sale.location_id))
        if offered is None:
            here = s.scalar(select(Location.name).where(Location.id == sale.location_id))
            raise DomainError(ProblemCode.SERVICE_NOT_OFFERED_HERE, f"{svc.name} is not offered at {here}.")
        line = SaleLine(kind="service", service_id=svc.id, name=svc.name, unit_price=svc.price,
                        held_by_appointment=False, vat_basis_points=svc.vat_basis_points,
                        tax_inclusive=svc.tax_inclusive)
    elif data.package_id is not None:
        line = purchases.package_line(s, sale, data, now=now)
    elif data.plan_id is not None:
        line = purchases.plan_line(s, sale, data, now=now)
    else:
        product = s.get(Product, data.product_id)
        if product is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "product_id: no such product.")
        if not product.active:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"product_id: {product.name} is no longer sold.")
        line = SaleLine(kind="product", product_id=product.id, name=product.name, unit_price=product.price,
                        held_by_appointment=False, vat_basis_points=product.vat_basis_points,
                        tax_inclusive=product.tax_inclusive)
    line.id = new_id("sln")
    line.position = max((x.position for x in sale.lines), default=-1) + 1
    line.quantity = data.quantity
    line.discount_percent = 0
    line.list_price = line.unit_price
    approved = None
    if data.price is not None:
        line.unit_price = data.price
        approved = overrides.check(s, line, me=me, approver=approver)
    sale.lines.append(line)
    holds.touch(s, sale, now=now, timeout=timeout)
    note(s, sale, me, "sale_line_added", f"Added {receipt.item(line)} at {money_words(s, line.unit_price)} to checkout"
                                         f"{_approved_words(s, line, approved)}")
    s.flush()
    return sale, line


def refuse_if_redeemed(line: SaleLine, doing: str) -> None:
    if line.redeem_kind is not None and line.hold_state == "held":
        if line.held_by_appointment:
            raise DomainError(ProblemCode.INVALID_TRANSITION,
                              f"{line.name} is booked from {line.source_name} on the appointment; to {doing} it, "
                              "switch the appointment's line to a paid service first.")
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{line.name} is redeemed from {line.source_name}; release it first, then {doing} it.")


def update_line(s: Session, *, sale_id: str, line_id: str, data: wire.SaleLineUpdate, me: Principal,
                now: datetime | None = None, timeout: timedelta = DEFAULT_TIMEOUT,
                approver: Approver | None = None) -> Sale:
    """Staff edits a line: its price, its discount (typed by staff) or its quantity. Beyond the
    organisation's limit off the list price, ``approver`` is the manager who approved it."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    line = line_of(sale, line_id)
    refuse_if_redeemed(line, "change")
    before = (line.unit_price, line.discount_percent, line.quantity)
    card_before = (line.card_number, line.expires_on)
    if data.quantity not in (None, 1) and purchases.is_purchase(line):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "quantity: a package or membership line is one card or one "
                                              "enrolment; add another line for a second.")
    if {"card_number", "expires_on"} & data.model_fields_set:
        if line.kind != "package":
            raise DomainError(ProblemCode.VALIDATION_ERROR, "card_number and expires_on belong to a package line.")
        purchases.set_card_details(
            s, sale, line,
            number=data.card_number if "card_number" in data.model_fields_set else line.card_number,
            expires_on=data.expires_on if "expires_on" in data.model_fields_set else line.expires_on, now=now)
    if data.price is not None:
        line.unit_price = data.price
    if data.discount_percent is not None and data.discount_percent != line.discount_percent:
        line.discount_percent = data.discount_percent
        line.discount_source = "staff" if data.discount_percent else None
    if data.quantity is not None:
        line.quantity = data.quantity
    approved = None
    if (line.unit_price, line.discount_percent) != before[:2]:
        approved = overrides.check(s, line, me=me, approver=approver)
    holds.touch(s, sale, now=now, timeout=timeout)
    if (line.unit_price, line.discount_percent, line.quantity) != before:
        discount = f", {line.discount_percent}% discount" if line.discount_percent else ""
        note(s, sale, me, "sale_line_changed",
              f"Checkout line changed: {receipt.item(line)} at {money_words(s, line.unit_price)}{discount}"
              f" (was {before[2]} × {money_words(s, before[0])}"
              f"{f', {before[1]}% discount' if before[1] else ''}){_approved_words(s, line, approved)}")
    if (line.card_number, line.expires_on) != card_before:
        note(s, sale, me, "sale_line_changed", f"Checkout: {purchases.open_words(line)}")
    s.flush()
    return sale


def _approved_words(s: Session, line: SaleLine, approver_name: str | None) -> str:
    if approver_name is None:
        return ""
    return f"; list price {money_words(s, overrides.list_price(line))}, approved by {approver_name}"


def remove_line(s: Session, *, sale_id: str, line_id: str, me: Principal, now: datetime | None = None,
                timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Take a line off the cart, giving back what it held. An appointment's lines stay: the appointment
    is completed with the sale, so the receipt must show what was done (a 100% discount says "not
    charged" honestly; editing the appointment changes what was done)."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    line = line_of(sale, line_id)
    if line.appointment_line_id is not None:
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{line.name} is part of the appointment and stays on the bill; to not charge it, set its "
                          "discount to 100% (a manager approves), or change the appointment itself.")
    released = holds.release_line(s, line, sale=sale, me=me, now=now, note="line removed at checkout")
    sale.lines.remove(line)
    holds.touch(s, sale, now=now, timeout=timeout)
    note(s, sale, me, "sale_line_removed", f"Removed {receipt.item(line)} from checkout"
                                            f"{f'; released {line.source_name}' if released else ''}")
    s.flush()
    return sale


def redeem_line(s: Session, *, sale_id: str, line_id: str, data: wire.LineRedeem, me: Principal,
                now: datetime | None = None, timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Cover a service line with a membership credit or card units: line to 0, the credit or units on hold."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    line = line_of(sale, line_id)
    refuse_if_redeemed(line, "redeem")
    if line.kind != "service":
        raise DomainError(ProblemCode.VALIDATION_ERROR, "Only a service can be redeemed from a package or a membership.")
    if sale.customer_id is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "Choose the customer first: credits and packages are theirs.")
    service_id = line.service_id
    assert service_id is not None  # a service line names its service
    if data.card_id is not None:
        try:
            # The customer must own the card or be a family member on it (card_not_shared): checked
            # under the card lock, before anything is written.
            tx = booking.reserve(s, card_id=data.card_id, entitlement_id=data.entitlement_id,
                                 service_id=service_id, quantity=line.quantity, me=me, sale_id=sale.id,
                                 location_id=sale.location_id, now=now, note="held at checkout",
                                 for_customer_id=sale.customer_id, field="card_id")
        except DomainError as exc:
            if exc.code == ProblemCode.NOT_FOUND:
                raise DomainError(ProblemCode.VALIDATION_ERROR, "card_id: no such card.") from None
            raise
        card = get_card(s, tx.card_id)
        line.redeem_kind, line.card_id, line.entitlement_id = "card", tx.card_id, tx.entitlement_id
        line.reserve_tx_id, line.source_name = tx.id, card_name(s, card, sale.customer_id)
        line.hold_state = "held"
        line.discount_percent, line.discount_source = 0, None
        holds.touch(s, sale, now=now, timeout=timeout)
        _say_covered(s, sale, line, me, now)
    else:
        assert data.enrollment_id is not None  # LineRedeem names exactly one of a card and a membership
        hold_credit(s, sale, line, enrollment_id=data.enrollment_id, me=me, now=now, timeout=timeout)
    s.flush()
    return sale


def hold_credit(s: Session, sale: Sale, line: SaleLine, *, enrollment_id: str, me: Principal, now: datetime,
                timeout: timedelta, why: str = "") -> None:
    """Cover a service line of a locked, open cart with a membership credit: the line to 0 and the
    credit on hold until the sale completes. Refused (nothing written) when none is left."""
    assert sale.customer_id is not None and line.service_id is not None  # checked by the callers
    plan_name = membership.hold(s, enrollment_id=enrollment_id, customer_id=sale.customer_id,
                                service_id=line.service_id, quantity=line.quantity, sale_id=sale.id,
                                sale_line_id=line.id, me=me, now=now, expires_at=now + timeout,
                                renewed=membership.renewed(sale))
    line.redeem_kind, line.enrollment_id, line.source_name = "membership", enrollment_id, plan_name
    line.hold_state = "held"
    line.discount_percent, line.discount_source = 0, None
    holds.touch(s, sale, now=now, timeout=timeout)
    _say_covered(s, sale, line, me, now, why)


def _say_covered(s: Session, sale: Sale, line: SaleLine, me: Principal, now: datetime, why: str = "") -> None:
    assert sale.customer_id is not None  # a redeemed line's cart has a customer
    record_activity(s, at=now, customer_id=sale.customer_id, kind="sale_line_redeemed", me=me, sale_id=sale.id,
                    card_id=line.card_id, summary=f"{line.name} covered by {receipt.source_words(line)}{why}: on "
                                                  "hold until the sale completes")


def release_line(s: Session, *, sale_id: str, line_id: str, me: Principal, now: datetime | None = None,
                 timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Undo a redeem on an open cart: the credit or units go back, the line is paid again."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    line = line_of(sale, line_id)
    if line.redeem_kind is None or line.hold_state != "held":
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"{line.name} is not redeemed; there is nothing to release.")
    if not holds.owns_hold(line):
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"{line.name} is booked from {line.source_name} on the appointment; switch the "
                          "appointment's line to a paid service to charge it instead.")
    source = receipt.source_words(line)
    holds.release_line(s, line, sale=sale, me=me, now=now, note="redeem undone at checkout")
    line.redeem_kind = line.card_id = line.entitlement_id = line.enrollment_id = None
    line.reserve_tx_id = line.source_name = line.hold_state = None
    holds.touch(s, sale, now=now, timeout=timeout)
    note(s, sale, me, "sale_line_released", f"{line.name} no longer covered by {source}: released")
    s.flush()
    return sale
