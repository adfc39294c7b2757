"""The cart's "Membership benefits available" banner, with the keys that use it.

Hidden when the customer has nothing that applies to this cart; otherwise it names every
benefit in words ("20% discount on all services", "2× Deep Tissue Massage credit"), the
packages that could cover a line, and a membership month the customer owes. It also says what
could cover a given line (:meth:`BenefitsBanner.offers`), for the cart's **r**.
"""

from __future__ import annotations

from textual.widgets import Static

from desk_tui.contract.sales import Benefits, LineRedeem, Sale, SaleLine


def discounts_to_apply(benefits: Benefits | None, sale: Sale) -> int:
    """Lines whose best membership discount is not on them yet (what "a" would still change)."""
    if benefits is None:
        return 0
    current = {x.id: x.discount_percent for x in sale.lines}
    return sum(1 for d in benefits.discounts if current.get(d.line_id, 0) != d.percent)


class BenefitsBanner(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)  # plan and package names are shown as typed
        self.benefits: Benefits | None = None
        """What the server says applies to the cart now (GET /sales/{id}/benefits)."""
        self.sale: Sale | None = None
        """The cart they were asked for: says whether the discounts are applied already."""
        self.display = False  # until the server has said what applies

    def show(self, benefits: Benefits | None, sale: Sale) -> None:
        """Attributes down from the cart: both together, so "(discounts applied)" is never stale."""
        self.benefits, self.sale = benefits, sale
        membership = list(benefits.banner) if benefits else []
        cards = sorted({offer.label for offer in benefits.cards}) if benefits else []
        due = list(benefits.payments_due) if benefits else []
        self.display = bool(membership or cards or due)
        parts = []
        if membership and benefits is not None:  # membership is empty without benefits
            pending = discounts_to_apply(benefits, self.sale) if self.sale else len(benefits.discounts)
            applied = " (discounts applied)" if benefits.discounts and not pending else ""
            keys = " · ".join(k for k, ok in (("a Apply", pending > 0), ("r Redeem", bool(benefits.credits))) if ok)
            parts.append(f"★ Membership benefits available: {' · '.join(membership)}{applied}"
                         + (f"  [{keys}]" if keys else ""))
        if cards:
            parts.append(f"▣ Packages that cover a line: {' · '.join(cards)}  [r Redeem]")
        if due:
            parts.append(f"⚠ {' · '.join(due)}  [m adds the month]")
        self.update("\n".join(parts))

    def offers(self, line: SaleLine) -> list[tuple[str, LineRedeem]]:
        """What the customer holds that could cover ``line``: (words for the choice, the redemption)."""
        if self.benefits is None:
            return []
        found = [(f"★ {c.plan_name} credit — {c.remaining} left this month",
                  LineRedeem(enrollment_id=c.enrollment_id)) for c in self.benefits.credits if c.line_id == line.id]
        found += [(f"▣ {c.label} — {c.available} more", LineRedeem(card_id=c.card_id, entitlement_id=c.entitlement_id))
                  for c in self.benefits.cards if c.line_id == line.id]
        return found
