"""A customer's profile: contact details, store credit, and tabs for packages and activity."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from desk_tui.contract.customers import ActivityEntry, Customer
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.timefmt import local_datetime


class CustomerProfileScreen(DeskScreen):
    MODE = "customers"
    BINDINGS = [
        Binding("escape", "back", "Back", id="profile.back"),
        Binding("r", "reload", "Refresh", id="profile.reload"),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="profile-summary")
        with TabbedContent(id="profile-tabs"):
            with TabPane("Packages", id="tab-packages"):
                yield Static("Packages and cards arrive with the cards issue: progress, quick redeem, history.",
                             classes="plan")
            with TabPane("Activity", id="tab-activity"):
                yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#activity", DataTable)
        table.add_column("When", key="at", width=16)
        table.add_column("What", key="summary")
        table.add_column("Staff", key="staff", width=16)
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(exclusive=True, group="profile", exit_on_error=False)
    async def _load(self) -> None:
        client = self.desk.client
        customer = await client.customer(self.customer_id)
        self.show_customer(customer)
        page = await client.activity(self.customer_id)
        self.show_activity(page.items)

    def show_customer(self, c: Customer) -> None:
        self.title = c.name
        contact = " · ".join(x for x in (c.phone, c.email) if x) or "no contact details"
        credit = format_money(c.store_credit, self.desk.org_settings)
        self.query_one("#profile-summary", Static).update(f"[b]{c.name}[/b]  {contact}\nStore credit: {credit}")

    def show_activity(self, entries: list[ActivityEntry]) -> None:
        table = self.query_one("#activity", DataTable)
        table.clear()
        tz = self.desk.org_settings.timezone if self.desk.org_settings else "UTC"
        for e in entries:
            table.add_row(local_datetime(e.at, tz), e.summary, e.staff_name or "—", key=e.id)

    def action_back(self) -> None:
        self.app.pop_screen()
