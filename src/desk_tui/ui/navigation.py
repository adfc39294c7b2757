"""The screens a receptionist moves between, their keys (docs/design.md §3) and palette names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App


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


def holds_typing(screen: object) -> bool:
    """Whether closing ``screen`` would throw away something typed. A screen may say so itself
    (a ``holds_typing`` attribute); otherwise any field with text in it counts."""
    from textual.screen import Screen
    from textual.widgets import Input, TextArea

    said = getattr(screen, "holds_typing", None)
    if said is not None:
        return bool(said)
    if not isinstance(screen, Screen):
        return False
    return any(x.value for x in screen.query(Input)) or any(x.text for x in screen.query(TextArea))


def close_to_root(app: App[Any]) -> None:
    """F2…F7 show the screen they name — the grid, not the appointment last opened over it — so the
    keys of that screen never land on another: what was opened over it (the mode's stack, top first)
    is closed as Escape would, with no answer. A screen holding something typed stays, with what is
    under it: nothing typed is lost, and Escape gets back from there."""
    while len(app.screen_stack) > 1 and not holds_typing(app.screen):
        app.screen.dismiss(None)
