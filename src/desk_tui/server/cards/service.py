"""Selling a card and using it at the till: sell, quick redeem, undo, adjust.

Every function takes the caller's session and runs inside its transaction; the balance-changing
ones lock the card row first (ledger.lock_card). ``now`` is the clock, injectable so the demo seed
can write a believable history; it defaults to the current time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import chain, family, ledger, rules, wording
from desk_tui.server.cards.models import Card, CardEntitlement, CardEntitlementService, CardTransaction
from desk_tui.server.customers.search import last_digits, normalise
from desk_tui.server.customers.service import add_search_term, get_customer, record_activity
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.given import service as given
from desk_tui.server.packages.models import Package
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.models import Service
from desk_tui.server.reference.money import money
from desk_tui.server.sales import holds
from desk_tui.server.sales.models import Sale


def number_key(number: str | None) -> str | None:
    return (normalise(number)[:40] or None) if number else None


def number_tail(number: str | None) -> str | None:
    """The number's last digits reversed ("BS-1005" → "5001"), for the search by last digits."""
    return last_digits(normalise(number))[::-1][:40] or None if number else None


def check_number_free(s: Session, key: str | None, *, card_id: str | None = None) -> None:
    if key is None:
        return
    taken = s.scalar(select(Card.id).where(Card.number_key == key))
    if taken is not None and taken != card_id:
        raise DomainError(ProblemCode.DUPLICATE, "Another card already has this number.")


def pool_weight(s: Session, units: int, links: list[tuple[str, int]]) -> int:
    """List value of a pool: its units at the mean list price per unit of its services."""
    prices = dict(s.execute(select(Service.id, Service.price).where(Service.id.in_([x for x, _ in links]))).all())
    per_unit = [units * prices.get(service_id, 0) // cost for service_id, cost in links]
    return sum(per_unit) // max(len(per_unit), 1)


def issue(s: Session, *, package: Package, customer_id: str, me: Principal, now: datetime, number: str | None,
          expires_on: date | None, price_paid: int, note: str | None, card_id: str | None = None,
          sale_id: str | None = None) -> Card:
    """Create the card, copy the template's pools into it, and write its ``issue`` entries."""
    card = Card(id=card_id or new_id("crd"), number=number, number_key=number_key(number),
                number_tail=number_tail(number), package_id=package.id,
                package_name=package.name, unit_type=package.unit_type, customer_id=customer_id, issued_at=now,
                issued_by=me.staff_id, issued_location_id=me.location_id, expires_on=expires_on,
                price_paid=price_paid, status=ledger.LIVE, last_used_at=None, last_seq=0, ledger_head=chain.GENESIS,
                expire_recorded_for=None)
    for position, tmpl in enumerate(package.entitlements):
        links = [(x.service_id, x.unit_cost) for x in tmpl.services]
        ent = CardEntitlement(id=new_id("cen"), card_id=card.id, position=position,
                              weight=pool_weight(s, tmpl.units, links))
        ent.services = [CardEntitlementService(card_entitlement_id=ent.id, service_id=sid, unit_cost=cost)
                        for sid, cost in links]
        card.entitlements.append(ent)
    s.add(card)
    s.flush()
    for i, (ent, tmpl) in enumerate(zip(card.entitlements, package.entitlements, strict=True)):
        ledger.append(s, card, kind="issue", me=me, at=now, entitlement_id=ent.id, units=tmpl.units,
                      initial=tmpl.units, note=note, amount=price_paid if i == 0 else None, sale_id=sale_id)
    if number:
        add_search_term(s, customer_id=customer_id, term=number)
    return card


def sell(s: Session, *, data: wire.CardCreate, me: Principal, now: datetime | None = None,
         card_id: str | None = None, sale_id: str | None = None) -> Card:
    """``card_id`` is for the demo seed's fixed ids; a sale over the API always gets a fresh one.
    ``sale_id``: the checkout that sold it (its ``issue`` entries name the sale)."""
    card = _new_card(s, data=data, me=me, now=now or utcnow(), card_id=card_id, sale_id=sale_id)
    until = f", valid until {card.expires_on.isoformat()}" if card.expires_on else ""
    numbered = f" (card {card.number})" if card.number else ""
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_sold", card_id=card.id, me=me, sale_id=sale_id,
                    summary=f"Bought {card.package_name}{numbered} for {money(s, card.price_paid)}{until}")
    return card


def give(s: Session, *, data: wire.CardCreate, me: Principal, now: datetime | None = None) -> Card:
    """A card issued outside a sale (``POST /v1/cards``): a manager's or owner's act with a reason,
    in the customer's activity and the "given without a sale" report. The till sells cards
    through a cart, where the money is taken (sales/purchases.py)."""
    if not me.at_least("manager"):
        raise DomainError(ProblemCode.FORBIDDEN_ROLE, "Only a manager or the owner can issue a card without a sale; sell it "
                                            "through a cart at the till instead.")
    reason = given.required_reason(data.reason, "this card")
    now = now or utcnow()
    card = _new_card(s, data=data, me=me, now=now)
    given.record(s, kind="card", customer_id=card.customer_id, what=card.package_name, price=card.price_paid,
                 reason=reason, me=me, at=now, card_id=card.id)
    numbered = f" (card {card.number})" if card.number else ""
    until = f", valid until {card.expires_on.isoformat()}" if card.expires_on else ""
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_given", card_id=card.id, me=me,
                    summary=f"Given {card.package_name}{numbered} without a sale by {me.staff_name} (price on "
                            f"record {money(s, card.price_paid)}{until}): {reason}")
    return card


def _new_card(s: Session, *, data: wire.CardCreate, me: Principal, now: datetime, card_id: str | None = None,
              sale_id: str | None = None) -> Card:
    package = s.get(Package, data.package_id)
    if package is None:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "package_id: no such package.")
    if not package.active:
        raise DomainError(ProblemCode.PACKAGE_INACTIVE, f"{package.name} is no longer for sale.")
    customer = rules.named_customer(s, data.customer_id)
    check_number_free(s, number_key(data.number))
    today = business_date(s, now)
    expires_on = data.expires_on
    if expires_on is None and package.expiry_days:
        expires_on = today + timedelta(days=package.expiry_days)
    if expires_on is not None and expires_on < today:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "expires_on: a card cannot be sold already expired.")
    price = package.price if data.price_paid is None else data.price_paid
    return issue(s, package=package, customer_id=customer.id, me=me, now=now, number=data.number,
                 expires_on=expires_on, price_paid=price, note=data.note, card_id=card_id, sale_id=sale_id)


def redeem(s: Session, *, card_id: str, service_id: str, me: Principal, quantity: int = 1,
           entitlement_id: str | None = None, sale_id: str | None = None, note: str | None = None,
           now: datetime | None = None, for_customer_id: str | None = None) -> CardTransaction:
    """Quick redeem at the till: ``quantity`` × the service, from the first pool that can pay.

    A ``sale_id`` links the redemption to a sale (the ledger and the activity log say so), so it
    must name a sale this till can see that is the card holder's (or a family member's on it):
    their sale, or an open cart whose customer is not chosen yet. ``for_customer_id``: who the
    service is for, the owner or a family member (cards/family.py); the sale's customer when
    left out."""
    now = now or utcnow()
    if for_customer_id is not None:
        rules.named_customer(s, for_customer_id, field="for_customer_id")
    # The sale is locked before the card (locks go sale → cards everywhere), so its customer
    # cannot change between the check and the ledger entry.
    sale = holds.lock_sale(s, sale_id, me=me) if sale_id is not None else None
    card = ledger.lock_card(s, card_id)
    if sale is not None:
        for_customer_id = _check_sale_is_the_holders(s, sale, card, for_customer_id)
    used_by = family.user_of(s, card, for_customer_id)
    rules.check_usable(card, business_date(s, now))
    name, offered = rules.service_here(s, service_id, me.location_id)
    options = rules.pools_with(card, service_id, entitlement_id, name)
    rules.check_offered(s, service_id, me.location_id, name, offered=offered)
    balances = ledger.card_pools(s, card)
    ent, units = rules.choose_pool(card, options, balances, quantity, name)
    card.last_used_at = now  # written with the entry's sequence number, in one UPDATE
    tx = ledger.append(s, card, kind="redeem", me=me, at=now, entitlement_id=ent.id, service_id=service_id,
                       units=units, used=units, sale_id=sale_id, note=note, used_by=used_by)
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    family.record_use(s, card, used_by, kind="card_redeemed", at=now, me=me, sale_id=sale_id,
                      head=f"Redeemed {wording.service_label(name, quantity)} from",
                      tail=f" {wording.progress(card, ent, balances[ent.id])}")
    return tx


def _check_sale_is_the_holders(s: Session, sale: Sale, card: Card, for_customer_id: str | None) -> str | None:
    """Who the redemption is for, given its sale: the sale's customer (who must be the one named,
    if any, and the card's owner or a family member on it), or whoever is named when the open cart
    has no customer yet."""
    holder = get_customer(s, card.customer_id).name
    if sale.customer_id is None:
        if sale.status == "open":
            return for_customer_id
        detail = f"That sale was closed without a customer; a redemption from {holder}'s card cannot be added to it."
    elif for_customer_id is not None and for_customer_id != sale.customer_id:
        detail = (f"That sale is {get_customer(s, sale.customer_id).name}'s, but this redemption is for "
                  f"{rules.named_customer(s, for_customer_id).name}: redeem it on their own sale.")
    elif sale.customer_id == card.customer_id or family.is_member(s, card, sale.customer_id):
        return sale.customer_id
    else:
        detail = (f"That sale is {get_customer(s, sale.customer_id).name}'s, but the card is {holder}'s: a card "
                  "pays only for its holder's services and those of the family members listed on it.")
    raise DomainError(ProblemCode.SALE_OF_ANOTHER_CUSTOMER, detail, sale_id=sale.id)


def undo(s: Session, *, card_id: str, transaction_id: str, reason: str, me: Principal,
         now: datetime | None = None) -> CardTransaction:
    """Compensate one redemption or reservation, once. The original entry stays as it was."""
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    target = s.get(CardTransaction, transaction_id)
    if target is None or target.card_id != card.id:
        raise DomainError(ProblemCode.NOT_FOUND, "No such transaction on this card.")
    if target.kind not in ("redeem", "reserve"):
        raise DomainError(ProblemCode.INVALID_TRANSITION, f"Only redemptions and reservations can be undone, not {target.kind}.")
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; its history is closed.")
    settled = s.scalar(select(CardTransaction).where(CardTransaction.ref_id == target.id))
    if settled is not None:
        if settled.kind == "undo":
            raise DomainError(ProblemCode.ALREADY_UNDONE, f"This {target.kind} was already undone.")
        raise DomainError(ProblemCode.INVALID_TRANSITION, "This booking was already released." if settled.kind == "release"
                          else "This booking was already redeemed; undo the redemption instead.")
    used, booked = (-target.units, 0) if target.kind == "redeem" else (0, -target.units)
    assert target.entitlement_id is not None  # a redemption or a reservation always names its pool
    tx = ledger.append(s, card, kind="undo", me=me, at=now, entitlement_id=target.entitlement_id,
                       service_id=target.service_id, units=target.units, appointment_id=target.appointment_id,
                       sale_id=target.sale_id, note=reason, ref_id=target.id, used=used, booked=booked,
                       used_by=target.used_by_customer_id)
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    what = rules.service_name(s, target.service_id) if target.service_id else "units used before import"
    ent = ledger.pool_for(card, target.entitlement_id)
    label = "redemption" if target.kind == "redeem" else "booking"
    family.record_use(s, card, target.used_by_customer_id, kind="card_undone", at=now, me=me,
                      appointment_id=target.appointment_id, sale_id=target.sale_id,
                      head=f"Undid {label} of {what} from",
                      tail=f": {reason} {wording.progress(card, ent, balances[ent.id])}")
    return tx


def adjust(s: Session, *, card_id: str, entitlement_id: str | None, units: int, reason: str, me: Principal,
           now: datetime | None = None, for_customer_id: str | None = None) -> CardTransaction:
    now = now or utcnow()
    card = ledger.lock_card(s, card_id)
    family.check_owner(s, card, for_customer_id, done="adjusted")
    if card.status in ledger.CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; it cannot be adjusted.")
    if entitlement_id is None:
        if len(card.entitlements) != 1:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "entitlement_id: this card has several pools; say which one.")
        entitlement_id = card.entitlements[0].id
    ent = ledger.pool_for(card, entitlement_id)
    balances = ledger.card_pools(s, card)
    if balances[ent.id].remaining + units < 0:
        raise DomainError(ProblemCode.INSUFFICIENT_UNITS, f"Only {balances[ent.id].remaining} {card.unit_type} left to take "
                                                f"away; the balance cannot go below zero.")
    tx = ledger.append(s, card, kind="adjust", me=me, at=now, entitlement_id=ent.id, units=units, adjust=units,
                       note=reason)
    balances = ledger.card_pools(s, card)
    ledger.settle_status(card, balances)
    record_activity(s, at=now, customer_id=card.customer_id, kind="card_adjusted", card_id=card.id, me=me,
                    summary=f"Adjusted {card.package_name} by {units:+d} {card.unit_type}: {reason} "
                            f"({wording.units(card, ent, balances[ent.id].remaining)} remaining)")
    return tx
