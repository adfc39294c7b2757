"""Freeze a customer's membership (managers), and end a freeze early.

A freeze stops the benefits from one day to another with a reason: no discounts or credits and no
month falling due meanwhile, and the paid-through date moves on by the frozen days. Ending one
early brings the benefits back today; a freeze not yet begun is called off.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.contract.memberships import Enrollment, Freeze, FreezeCreate
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required


def _day(text: str, field: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise FormProblem(f"{field}: a date such as 2026-11-30.") from None


class FreezeMembershipScreen(FormDialog[Enrollment]):
    LAST_FIELD = "reason"

    def __init__(self, enrollment: Enrollment, customer_name: str, *, today: date) -> None:
        super().__init__()
        self.enrollment, self.customer_name, self.today = enrollment, customer_name, today

    def heading(self) -> str:
        return "Freeze a membership"

    def question(self) -> str:
        return (f"Freeze {self.customer_name}'s {self.enrollment.plan_name}? No discounts or credits and no "
                "payment falls due while frozen; the paid-through date moves on by the frozen days.")

    def fields(self) -> ComposeResult:
        yield Label("From")
        yield Input(self.today.isoformat(), id="starts", max_length=10, placeholder="first frozen day, YYYY-MM-DD")
        yield Label("Until")
        yield Input(id="ends", max_length=10, placeholder="last frozen day, YYYY-MM-DD")
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. broken leg")

    def submit_label(self) -> str:
        return "Freeze"

    def on_mount(self) -> None:
        self.query_one("#ends", Input).focus()

    def build(self) -> tuple[object, Send]:
        starts = _day(self.query_one("#starts", Input).value, "From")
        ends = _day(self.query_one("#ends", Input).value, "Until")
        if ends is None:
            raise FormProblem("Until: the last frozen day, such as 2026-11-30.")
        reason = required(self.query_one("#reason", Input).value, "a reason")
        data = FreezeCreate(starts_on=starts, ends_on=ends, reason=reason)
        return data.model_dump(), lambda key: self.session.client.memberships.freeze_membership(self.enrollment.id, data,
                                                                                  idempotency_key=key)


class EndFreezeScreen(FormDialog[Enrollment]):
    """Its own confirmation: says what ending the freeze does, then sends it."""

    LAST_FIELD = ""

    def __init__(self, enrollment: Enrollment, freeze: Freeze, customer_name: str, *, today: date) -> None:
        super().__init__()
        self.enrollment, self.freeze, self.customer_name, self.today = enrollment, freeze, customer_name, today

    def heading(self) -> str:
        return "End a freeze early"

    def question(self) -> str:
        f = self.freeze
        if f.starts_on > self.today:
            return (f"Call off the freeze of {self.customer_name}'s {self.enrollment.plan_name} planned from "
                    f"{f.starts_on.isoformat()} to {f.ends_on.isoformat()}?")
        return (f"End the freeze of {self.customer_name}'s {self.enrollment.plan_name} (until "
                f"{f.ends_on.isoformat()}) today? Benefits are back from today, and the paid-through date moves "
                "back by the days no longer frozen.")

    def submit_label(self) -> str:
        return "End freeze"

    def on_mount(self) -> None:
        self.query_one("#submit").focus()

    def build(self) -> tuple[object, Send]:
        enrollment_id, freeze_id = self.enrollment.id, self.freeze.id
        return {"freeze": freeze_id}, lambda key: self.session.client.memberships.end_freeze(enrollment_id, freeze_id,
                                                                             idempotency_key=key)
