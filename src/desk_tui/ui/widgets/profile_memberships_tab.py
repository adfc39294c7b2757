"""The profile's Memberships tab: every enrolment with the credits it has left this month, and
**x** to cancel the highlighted one (managers; the key is the profile screen's).

A cancellation is posted up (:class:`Cancelled`) so the activity log follows; whose profile it
is comes down as :attr:`customer_name` once the customer has loaded.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static, TabPane

from desk_tui.contract.memberships import Enrollment
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.widgets.membership_list import MembershipList
from desk_tui.ui.worker_failures import SaysWorkerFailures


class ProfileMembershipsTab(SaysWorkerFailures, TabPane):
    class Loaded(Message):
        """The enrolments are on screen: what x may do follows."""

    class Cancelled(Message):
        """A membership was cancelled (and the list reloaded): the activity log records it."""

    def __init__(self, customer_id: str) -> None:
        super().__init__("Memberships", id="tab-memberships")
        self.customer_id = customer_id
        self.customer_name: str | None = None
        """Set by the profile once the customer has loaded."""
        self.enrollments: dict[str, Enrollment] = {}

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        yield MembershipList(id="memberships")
        yield Static("", id="memberships-hint", classes="hint", markup=False)

    @work(exclusive=True, group="profile-memberships", exit_on_error=False)
    async def load(self) -> None:
        enrollments = await self.session.client.memberships.of_customer(self.customer_id)
        self.enrollments = {e.id: e for e in enrollments}
        self.query_one(MembershipList).show_memberships(enrollments, self.session.org, today=self.session.today())
        name = self.customer_name or "the customer"
        self.query_one("#memberships-hint", Static).update(
            "" if enrollments else f"No memberships. Press m to enrol {name} in a plan.")
        self.post_message(self.Loaded())

    @property
    def picked(self) -> Enrollment | None:
        enrollment_id = self.query_one(MembershipList).enrollment_id
        return self.enrollments.get(enrollment_id) if enrollment_id else None

    def cancel_picked(self) -> None:
        from desk_tui.ui.screens.membership_cancel import CancelMembershipScreen

        picked = self.picked
        if picked is None or self.customer_name is None:
            return

        def cancelled(result: Enrollment | None) -> None:
            if result is not None:
                self.notify(f"{result.plan_name} cancelled.", title="Memberships")
                self.load()
                self.post_message(self.Cancelled())

        self.app.push_screen(CancelMembershipScreen(picked, self.customer_name, today=self.session.today()), cancelled)
