"""The profile's Activity tab: the customer's log, one sentence per event, newest first.

Sentences and staff names come from the server and are shown as typed (ui/as_typed.py); the
time is the salon's local time.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, TabPane

from desk_tui.contract.customers import ActivityEntry
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.desk_session import Session, session_of
from desk_tui.ui.timefmt import local_datetime
from desk_tui.ui.worker_failures import SaysWorkerFailures


class ProfileActivityTab(SaysWorkerFailures, TabPane):
    def __init__(self, customer_id: str) -> None:
        super().__init__("Activity", id="tab-activity")
        self.customer_id = customer_id

    @property
    def session(self) -> Session:
        return session_of(self)

    def compose(self) -> ComposeResult:
        yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#activity", DataTable)
        table.add_column("When", key="at", width=16)
        table.add_column("What", key="summary")
        table.add_column("Staff", key="staff", width=16)

    def focus_log(self) -> None:
        self.query_one("#activity", DataTable).focus()

    @work(exclusive=True, group="profile-activity", exit_on_error=False)
    async def load(self) -> None:
        page = await self.session.client.activity(self.customer_id)
        self.show(page.items)

    def show(self, entries: list[ActivityEntry]) -> None:
        tz = self.session.org.timezone
        table = self.query_one("#activity", DataTable)
        table.clear()
        for e in entries:
            table.add_row(local_datetime(e.at, tz), as_typed(e.summary), as_typed(e.staff_name), key=e.id)
