"""How a card reads on screen, in words and glyphs: no Textual here, so it is cheap to test.

State is never carried by colour alone (docs/design.md §3): the status is a word, the bar is made of
distinct glyphs (● used, ◐ booked, ○ free for a handful of sessions; █ ▒ ░ for a large pool), and
the counter says it again in numbers. Colour is added by the widget, from the stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desk_tui.contract.cards import Balance, Card, ServiceBalance
from desk_tui.contract.counters import UNIT_SHORT, counter_words

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


def sort_cards(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda c: (STATUS_ORDER.get(c.status, 9), c.expires_on or date.max, c.package_name,
                                        c.number or "", c.id))


def status_word(card: Card) -> str:
    return STATUS_WORDS.get(card.status, card.status.replace("_", " ").capitalize())


def is_live(card: Card, today_: date) -> bool:
    """Can still pay for something: active and not past its expiry (the server sweeps expired
    cards at night, so an active card may be a day past it)."""
    return card.status == "active" and (card.expires_on is None or card.expires_on >= today_)


def expiry_text(card: Card, today_: date) -> str:
    """"expires 2026-12-01 (in 12 days)", "expired 2026-11-01", "no expiry" — and nothing for a
    card that is over otherwise (used up, refunded, void): its expiry no longer counts down."""
    if card.expires_on is not None and card.expires_on < today_ and card.status in ("active", "expired"):
        return f"expired {card.expires_on.isoformat()}"
    if card.status != "active":
        return ""
    if card.expires_on is None:
        return "no expiry"
    days = (card.expires_on - today_).days
    when = card.expires_on.isoformat()
    if days == 0:
        return f"expires {when} (today)"
    if days <= EXPIRY_SOON_DAYS:
        return f"expires {when} (in {days} day{'s' if days != 1 else ''})"
    return f"expires {when}"


def state_parts(card: Card, today_: date) -> tuple[str, str]:
    """The card's state, first and in words, then what qualifies it: ("Active", "expires
    2026-12-01 (in 12 days)"), ("Expired", "2026-11-01"), ("Refunded", ""). One wording for the
    profile, the Cards table and the booking panel."""
    if not is_live(card, today_) and card.status in ("active", "expired"):
        return STATUS_WORDS["expired"], card.expires_on.isoformat() if card.expires_on else ""
    return status_word(card), expiry_text(card, today_)


def expiry_cell(card: Card, today_: date) -> str:
    """The Expires column of a table: the date first ("2026-12-01 (in 12 days)", so a narrow column
    still shows the date), "no expiry", or "—" for a card that is over otherwise."""
    word, detail = state_parts(card, today_)
    if word == STATUS_WORDS["expired"]:
        return detail or "—"
    if not is_live(card, today_):
        return "—"
    if card.expires_on is None:
        return "no expiry"
    return detail.removeprefix("expires ")


def state_line(card: Card, today_: date) -> str:
    """One line for where a card has no status column (the booking panel, a history heading):
    "Expired 2026-11-01", "Refunded", "Fully used" — the state first, in words — and for a live
    card, which is the usual case, just its expiry: "expires 2026-12-01 (in 12 days)"."""
    word, detail = state_parts(card, today_)
    if is_live(card, today_):
        return detail
    return f"{word} {detail}".strip()


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


def counter_text(balance: Balance, unit_type: str, *, live: bool = True) -> str:
    """"1 used, 1 booked, 3 left" (:func:`counter_words`, the server's words too); "60 min used,
    300 min left" for a pool of units. A card that is over (``live`` false) has nothing left to
    use: "2 used, 3 unused"."""
    unit = unit_type if is_pool(balance) else None
    if not live:
        suffix = f" {unit_word(unit)}" if unit else ""
        return f"{balance.used}{suffix} used, {max(balance.remaining, 0) + balance.booked}{suffix} unused"
    return counter_words(balance.used, balance.booked, balance.remaining, unit=unit)


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
