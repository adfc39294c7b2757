"""The Memberships tab's body: one row per enrolment with its discounts and this month's credits.

Credits read like the package circles (● used, ◐ on hold for an open sale, ○ left) and in words
("1 of 2 left this month", "2 of 3 left this month (1 carried from Oct)"), so they survive 16
colours and NO_COLOR. A freeze, a payment due and benefits suspended for want of it are said
under the plan's name.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.widgets import DataTable

from desk_tui.contract.memberships import Credit, Enrollment, Freeze
from desk_tui.contract.reference import Settings
from desk_tui.ui.circles import BOOKED, FREE, MAX_CIRCLES, USED
from desk_tui.ui.money import format_money

STATUS_WORD = {"active": "● active", "scheduled": "◷ starts later", "ended": "○ ended", "cancelled": "✗ cancelled",
               "frozen": "‖ frozen"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


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
                                 freeze_words(e, today), payment_words(e, today))
            self.add_row(plan, benefits_text(e, today), key=e.id, height=None)
        if keep is not None and any(e.id == keep for e in enrollments):
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    @property
    def enrollment_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value


def current_freeze(e: Enrollment, today: date) -> Freeze | None:
    """The freeze on now, or else the next one planned: what u ends early."""
    live = [f for f in e.freezes if f.ends_on >= f.starts_on and f.ends_on >= today]
    return min(live, key=lambda f: f.starts_on, default=None)


def cannot_freeze(e: Enrollment, today: date, *, ending: bool) -> str | None:
    """Why z (freeze) or u (end the freeze) would be refused for this enrolment, if it would."""
    if e.status in ("ended", "cancelled") or e.cancelled_at is not None:
        return f"This {e.plan_name} is {'cancelled' if e.cancelled_at else e.status}: there is nothing to freeze."
    if ending and current_freeze(e, today) is None:
        return f"This {e.plan_name} has no freeze to end: z freezes it."
    return None


def freeze_words(e: Enrollment, today: date) -> str:
    """"frozen until 2026-03-20", or "freeze 2026-04-01 to 2026-04-10" when one is planned."""
    f = current_freeze(e, today)
    if f is None or e.status in ("ended", "cancelled"):
        return ""
    if f.starts_on <= today:
        return f"\nfrozen until {f.ends_on.isoformat()}"
    return f"\nfreeze {f.starts_on.isoformat()} to {f.ends_on.isoformat()}"


def payment_words(e: Enrollment, today: date) -> str:
    """"paid through 2026-12-22", or "⚠ payment due since 2026-12-23" once that day has passed
    (m on the profile, or in a cart, takes the next month), and "✗ benefits suspended" once the
    organisation's grace is over."""
    if e.paid_through is None or e.status in ("ended", "cancelled"):
        return ""
    if e.paid_through < today:
        due = f"\n⚠ payment due since {(e.paid_through + timedelta(days=1)).isoformat()}"
        if e.suspended_from is not None:
            due += f"\n✗ benefits suspended from {e.suspended_from.isoformat()}"
        return due
    return f"\npaid through {e.paid_through.isoformat()}"


def benefits_off(e: Enrollment, today: date) -> str | None:
    """Why none of the benefits below apply today, in words; None while they do."""
    f = current_freeze(e, today)
    if f is not None and f.starts_on <= today:
        return f"Off while frozen, until {f.ends_on.isoformat()}:"
    if e.suspended_from is not None and e.suspended_from <= today:
        return "Off until the month due is paid:"
    return None


def benefits_text(e: Enrollment, today: date) -> Text:
    """The plan's discounts and this month's credits; under a freeze or a suspension they are
    listed greyed, after the reason, so reception never reads them as usable today."""
    text = Text()
    off = benefits_off(e, today)
    if off is not None:
        text.append(f"{off}\n", style="bold")
    for d in e.discounts:
        text.append(f"{d.label or f'{d.percent}% discount'}\n")
    if e.credits:
        text.append(f"Credits for {e.period}:\n", style="bold")
    for c in e.credits:
        text.append(f"{c.service_name} ")
        text.append_text(credit_circles(c))
        text.append(f" {credit_words(c, e.period)}\n")
    if not text:
        text.append("No benefits")
    text.rstrip()
    if off is not None:
        text.stylize("dim", len(off) + 1)
    return text


def credit_circles(c: Credit) -> Text:
    text = Text()
    if allowance(c) > MAX_CIRCLES:
        return text
    text.append(USED * c.used, style="red")
    text.append(BOOKED * c.on_hold, style="dark_orange")
    text.append(FREE * max(c.remaining, 0), style="green")
    return text


def allowance(c: Credit) -> int:
    """What the month offers (a server without rollover sends no allowance: its own credits)."""
    return c.allowance or c.per_period


def month_name(period: str, current: str) -> str:
    """"Oct" for 2026-10 seen in 2026, "Dec 2025" seen in 2026."""
    name = MONTHS[int(period[5:]) - 1]
    return name if period[:4] == current[:4] else f"{name} {period[:4]}"


def credit_words(c: Credit, period: str = "") -> str:
    hold = f", {c.on_hold} on hold" if c.on_hold else ""
    carried = (f" ({c.carried} carried from {month_name(c.carried_from, period or c.carried_from)})"
               if c.carried and c.carried_from else "")
    return f"{c.remaining} of {allowance(c)} left this month{hold}{carried}"
