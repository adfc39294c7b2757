"""Keys that cannot be used here say why, instead of doing nothing or asking first and refusing after.

A screen (or any node with bindings) answers ``why_not(action, parameters)`` with a sentence —
"Only a manager or owner can undo a redemption…" — from what the client already knows (the
signed-in role, a card's status and balance), and makes ``check_action`` refuse the same action.
When such a key is pressed (or its command chosen), the app says the sentence (RefusalsApp) and
the key counts as handled: nothing is sent, nothing is confirmed first. An action refused
without a sentence still falls through silently, as Textual does: that is for keys that mean
nothing on this screen, not for keys that cannot be used yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.actions import parse
from textual.app import App
from textual.dom import DOMNode

if TYPE_CHECKING:  # the app imports this module before the first frame: no pydantic yet
    from datetime import date

    from desk_tui.contract.cards import Card

SWITCH = "Ask one to sign in here (ctrl+s)."


def why_refused(action: str, namespace: DOMNode) -> str | None:
    """The sentence ``namespace`` gives for refusing ``action`` (an action string), if any."""
    destination, name, parameters = parse(action)
    if destination:
        return None  # "app.quit" and the like: never explained
    why_not = getattr(namespace, "why_not", None)
    return why_not(name, parameters) if callable(why_not) else None


class RefusalsApp(App[int]):
    """Says the sentence of a refused key once its binding (or command) is tried."""

    async def run_action(self, action: Any, default_namespace: DOMNode | None = None,
                         namespaces: Any = None) -> bool:
        if await super().run_action(action, default_namespace, namespaces):
            return True
        if not isinstance(action, str) or default_namespace is None:
            return False
        reason = why_refused(action, default_namespace)
        if reason is None:
            return False
        self.notify(reason, title="Not here", severity="warning", timeout=6)
        return True


# -- the sentences, shared by the screens that refuse the same things -----------------------------

def role_at_least(staff_role: str | None, role: str) -> bool:
    from desk_tui.contract.reference import ROLE_RANK

    return staff_role is not None and ROLE_RANK.get(staff_role, 0) >= ROLE_RANK[role]


def for_managers(what: str) -> str:
    """"Undoing a redemption is for managers and owners. Ask one to sign in here (ctrl+s).\""""
    return f"{what} is for managers and owners. {SWITCH}"


def cannot_redeem(card: Card, service_id: str, today: date) -> str | None:
    """Why a quick redeem of ``service_id`` from ``card`` would be refused by the server, if it would."""
    lapsed = card.status == "active" and card.expires_on is not None and card.expires_on < today
    if (card.status == "expired" or lapsed) and card.expires_on is not None:
        return f"{card.package_name} expired on {card.expires_on:%d %b %Y}: nothing can be redeemed from it. " \
               "A manager can extend it (e) or refund it (f)."
    if card.status != "active":
        return f"{card.package_name} is {_state(card, today)}: nothing can be redeemed from it." + _remedy(card)
    left = next((x.available for b in card.balances for x in b.services if x.service_id == service_id), 0)
    if left <= 0:
        return f"{card.package_name} has no {_service(card, service_id)} left to redeem."
    return None


def closed_card(card: Card, doing: str, today: date) -> str | None:
    """Adjust, extend, transfer and refund: a refunded or void card is closed for good."""
    if card.status in ("refunded", "void"):
        return f"{card.package_name} is {_state(card, today)}: it is closed for good and cannot be {doing}."
    return None


def _state(card: Card, today: date) -> str:
    if card.status == "expired" and card.expires_on is not None:
        return f"expired (since {card.expires_on:%d %b %Y})"
    return {"fully_used": "fully used", "refunded": "refunded", "void": "void"}.get(card.status, card.status)


def _remedy(card: Card) -> str:
    if card.status == "expired":
        return " A manager can extend it (e) or refund it (f)."
    return ""


def _service(card: Card, service_id: str) -> str:
    return next((x.service_name for b in card.balances for x in b.services if x.service_id == service_id), "service")
