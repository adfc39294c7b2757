"""The checks every use of a card shares (quick redeem at the till and booking from a package).

Each raises the stable code (docs/api.md) a receptionist's client turns into a sentence. They run
after the card is locked, so what they check is still true when the entry is appended.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.cards.ledger import CLOSED, FULLY_USED, Pool, is_expired
from desk_tui.server.cards.models import Card, CardEntitlement
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import get_customer, index_customer
from desk_tui.server.driver_statements import DriverStatement
from desk_tui.server.errors import DomainError
from desk_tui.server.reference.models import Location, Service, ServiceLocation
from desk_tui.server.reference.names import names_of, remember


def check_usable(card: Card, today: date) -> None:
    if card.status in CLOSED:
        raise DomainError(ProblemCode.CARD_NOT_ACTIVE, f"{card.package_name} was {card.status}; it cannot be used any more.")
    if is_expired(card, today):
        assert card.expires_on is not None  # is_expired only with an expiry
        raise DomainError(ProblemCode.CARD_EXPIRED, f"{card.package_name} expired on {card.expires_on.isoformat()}. "
                                          "A manager can extend it or refund what is left.")


def named_customer(s: Session, customer_id: str, *, field: str = "customer_id") -> Customer:
    """The customer a request names in ``field`` (a new owner, a family member, who is served):
    one that does not exist is that input's fault (422), not a missing resource."""
    try:
        return get_customer(s, customer_id)
    except DomainError:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"{field}: no such customer.") from None


def service_name(s: Session, service_id: str) -> str:
    return names_of(s, Service, [service_id]).get(service_id, service_id)


def service_here(s: Session, service_id: str, location_id: str) -> tuple[str, bool]:
    """The service's name and whether ``location_id`` offers it, in one statement (a redemption
    needs both, and the entry's view names the service again: it is remembered for it)."""
    row = _SERVICE_HERE.first(s, {"service_id": service_id, "location_id": location_id})
    if row is None:
        return service_id, False
    remember(s, Service, service_id, row[0])
    return row[0], bool(row[1])


_SERVICE, _OFFERED = Service.__table__.c, ServiceLocation.__table__.c
#: built once, of the tables' columns, on the driver's cursor (every redemption asks)
_SERVICE_HERE = DriverStatement(
    select(_SERVICE.name, select(_OFFERED.location_id).where(_OFFERED.service_id == _SERVICE.id,
                                                            _OFFERED.location_id == bindparam("location_id")).exists())
    .where(_SERVICE.id == bindparam("service_id")))


def pools_with(card: Card, service_id: str, entitlement_id: str | None, name: str) -> list[tuple[CardEntitlement, int]]:
    """The card's pools that include the service, with its unit cost in each."""
    options = [(ent, link.unit_cost) for ent in card.entitlements for link in ent.services
               if link.service_id == service_id and (entitlement_id is None or ent.id == entitlement_id)]
    if not options:
        where = " in that pool" if entitlement_id and any(e.id == entitlement_id for e in card.entitlements) else ""
        raise DomainError(ProblemCode.SERVICE_NOT_IN_PACKAGE, f"{name} is not part of {card.package_name}{where}.")
    return options


def check_offered(s: Session, service_id: str, location_id: str, name: str, *, offered: bool | None = None) -> None:
    """``offered``: what :func:`service_here` found, when the caller asked it already."""
    if offered is None:
        offered = s.scalar(select(ServiceLocation.location_id).where(
            ServiceLocation.service_id == service_id, ServiceLocation.location_id == location_id)) is not None
    if not offered:
        here = names_of(s, Location, [location_id]).get(location_id, location_id)
        raise DomainError(ProblemCode.SERVICE_NOT_OFFERED_HERE, f"{name} is not offered at {here}; the card works at every "
                                                      "location that offers it.")


def choose_pool(card: Card, options: list[tuple[CardEntitlement, int]], balances: dict[str, Pool],
                quantity: int, name: str) -> tuple[CardEntitlement, int]:
    """The first pool (in the package's order) that can pay for ``quantity``; returns it and the units."""
    for ent, cost in options:
        if balances[ent.id].remaining >= cost * quantity:
            return ent, cost * quantity
    if card.status == FULLY_USED:
        raise DomainError(ProblemCode.INSUFFICIENT_UNITS, f"{card.package_name} is fully used: nothing left to redeem.")
    ent, cost = options[0]
    left = balances[ent.id].remaining
    raise DomainError(ProblemCode.INSUFFICIENT_UNITS,
                      f"Not enough left on {card.package_name}: {name} needs {cost * quantity} {card.unit_type}, "
                      f"{max(left, 0)} left.")


def reindex_owner(s: Session, customer_id: str) -> None:
    """A customer is findable by the numbers of the cards they hold now (and no longer by old ones)."""
    customer = get_customer(s, customer_id)
    numbers = {n for n in s.scalars(select(Card.number).where(Card.customer_id == customer_id, Card.number.is_not(None)))
               if n is not None}
    index_customer(s, customer, extra_terms=numbers)
