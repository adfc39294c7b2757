"""The plain-English sentences of the activity log ("Redeemed Manicure from 5x Manicure (3 of 5 used)")."""

from __future__ import annotations

from desk_tui.server.cards.ledger import Pool
from desk_tui.server.cards.models import Card, CardEntitlement


def counts_sessions(ent: CardEntitlement) -> bool:
    """A pool where every service costs one unit reads as a count ("3 of 5"), not as "180 of 360 minutes"."""
    return all(link.unit_cost == 1 for link in ent.services)


def units(card: Card, ent: CardEntitlement | None, n: int) -> str:
    if ent is not None and counts_sessions(ent):
        return str(n)
    return f"{n} {card.unit_type}"


def progress(card: Card, ent: CardEntitlement, pool: Pool) -> str:
    of = f"{pool.used} of {units(card, ent, pool.total)} used"
    if pool.booked:
        of += f", {pool.booked} booked"
    return f"({of})"


def service_label(name: str, quantity: int) -> str:
    return name if quantity == 1 else f"{quantity}× {name}"
