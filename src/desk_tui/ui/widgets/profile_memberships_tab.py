"""The profile's Memberships tab: every enrolment with the credits it has left this month, and
**x** to cancel the highlighted one, **z** to freeze it and **u** to end its freeze early
(managers; the keys are the profile screen's).

A cancellation or a freeze is posted up (:class:`Cancelled`, :class:`FreezeChanged`) so the
activity log follows; whose profile it is comes down as :attr:`customer_name` once the customer
has loaded.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static, TabPane

from desk_tui.contract.memberships import Enrollment
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.widgets.membership_list import MembershipList, current_freeze
from desk_tui.ui.worker_failures import SaysWorkerFailures


class ProfileMembershipsTab(SaysWorkerFailures, TabPane):
    class Loaded(Message):
        """The enrolments are on screen: what x may do follows."""

    class Cancelled(Message):
        """A membership was cancelled (and the list reloaded): the activity log records it."""

    class FreezeChanged(Message):
        """A membership was frozen or its freeze ended (and the list reloaded): the log records it."""

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

    def freeze_picked(self) -> None:
        from desk_tui.ui.screens.membership_freeze import FreezeMembershipScreen

        picked = self.picked
        if picked is None or self.customer_name is None:
            return
        self.app.push_screen(FreezeMembershipScreen(picked, self.customer_name, today=self.session.today()),
                             self._freeze_changed)

    def end_freeze_picked(self) -> None:
        from desk_tui.ui.screens.membership_freeze import EndFreezeScreen

        picked = self.picked
        freeze = current_freeze(picked, self.session.today()) if picked is not None else None
        if picked is None or freeze is None or self.customer_name is None:
            return
        self.app.push_screen(EndFreezeScreen(picked, freeze, self.customer_name, today=self.session.today()),
                             self._freeze_changed)

    def _freeze_changed(self, result: Enrollment | None) -> None:
        if result is None:
            return
        today = self.session.today()
        f = current_freeze(result, today)
        if f is None:
            what = "benefits are back"
        elif f.starts_on <= today:
            what = f"frozen until {f.ends_on.isoformat()}"
        else:
            what = f"frozen from {f.starts_on.isoformat()} to {f.ends_on.isoformat()}"
        paid = f"; paid through {result.paid_through.isoformat()}" if result.paid_through else ""
        self.notify(f"{result.plan_name}: {what}{paid}.", title="Memberships")
        self.load()
        self.post_message(self.FreezeChanged())
