"""seeds/004's "Membership benefits available" banner, with the keys that use it.

Hidden when the customer has nothing that applies to this cart; otherwise it names every
benefit in words ("20% discount on all services", "2× Deep Tissue Massage credit") and the
packages that could cover a line.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from desk_tui.contract.sales import Benefits


class BenefitsBanner(Static):
    benefits: reactive[Benefits | None] = reactive(None, layout=True)
    """What the server says applies to the cart now (GET /sales/{id}/benefits)."""

    def watch_benefits(self, benefits: Benefits | None) -> None:
        membership = list(benefits.banner) if benefits else []
        cards = sorted({offer.label for offer in benefits.cards}) if benefits else []
        self.display = bool(membership or cards)
        parts = []
        if membership:
            keys = " · ".join(k for k, ok in (("a Apply", bool(benefits.discounts)),
                                             ("r Redeem", bool(benefits.credits))) if ok)
            parts.append(f"★ Membership benefits available: {' · '.join(membership)}" + (f"  [{keys}]" if keys else ""))
        if cards:
            parts.append(f"▣ Packages that cover a line: {' · '.join(cards)}  [r Redeem]")
        self.update("\n".join(parts))
