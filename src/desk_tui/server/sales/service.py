"""The checkout cart: the rules and the transaction, keyword-only functions on the caller's session.

Every write locks the sale row (``SELECT … FOR NO KEY UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already
serialises writers), refuses a cart that is no longer open with a sentence saying why, and moves
the cart's idle clock. Locks are taken in one order everywhere: appointment → sale → cards (in id
order) → customer → membership enrolments (in id order), so two terminals never deadlock.
``now`` is injectable everywhere so tests never sleep.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import sales as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.appointments import lines as appointment_lines
from desk_tui.server.appointments import service as appointments
from desk_tui.server.appointments import transitions
from desk_tui.server.appointments import wording as appointment_wording
from desk_tui.server.appointments.models import FINAL, Appointment
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking, family
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.service import customer_brief, get_customer, record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference.models import Service
from desk_tui.server.reference.money import money as org_money
from desk_tui.server.sales import holds, membership, purchases, receipt
from desk_tui.server.sales.holds import DEFAULT_TIMEOUT
from desk_tui.server.sales.models import Sale, SaleLine, SalePayment
from desk_tui.server.sales.money import freeze as freeze_vat
from desk_tui.server.sales.money import is_redeemed, totals

# ---------------------------------------------------------------------------------------------- reading

def get(s: Session, sale_id: str, *, me: Principal) -> Sale:
    return holds.find(s, sale_id, me=me)


def list_sales(s: Session, *, me: Principal, status: str, limit: int, cursor: str | None
               ) -> tuple[list[Sale], str | None]:
    """Carts at the token's location in one status, newest first (``status=open``: carts left open)."""
    stmt = select(Sale).where(Sale.location_id == me.location_id, Sale.status == status)
    return keyset_page(s, stmt, order_by=[Sale.opened_at, Sale.id], key=lambda x: (x.opened_at, x.id),
                       limit=limit, cursor=cursor, descending=True)


# ---------------------------------------------------------------------------------------------- guards

def money_words(s: Session, amount: int) -> str:
    return org_money(s, amount)


def check_open(sale: Sale, *, timeout: timedelta = DEFAULT_TIMEOUT, now: datetime | None = None) -> None:
    """409 with a sentence when the cart can no longer change."""
    if sale.status == "completed":
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This sale is already completed.", sale_status=sale.status)
    if sale.status == "abandoned":
        if sale.closed_idle:
            raise DomainError(ProblemCode.INVALID_TRANSITION,
                              f"This cart was closed after being {sale.abandoned_reason or 'left idle'}, and its "
                              "held credits and package sessions were released. Open a new sale.",
                              sale_status=sale.status)
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This cart was abandoned; open a new sale.", sale_status=sale.status)
    now = now or utcnow()
    if now - sale.last_change_at > timeout:
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"This cart was left idle for more than {holds.idle_words(timeout)}; its holds are being "
                          "released. Open a new sale.", sale_status=sale.status)


def lock_open(s: Session, sale_id: str, *, me: Principal, now: datetime, timeout: timedelta) -> Sale:
    sale = holds.lock_sale(s, sale_id, me=me)
    check_open(sale, timeout=timeout, now=now)
    return sale


def line_of(sale: Sale, line_id: str) -> SaleLine:
    for line in sale.lines:
        if line.id == line_id:
            return line
    raise DomainError(ProblemCode.NOT_FOUND, "No such line in this sale.")


def note(s: Session, sale: Sale, me: Principal, kind: str, summary: str) -> None:
    """The customer's activity log, when the cart has a customer."""
    if sale.customer_id is not None:
        record_activity(s, customer_id=sale.customer_id, kind=kind, me=me, sale_id=sale.id,
                        appointment_id=sale.appointment_id, summary=summary)


# ---------------------------------------------------------------------------------------------- opening

def open_sale(s: Session, *, data: wire.SaleCreate, me: Principal, now: datetime | None = None,
              timeout: timedelta = DEFAULT_TIMEOUT) -> tuple[Sale, bool]:
    """A new cart, or the appointment's cart when one is already open. Returns (sale, created)."""
    now = now or utcnow()
    customer_id = data.customer_id
    if customer_id is not None and customer_brief(s, customer_id) is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: no such customer.")
    appt = None
    if data.appointment_id is not None:
        try:
            appt = appointments.lock(s, data.appointment_id, me=me)
        except DomainError:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "appointment_id: no such appointment.") from None
        if appt.status in FINAL:
            what = appointment_wording.STATUS[appt.status]
            raise DomainError(ProblemCode.INVALID_TRANSITION, f"This appointment is {what}; there is nothing left to check "
                                                    "out. Open a sale without the appointment to sell something.",
                              appointment_status=appt.status)
        if customer_id is not None and customer_id != appt.customer_id:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: the appointment is for another customer.")
        customer_id = appt.customer_id
        existing = s.scalar(select(Sale).where(Sale.appointment_id == appt.id, Sale.status == "open")
                            .order_by(Sale.opened_at.desc(), Sale.id).limit(1))
        if existing is not None and now - existing.last_change_at <= timeout:
            existing = holds.lock_sale(s, existing.id, me=me)
            _refresh_from_appointment(s, existing, appt, me=me, now=now)
            holds.touch(s, existing, now=now, timeout=timeout)
            return existing, False
    # A new cart's lines and payments are known to be none: given as empty lists, its answer does not
    # load them (two SELECTs of nothing, a tenth of an opened cart's CPU).
    sale = Sale(id=new_id("sal"), status="open", customer_id=customer_id, appointment_id=appt.id if appt else None,
                location_id=me.location_id, opened_by=me.staff_id, opened_at=now, last_change_at=now,
                closed_idle=False, lines=[], payments=[])
    if appt is not None:
        sale.lines = _appointment_lines(s, appt)
        sale.appointment_key = appointment_key(appt)
    s.add(sale)
    s.flush()
    if customer_id is not None:
        what = f" for {appointment_wording.services(s, appt)}" if appt else ""
        record_activity(s, at=now, customer_id=customer_id, kind="sale_opened", me=me, sale_id=sale.id,
                        appointment_id=sale.appointment_id, summary=f"Checkout opened{what}")
    return sale, True


def _appointment_lines(s: Session, appt: Appointment) -> list[SaleLine]:
    """The appointment's lines: paid ones at their booked price, package ones covered by their reservation."""
    appointment_lines.lock_cards_of(s, list(appt.lines), [])
    appointment_lines.sync(s, appt)
    ids = {x.service_id for x in appt.lines}
    services = {x.id: x for x in s.execute(select(Service.id, Service.name, Service.price, Service.vat_basis_points,
                                                  Service.tax_inclusive).where(Service.id.in_(ids)))}
    cards = {c.id: c for c in s.scalars(select(Card).where(Card.id.in_({x.card_id for x in appt.lines if x.card_id})))}
    result = []
    for i, apl in enumerate(appt.lines):
        svc = services[apl.service_id]
        line = SaleLine(id=new_id("sln"), position=i, kind="service", service_id=apl.service_id,
                        appointment_line_id=apl.id, name=svc.name, quantity=1,
                        unit_price=apl.price, list_price=apl.price, discount_percent=0,
                        held_by_appointment=False, vat_basis_points=svc.vat_basis_points,
                        tax_inclusive=svc.tax_inclusive)
        if apl.card_id is not None:
            # What the session is worth: the service's list price (the appointment line costs 0).
            line.unit_price = line.list_price = svc.price
            if apl.redemption == "reserved":
                card = cards[apl.card_id]
                line.redeem_kind, line.card_id, line.entitlement_id = "card", apl.card_id, apl.entitlement_id
                line.reserve_tx_id, line.hold_state = apl.reserve_tx_id, "held"
                line.held_by_appointment = True
                line.source_name = card_name(s, card, appt.customer_id)
        result.append(line)
    return result


def appointment_key(appt: Appointment) -> str:
    """What the cart copied from the appointment, as a digest: it changes when a line is added,
    removed, re-priced, switched between paid and package, or its reservation is undone."""
    parts = [f"{x.id}|{x.service_id}|{x.price}|{x.card_id}|{x.entitlement_id}|{x.redemption}|{x.reserve_tx_id}"
             for x in appt.lines]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _refresh_from_appointment(s: Session, sale: Sale, appt: Appointment, *, me: Principal, now: datetime) -> None:
    """The appointment changed since its cart was opened: the cart's appointment lines follow it.

    A line whose appointment line is still there, for the same service and source, stays as it is
    (with the discount staff typed, or the credit or card the cart redeemed for it); the others
    are replaced by what the appointment says now, and what the cart held for them is given back.
    Lines added at the till stay."""
    fresh = _appointment_lines(s, appt)  # syncs the appointment with its cards first
    key = appointment_key(appt)
    if key == sale.appointment_key:
        return
    old: dict[str | None, SaleLine] = {x.appointment_line_id: x for x in sale.lines if x.appointment_line_id is not None}
    lines = []
    for line in fresh:
        before = old.get(line.appointment_line_id)
        if before is not None and _same_source(before, line):
            del old[line.appointment_line_id]
            before.position = line.position
            line = before
        lines.append(line)
    for gone in old.values():
        holds.release_line(s, gone, sale=sale, me=me, now=now, note="appointment changed; cart brought up to date")
        sale.lines.remove(gone)
    s.flush()
    others = [x for x in sale.lines if x.appointment_line_id is None]
    for i, line in enumerate(others, start=len(lines)):
        line.position = i
    sale.lines = lines + others
    sale.appointment_key = key
    s.flush()


def _same_source(before: SaleLine, fresh: SaleLine) -> bool:
    """The cart's line still stands for the appointment line: same service, and still paid or
    still held by the same reservation."""
    if before.service_id != fresh.service_id or before.held_by_appointment != fresh.held_by_appointment:
        return False
    return not fresh.held_by_appointment or before.reserve_tx_id == fresh.reserve_tx_id


def card_name(s: Session, card: Card, customer_id: str | None) -> str:
    """The card as the sale's customer uses it: a family member's line names the owner."""
    name = family.whose(s, card, customer_id)
    return f"{name} #{card.number}" if card.number else name


def update_sale(s: Session, *, sale_id: str, data: wire.SaleUpdate, me: Principal, now: datetime | None = None,
                timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Choose (or change, or clear) the customer of a cart while nothing is redeemed for them."""
    now = now or utcnow()
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    if "customer_id" not in data.model_fields_set or data.customer_id == sale.customer_id:
        holds.touch(s, sale, now=now, timeout=timeout)
        return sale
    if sale.appointment_id is not None:
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This cart belongs to an appointment; its customer is the "
                                                "appointment's.")
    purchases.check_customer_change(sale, data.customer_id)
    if any(x.redeem_kind is not None and x.hold_state == "held" for x in sale.lines):
        raise DomainError(ProblemCode.INVALID_TRANSITION, "A line is redeemed from this customer's package or membership; "
                                                "release it first, then change the customer.")
    if data.customer_id is not None and customer_brief(s, data.customer_id) is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "customer_id: no such customer.")
    sale.customer_id = data.customer_id
    # Membership discounts were the previous customer's benefit.
    for line in sale.lines:
        if line.discount_source == "membership":
            line.discount_percent, line.discount_source = 0, None
    holds.touch(s, sale, now=now, timeout=timeout)
    if sale.customer_id is not None:
        record_activity(s, at=now, customer_id=sale.customer_id, kind="sale_customer_set", me=me, sale_id=sale.id,
                        summary="Chosen as the customer of an open checkout")
    return sale


# ---------------------------------------------------------------------------------------------- closing

def complete(s: Session, *, sale_id: str, data: wire.SaleComplete, me: Principal, now: datetime | None = None,
             timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """One step: check the payments, take store credit, turn holds into redemptions, complete the
    appointment, record the payments and write the receipt. Anything refused rolls all of it back."""
    now = now or utcnow()
    # The appointment is locked before the sale, as opening checkout from an appointment does
    # (appointment → its open cart); the other order could deadlock the two on PostgreSQL. A
    # sale's appointment never changes, so reading it before the sale's lock is safe.
    appointment_id = holds.appointment_of(s, sale_id, me=me)
    appt = appointments.lock(s, appointment_id, me=me) if appointment_id else None
    sale = lock_open(s, sale_id, me=me, now=now, timeout=timeout)
    t = totals(sale)
    paid = sum(p.amount for p in data.payments)
    if t.total == 0 and data.payments:
        raise DomainError(ProblemCode.SALE_NOT_BALANCED, f"The sale is fully covered (total {money_words(s, 0)}); complete it with "
                                               f"no payment, not {money_words(s, paid)}.", total=0, paid=paid)
    if paid != t.total:
        raise DomainError(ProblemCode.SALE_NOT_BALANCED, f"Payments add up to {money_words(s, paid)} but the total is "
                                               f"{money_words(s, t.total)}.", total=t.total, paid=paid)

    if appt is not None and appt.status not in ("booked", "checked_in"):
        raise DomainError(ProblemCode.INVALID_TRANSITION,
                          f"The appointment was {appointment_wording.STATUS[appt.status]} after this cart was "
                          "opened; abandon this cart and open a new sale.", appointment_status=appt.status)
    card_ids = {x.card_id for x in sale.lines if x.redeem_kind == "card" and x.hold_state == "held"
                and x.card_id is not None}
    if appt is not None:
        card_ids |= {x.card_id for x in appt.lines if x.card_id and x.redemption == "reserved"}
    booking.lock_cards(s, card_ids)
    if appt is not None:
        appointment_lines.sync(s, appt)
        if appointment_key(appt) != sale.appointment_key:
            raise DomainError(ProblemCode.INVALID_TRANSITION,
                              "The appointment was changed after this checkout was opened (its services, prices or "
                              "package sessions). Open checkout from the appointment again to bring the cart up to "
                              "date, then complete it.")

    store = sum(p.amount for p in data.payments if p.method == "store_credit")
    if store:
        if sale.customer_id is None:
            raise DomainError(ProblemCode.INSUFFICIENT_STORE_CREDIT, "Store credit belongs to a customer: choose the customer "
                                                           "first.", needed=store, available=0)
        customer = get_customer(s, sale.customer_id, for_update=True)
        if customer.store_credit < store:
            raise DomainError(ProblemCode.INSUFFICIENT_STORE_CREDIT,
                              f"{customer.name} has {money_words(s, customer.store_credit)} of store credit; "
                              f"{money_words(s, store)} was asked for.", needed=store, available=customer.store_credit)
        customer.store_credit -= store
    # Cards and memberships bought in this sale (locks the customer, before the enrolments consume does).
    purchases.deliver(s, sale, me=me, now=now)

    for line in sale.lines:
        if holds.owns_hold(line) and line.redeem_kind == "card":
            # a card hold names its card and its reservation (lines.redeem_line)
            assert line.card_id is not None and line.reserve_tx_id is not None
            booking.redeem_reservation(s, card_id=line.card_id, reservation_id=line.reserve_tx_id, me=me,
                                       sale_id=sale.id, now=now, note="redeemed at checkout")
    if any(holds.owns_hold(x) and x.redeem_kind == "membership" for x in sale.lines):
        membership.consume(s, sale_id=sale.id, me=me, now=now, renewed=membership.renewed(sale))
    if appt is not None:
        if appt.status == "booked":
            transitions.check_in(s, appointment_id=appt.id, me=me, now=now)
        transitions.complete(s, appointment_id=appt.id, me=me, sale_id=sale.id, now=now)
    for line in sale.lines:
        if line.redeem_kind is not None and line.hold_state == "held":
            line.hold_state = "redeemed"

    s.flush()  # what the holds and purchases wrote, before the receipt's words read it
    sale.payments = [SalePayment(id=new_id("pay"), position=i, method=p.method, amount=p.amount)
                     for i, p in enumerate(data.payments)]
    sale.status = "completed"
    sale.completed_at = now
    sale.completed_by = me.staff_id
    sale.last_change_at = max(now, sale.last_change_at)
    with s.no_autoflush:  # the sale's row is written once, with its receipt
        freeze_vat(sale)
        receipt.freeze_labels(s, sale, now=now)
        sale.receipt_text = receipt.text(s, sale, now=now)
        if sale.customer_id is not None:
            record_activity(s, at=now, customer_id=sale.customer_id, kind="sale_completed", me=me, sale_id=sale.id,
                            appointment_id=sale.appointment_id, summary=_completed_summary(s, sale, t.total))
    s.flush()
    events.record(s, kind="sale.completed", location_id=sale.location_id, me=me, sale_id=sale.id,
                  customer_id=sale.customer_id, appointment_id=sale.appointment_id)
    return sale


def _completed_summary(s: Session, sale: Sale, total: int) -> str:
    paid = ", ".join(f"{receipt.METHODS[p.method].lower()} {money_words(s, p.amount)}" for p in sale.payments)
    text = f"Sale completed: total {money_words(s, total)}" + (f" paid by {paid}" if paid else ", fully covered")
    # freeze_labels (above) gave every line its label
    covered = [x.receipt_label for x in sale.lines if is_redeemed(x) and x.receipt_label is not None]
    if covered:
        text += "; redeemed " + "; ".join(covered)
    return text


def abandon(s: Session, *, sale_id: str, me: Principal, reason: str | None = None, now: datetime | None = None,
            timeout: timedelta = DEFAULT_TIMEOUT) -> Sale:
    """Close the cart without a sale: every hold it made is released (nothing is consumed)."""
    now = now or utcnow()
    sale = holds.lock_sale(s, sale_id, me=me)
    if sale.status != "open":
        check_open(sale, timeout=timeout, now=now)
    holds.close(s, sale, me=me, now=now, reason=reason or "abandoned by staff", idle=False)
    return sale
