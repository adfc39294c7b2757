"""What a customer buys at the till to use later: a package (a card) or a membership — a new
one, or the next month of one the customer already has.

Selling goes through the cart like everything else, so the money is taken with the rest of the
sale and shows on its receipt: the card is issued once the customer has paid.
The line says what will be created; the card is issued, or the enrolment starts, only inside
the completing transaction: an abandoned cart never leaves a card or a member behind, and a
retried completion never creates a second one.

Checks run twice: when the line is added (the receptionist hears at once that the package is
no longer sold, the number is taken or the customer is already a member) and again when the
sale completes, because another terminal may have sold the number or the plan in between.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from desk_tui.contract import cards as card_wire
from desk_tui.contract import memberships as membership_wire
from desk_tui.contract import sales as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import service as cards
from desk_tui.server.cards.queries import get_card
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import get_customer
from desk_tui.server.errors import DomainError
from desk_tui.server.memberships import service as memberships
from desk_tui.server.memberships.queries import get_enrollment
from desk_tui.server.packages.models import Package
from desk_tui.server.reference import service as reference
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.sales.models import Sale, SaleLine
from desk_tui.server.sales.money import line_total

PURCHASES = ("package", "membership")


def is_purchase(line: SaleLine) -> bool:
    return line.kind in PURCHASES


def _customer(s: Session, sale: Sale, what: str) -> Customer:
    if sale.customer_id is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"Choose the customer first: {what} is sold to a customer.")
    return get_customer(s, sale.customer_id)


def package_line(s: Session, sale: Sale, data: wire.SaleLineCreate, *, now: datetime) -> SaleLine:
    package = s.get(Package, data.package_id)
    if package is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "package_id: no such package.")
    if not package.active:
        raise DomainError(ProblemCode.PACKAGE_INACTIVE, f"{package.name} is no longer for sale.")
    _customer(s, sale, "a package")
    line = SaleLine(kind="package", package_id=package.id, name=package.name, unit_price=package.price,
                    held_by_appointment=False, vat_basis_points=package.vat_basis_points,
                    tax_inclusive=package.tax_inclusive)
    set_card_details(s, sale, line, number=data.card_number, expires_on=data.expires_on, now=now)
    return line


def set_card_details(s: Session, sale: Sale, line: SaleLine, *, number: str | None, expires_on: date | None,
                     now: datetime) -> None:
    """The number and expiry of the card a package line will issue (checked now, and again at completion)."""
    key = cards.number_key(number)
    cards.check_number_free(s, key)
    if key is not None and any(x is not line and x.kind == "package" and cards.number_key(x.card_number) == key
                               for x in sale.lines):
        raise DomainError(ProblemCode.DUPLICATE, "Another card in this sale already has this number.")
    if expires_on is not None and expires_on < business_date(s, now):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "expires_on: a card cannot be sold already expired.")
    line.card_number, line.expires_on = number, expires_on


def plan_line(s: Session, sale: Sale, data: wire.SaleLineCreate, *, now: datetime) -> SaleLine:
    """A new membership, or — when the customer already has this plan — its next month."""
    plan_id = data.plan_id
    assert plan_id is not None  # lines.add_line comes here only for a plan
    customer = _customer(s, sale, "a membership")
    today = business_date(s, now)
    if any(x.kind == "membership" and x.plan_id == plan_id for x in sale.lines):
        raise DomainError(ProblemCode.DUPLICATE, "This membership is already in this sale.")
    current = memberships.current_enrollment(s, customer_id=customer.id, plan_id=plan_id, today=today)
    if current is not None:
        memberships.refuse_renewal_of_cancelled(current, today)
        plan = current.plan
    else:
        plan = memberships.check_can_join(s, customer=customer, plan_id=plan_id, starts_on=today, ends_on=None,
                                          today=today)
    name = plan.name if "membership" in plan.name.casefold() else f"{plan.name} membership"
    # A plan has no rate of its own: a membership is sold at the organisation's standard rate.
    org = reference.settings(s)
    return SaleLine(kind="membership", plan_id=plan.id, name=name, unit_price=plan.price, held_by_appointment=False,
                    renews_enrollment_id=current.id if current is not None else None,
                    vat_basis_points=round(org.vat_rate * 100), tax_inclusive=org.prices_include_tax)


def check_customer_change(sale: Sale, customer_id: str | None) -> None:
    """A cart selling a card or a membership cannot lose its customer."""
    if customer_id is None and any(is_purchase(x) for x in sale.lines):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "This sale issues a card or starts a membership, which needs a "
                                              "customer; remove that line first.")


def deliver(s: Session, sale: Sale, *, me: Principal, now: datetime) -> None:
    """Inside the completing transaction: issue each package line's card, start each new
    membership and pay the next month of each renewed one, for the sale's customer, at the price
    each line was sold for."""
    # Enrolments are locked in id order, those this sale renews with those whose credits it uses,
    # as every writer of enrolments does: two tills never wait on each other in a circle.
    renewed = {x.renews_enrollment_id for x in sale.lines if x.kind == "membership" and x.renews_enrollment_id}
    credited = {x.enrollment_id for x in sale.lines if x.redeem_kind == "membership" and x.hold_state == "held"
                and x.enrollment_id is not None}
    if renewed:
        for enrollment_id in sorted(renewed | credited):
            memberships.lock_enrollment(s, enrollment_id)
    for line in sale.lines:
        if line.kind == "package" and line.issued_card_id is None:
            card_data = card_wire.CardCreate(package_id=line.package_id, customer_id=sale.customer_id,
                                        number=line.card_number, expires_on=line.expires_on,
                                        price_paid=line_total(line), note=f"Sold at checkout, sale {sale.id}")
            line.issued_card_id = cards.sell(s, data=card_data, me=me, now=now, sale_id=sale.id).id
        elif line.kind == "membership" and line.renews_enrollment_id is not None:
            memberships.pay_next_month(s, enrollment_id=line.renews_enrollment_id, me=me, now=now, sale_id=sale.id)
            line.issued_enrollment_id = line.renews_enrollment_id
        elif line.kind == "membership" and line.issued_enrollment_id is None:
            # plan_line made this line for the sale's customer, and check_customer_change keeps one
            assert sale.customer_id is not None
            enrol_data = membership_wire.EnrollmentCreate(plan_id=line.plan_id, note=f"Sold at checkout, sale {sale.id}")
            line.issued_enrollment_id = memberships.enrol(s, customer_id=sale.customer_id, data=enrol_data, me=me,
                                                          now=now).id
            memberships.first_month(get_enrollment(s, line.issued_enrollment_id))
    s.flush()


def label(s: Session, line: SaleLine) -> str:
    """The receipt's words once the sale is complete, within the receipt's 48 columns where the
    names allow: "5x Manicure — new card BS-2001, until 2027-05-22", "Gold membership — member
    from 2026-11-23"."""
    if line.kind == "package" and line.issued_card_id is not None:
        card = get_card(s, line.issued_card_id)
        numbered = f"new card {card.number}" if card.number else "new card"
        until = f", until {card.expires_on.isoformat()}" if card.expires_on else ", no expiry"
        return f"{line.name} — {numbered}{until}"
    if line.kind == "membership" and line.issued_enrollment_id is not None:
        e = get_enrollment(s, line.issued_enrollment_id)
        if line.renews_enrollment_id is not None:
            assert e.paid_through is not None  # deliver() paid the month this line renewed
            return f"{line.name} — paid through {e.paid_through.isoformat()}"
        return f"{line.name} — member from {e.starts_on.isoformat()}"
    return line.name


def open_words(line: SaleLine) -> str:
    """Before completion: what completing will do."""
    if line.kind == "package":
        numbered = f" {line.card_number}" if line.card_number else ""
        until = f", valid until {line.expires_on.isoformat()}" if line.expires_on else ""
        return f"{line.name} — new card{numbered}{until}"
    return f"{line.name} — next month" if line.renews_enrollment_id else f"{line.name} — starts today"

