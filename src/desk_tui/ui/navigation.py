"""The screens a receptionist moves between, their keys (docs/design.md §3) and palette names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Destination:
    mode: str
    title: str
    key: str
    help: str


DESTINATIONS: tuple[Destination, ...] = (
    Destination("calendar", "Calendar", "f2", "The day's appointments, one column per staff member"),
    Destination("customers", "Customers", "f3", "Find a customer; their packages, memberships and activity"),
    Destination("checkout", "Checkout", "f4", "Take payment; redeem packages and membership credits"),
    Destination("cards", "Cards", "f5", "Every customer's package card, by client or card number"),
    Destination("packages", "Packages", "f6", "The package catalogue (managers)"),
    Destination("reports", "Reports", "f7", "Liability, expiring cards, transaction export"),
)

BY_MODE = {d.mode: d for d in DESTINATIONS}
