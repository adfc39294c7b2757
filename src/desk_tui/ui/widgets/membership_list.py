"""The Memberships tab's body: one row per enrolment with its discounts and this month's credits.

Credits read like the package circles (● used, ◐ on hold for an open sale, ○ left) and in words
("1 of 2 left this month"), so they survive 16 colours and NO_COLOR.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.widgets import DataTable

from desk_tui.contract.memberships import Credit, Enrollment
from desk_tui.contract.reference import Settings
from desk_tui.ui.circles import BOOKED, FREE, MAX_CIRCLES, USED
from desk_tui.ui.money import format_money

STATUS_WORD = {"active": "● active", "scheduled": "◷ starts later", "ended": "○ ended", "cancelled": "✗ cancelled"}


class MembershipList(DataTable[Text], inherit_bindings=True):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        # Fixed widths: sized by content, the columns of a list filled while its tab was hidden
        # came out differently from one run to the next.
        self.add_column("Membership", key="plan", width=24)
        self.add_column("Benefits this month", key="benefits", width=50)

    def show_memberships(self, enrollments: list[Enrollment], settings: Settings | None, *, today: date) -> None:
        keep = self.enrollment_id
        self.clear()
        for e in enrollments:
            plan = Text.assemble((e.plan_name, "bold"), "\n", STATUS_WORD.get(e.status, e.status),
                                 f"\nsince {e.starts_on.isoformat()}",
                                 f"\nuntil {e.ends_on.isoformat()}" if e.ends_on else "",
                                 f"\n{format_money(e.price, settings)}/month" if e.price else "",
                                 payment_words(e, today))
            self.add_row(plan, benefits_text(e), key=e.id, height=None)
        if keep is not None and any(e.id == keep for e in enrollments):
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @property
    def enrollment_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


def payment_words(e: Enrollment, today: date) -> str:
    """"paid through 2026-12-22", or "⚠ payment due since 2026-12-23" once that day has passed
    (m on the profile, or in a cart, takes the next month)."""
    if e.paid_through is None or e.status in ("ended", "cancelled"):
        return ""
    if e.paid_through < today:
        return f"\n⚠ payment due since {(e.paid_through + timedelta(days=1)).isoformat()}"
    return f"\npaid through {e.paid_through.isoformat()}"


def benefits_text(e: Enrollment) -> Text:
    text = Text()
    for d in e.discounts:
        text.append(f"{d.label or f'{d.percent}% discount'}\n")
    if e.credits:
        text.append(f"Credits for {e.period}:\n", style="bold")
    for c in e.credits:
        text.append(f"{c.service_name} ")
        text.append_text(credit_circles(c))
        text.append(f" {credit_words(c)}\n")
    if not text:
        text.append("No benefits")
    text.rstrip()
    return text


def credit_circles(c: Credit) -> Text:
    text = Text()
    if c.per_period > MAX_CIRCLES:
        return text
    text.append(USED * c.used, style="red")
    text.append(BOOKED * c.on_hold, style="dark_orange")
    text.append(FREE * max(c.remaining, 0), style="green")
    return text


def credit_words(c: Credit) -> str:
    hold = f", {c.on_hold} on hold" if c.on_hold else ""
    return f"{c.remaining} of {c.per_period} left this month{hold}"
