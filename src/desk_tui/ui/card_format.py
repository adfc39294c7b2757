"""How a card reads on screen, in words and glyphs: no Textual here, so it is cheap to test.

State is never carried by colour alone (docs/design.md §3): the status is a word, the bar is made of
distinct glyphs (● used, ◐ booked, ○ free for a handful of sessions; █ ▒ ░ for a large pool), and
the counter says it again in numbers. Colour is added by the widget, from the stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desk_tui.contract.cards import Balance, Card, ServiceBalance

STATUS_WORDS = {"active": "Active", "fully_used": "Fully used", "expired": "Expired", "refunded": "Refunded",
                "void": "Void"}
#: The order cards are listed in: what can be used first, then the history of the wallet.
STATUS_ORDER = {"active": 0, "fully_used": 1, "expired": 2, "refunded": 3, "void": 4}
#: An expiry this close gets "in N days" so reception can mention it at the till.
EXPIRY_SOON_DAYS = 30

USED, BOOKED, FREE = "●", "◐", "○"
BAR_USED, BAR_BOOKED, BAR_FREE = "█", "▒", "░"
#: Up to this many units a pool is drawn one circle per unit; beyond it, a 10-cell bar.
MAX_CIRCLES = 12
BAR_CELLS = 10

UNIT_SHORT = {"minutes": "min", "sessions": "sessions", "units": "units", "hours": "h"}


def sort_cards(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda c: (STATUS_ORDER.get(c.status, 9), c.expires_on or date.max, c.package_name,
                                        c.number or "", c.id))


def status_word(card: Card) -> str:
    return STATUS_WORDS.get(card.status, card.status.replace("_", " ").capitalize())


def expiry_text(card: Card, today_: date) -> str:
    """"expires 2026-12-01 (in 12 days)", "expired 2026-11-01", "no expiry"."""
    if card.expires_on is None:
        return "no expiry"
    days = (card.expires_on - today_).days
    when = card.expires_on.isoformat()
    if days < 0:
        return f"expired {when}"
    if days == 0:
        return f"expires {when} (today)"
    if days <= EXPIRY_SOON_DAYS:
        return f"expires {when} (in {days} day{'s' if days != 1 else ''})"
    return f"expires {when}"


@dataclass(frozen=True)
class Segments:
    """The parts of a progress bar, glyphs already repeated: filled = used."""

    used: str
    booked: str
    free: str

    @property
    def text(self) -> str:
        return self.used + self.booked + self.free


def bar(balance: Balance) -> Segments:
    total = max(balance.total or balance.initial + balance.adjustments, 0)
    used, booked = max(balance.used, 0), max(balance.booked, 0)
    if total <= MAX_CIRCLES:
        free = max(total - used - booked, 0)
        return Segments(USED * min(used, total), BOOKED * min(booked, max(total - used, 0)), FREE * free)
    # Round the used part up so a single redemption always shows, and the free part down.
    cells_used = min(BAR_CELLS, -(-used * BAR_CELLS // total)) if used else 0
    cells_booked = min(BAR_CELLS - cells_used, -(-booked * BAR_CELLS // total)) if booked else 0
    return Segments(BAR_USED * cells_used, BAR_BOOKED * cells_booked, BAR_FREE * (BAR_CELLS - cells_used - cells_booked))


def unit_word(unit_type: str) -> str:
    return UNIT_SHORT.get(unit_type, unit_type)


def is_pool(balance: Balance) -> bool:
    """A pool several services draw on, or one whose units are not one per visit (minutes)."""
    return len(balance.services) > 1 or any(s.unit_cost != 1 for s in balance.services)


def counter_text(balance: Balance, unit_type: str) -> str:
    """"7/10 remaining" for sessions; "240 of 360 min left" for a pool of units."""
    booked = f", {balance.booked} booked" if balance.booked else ""
    if is_pool(balance):
        return f"{balance.remaining} of {balance.total} {unit_word(unit_type)} left{booked}"
    return f"{balance.remaining}/{balance.total} remaining{booked}"


def service_text(service: ServiceBalance, unit_type: str) -> str:
    """"Deep Tissue Massage (120 min) ×1 possible" for a service of a pool."""
    cost = f" ({service.unit_cost} {unit_word(unit_type)})" if service.unit_cost != 1 else ""
    return f"{service.service_name}{cost} ×{service.available} possible"


def pool_label(balance: Balance, unit_type: str) -> str:
    """The heading row of a pool: "360 min, any of:"."""
    return f"{balance.total} {unit_word(unit_type)}, any of:"


def initial_units_text(card: Card) -> str:
    """What the card had when it was issued, before any adjustment: "5 sessions", "3 + 2 sessions"."""
    return f"{' + '.join(str(b.initial) for b in card.balances)} {unit_word(card.unit_type)}" if card.balances else ""
