"""Cancel a customer's membership (managers): benefits stop after the end date; nothing is deleted."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.contract.memberships import Enrollment, EnrollmentCancel
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required


class CancelMembershipScreen(FormDialog[Enrollment]):
    LAST_FIELD = "reason"

    def __init__(self, enrollment: Enrollment, customer_name: str, *, today: date) -> None:
        super().__init__()
        self.enrollment, self.customer_name, self.today = enrollment, customer_name, today

    def heading(self) -> str:
        return "Cancel a membership"

    def question(self) -> str:
        return (f"Cancel {self.customer_name}'s {self.enrollment.plan_name}? Discounts and credits stop at once, "
                f"or after the last day you give (today is {self.today.isoformat()}); credits already used stay "
                "in the history.")

    def fields(self) -> ComposeResult:
        yield Label("Ends on")
        yield Input(id="ends", max_length=10, placeholder="blank: at once; or the last day, YYYY-MM-DD")
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. moved away")

    def submit_label(self) -> str:
        return "Cancel membership"

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def build(self) -> tuple[object, Send]:
        text = self.query_one("#ends", Input).value.strip()
        try:
            ends = date.fromisoformat(text) if text else None
        except ValueError:
            raise FormProblem("Ends on: a date such as 2026-11-30.") from None
        reason = required(self.query_one("#reason", Input).value, "a reason")
        data = EnrollmentCancel(reason=reason, ends_on=ends)
        return data.model_dump(), lambda key: self.session.client.memberships.cancel_membership(self.enrollment.id, data,
                                                                                  idempotency_key=key)
