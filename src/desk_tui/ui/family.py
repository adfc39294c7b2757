"""Family cards in the app's words: whose card a customer is using, and who else may use it.

A card belongs to its owner (``customer_id``); the owner may list family members (``members``)
who use it too (server/cards/family.py). Screens that show a customer's packages show the cards
shared with them beside their own, marked "shared by <owner>", and the owner's cards name their
family.
"""

from __future__ import annotations

from desk_tui.contract.cards import Card


def may_use(card: Card, customer_id: str) -> bool:
    """The card is the customer's own, or its owner lists them as a family member."""
    return card.customer_id == customer_id or any(m.customer_id == customer_id for m in card.members)


def shared_by(card: Card, customer_id: str | None) -> str | None:
    """The owner's name when ``customer_id`` uses someone else's card, else None."""
    if customer_id is None or card.customer_id == customer_id:
        return None
    return card.customer_name or "another customer"


def family_line(card: Card, customer_id: str | None) -> str:
    """"Shared by Flóra Simon" on a family member's screen; "Family (w): Anna Simon, Bence Simon"
    on the owner's when the card is shared (w is the profile's key to change it); empty otherwise."""
    owner = shared_by(card, customer_id)
    if owner is not None:
        return f"Shared by {owner}"
    if card.members:
        return "Family (w): " + ", ".join(m.name for m in card.members)
    return ""


def owner_only(card: Card, customer_name: str, what: str) -> str:
    """Why a card key is not a family member's: ``what`` is the act ("Refunding it")."""
    owner = card.customer_name or "its owner"
    return (f"{card.package_name} is {owner}'s: {customer_name} may use it as a family member, but {what[0].lower()}"
            f"{what[1:]} is for {owner} — open {owner}'s profile.")
