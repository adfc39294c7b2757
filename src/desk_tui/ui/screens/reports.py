"""F7 Reports (managers and owners): what the salon still owes in sessions and money, which
cards run out soon with units left (for reminder calls), which members owe a month of their
membership (taken at the till: m on their profile), the sales of today, this month or last month
with net, VAT and gross per VAT rate (d changes the period; l switches the owner between every
location and this one, a manager sees this location's), and the card-transaction export (x: for
a range of days, everything by default).

Reception sees a sentence instead of figures; the server refuses them with 403 anyway.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from desk_tui.contract.money import rate_words
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.counting import plural, units_text
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen

WINDOWS = (7, 30, 90)
PERIODS = ("Today", "This month", "Last month")
#: the actions that show or fetch a manager's figures
MANAGERS = ("window", "period", "export", "reload", "locations")


def period_days(period: str, today: date) -> tuple[date, date]:
    """The first and last business day of the sales report's period."""
    first = today.replace(day=1)
    if period == "This month":
        return first, today
    if period == "Last month":
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    return today, today


class ReportsScreen(DeskScreen):
    MODE = "reports"
    BINDINGS = [
        Binding("w", "window", "Expiry window", id="reports.window"),
        Binding("d", "period", "Sales period", id="reports.period"),
        # not in the footer, which has room for four keys at 80 columns (x Export would go behind
        # F1): the Sales & VAT line names it to the owner, the one who may use it
        Binding("l", "locations", "Locations", id="reports.locations", show=False),
        Binding("x", "export", "Export CSV", id="reports.export"),
        Binding("r", "reload", "Refresh", id="reports.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._window = 30
        self._period = PERIODS[0]
        self._every_location = True
        """The owner's sales figures: every location's, or this one's (l); a manager's are their location's."""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="reports-summary")
        with TabbedContent(id="reports-tabs"):
            with TabPane("Liability", id="tab-liability"):
                yield DataTable(id="liability", cursor_type="row", zebra_stripes=True)
            with TabPane("Expiring soon", id="tab-expiring"):
                yield DataTable(id="expiring", cursor_type="row", zebra_stripes=True)
            with TabPane("Membership payments", id="tab-dues"):
                yield DataTable(id="dues", cursor_type="row", zebra_stripes=True)
            with TabPane("Sales & VAT", id="tab-sales"):
                yield Static("", id="sales-period")
                yield DataTable(id="sales-vat", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#liability", DataTable).add_columns("Package", "Cards", "Units owed", "Value owed")
        self.query_one("#expiring", DataTable).add_columns("Expires", "Days", "Customer", "Phone", "Package",
                                                           "Card", "Left")
        self.query_one("#dues", DataTable).add_columns("Due since", "Months", "Customer", "Phone", "Membership",
                                                       "Per month")
        self.query_one("#sales-vat", DataTable).add_columns("VAT rate", "Net", "VAT", "Gross")
        self.action_reload()

    def _allowed(self) -> bool:
        return self.session.at_least("manager")

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action in MANAGERS and not self._allowed():
            return for_managers("Seeing the reports")
        if action == "locations" and not self.session.at_least("owner"):
            return (f"Every location's sales are for the owner; a manager sees {self.session.location.name}'s, "
                    "where they are signed in.")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.why_not(action, parameters) is None

    def staff_changed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        if not self._allowed():
            self.workers.cancel_group(self, "reports")
            for table in self.query(DataTable):
                table.clear()  # a manager's figures are not left on screen for reception
            self.query_one("#reports-summary", Static).update(
                "Reports are for managers and owners. Ask one to sign in here (ctrl+s).")
            return
        self._load()

    @work(exclusive=True, group="reports", exit_on_error=False)
    async def _load(self) -> None:
        client, org = self.session.client, self.session.org
        liability = await client.reports.liability()
        table = self.query_one("#liability", DataTable)
        table.clear()
        for line in liability.items:
            table.add_row(as_typed(line.package_name), str(line.cards), units_text(line.units_outstanding, line.unit_type),
                          format_money(line.value_outstanding, org))
        expiring = await client.reports.expiring(within_days=self._window)
        table = self.query_one("#expiring", DataTable)
        table.clear()
        for card in expiring.items:
            table.add_row(card.expires_on.isoformat(), str(card.days_left), as_typed(card.customer_name), as_typed(card.phone),
                          as_typed(card.package_name), as_typed(card.number or "—"), units_text(card.remaining, card.unit_type))
        dues = await client.reports.memberships_due()
        table = self.query_one("#dues", DataTable)
        table.clear()
        for due in dues.items:
            table.add_row(due.due_since.isoformat(), str(due.months_due), as_typed(due.customer_name),
                          as_typed(due.phone), as_typed(due.plan_name), format_money(due.price, org))
        await self._load_sales()
        owed = f" · {plural(len(dues.items), 'membership payment')} due" if dues.items else ""
        self.query_one("#reports-summary", Static).update(
            f"Owed to customers: [b]{format_money(liability.total_value, org)}[/b] · "
            f"{plural(len(expiring.items), 'card')} with units left "
            f"{'expires' if len(expiring.items) == 1 else 'expire'} within {self._window} days (w changes){owed}")

    async def _load_sales(self) -> None:
        org = self.session.org
        start, end = period_days(self._period, self.session.today())
        # the server answers a manager with their own location's, named or not
        everywhere = self._every_location and self.session.at_least("owner")
        location_id = None if everywhere else self.session.location.id
        report = await self.session.client.reports.sales_vat(start=start, end=end, location_id=location_id)
        table = self.query_one("#sales-vat", DataTable)
        table.clear()
        for row in report.rates:
            table.add_row(rate_words(row.rate), format_money(row.net, org), format_money(row.vat, org),
                          format_money(row.gross, org))
        if report.rates:
            table.add_row("Total", format_money(report.net, org), format_money(report.vat, org),
                          format_money(report.gross, org))
        days = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
        where = "every location" if report.location_id is None else report.location_name or "this location"
        keys = "d the period, l the locations" if self.session.at_least("owner") else "d changes the period"
        self.query_one("#sales-period", Static).update(as_typed(
            f"{self._period}: {days} · {plural(report.sales, 'completed sale')} at {where} ({keys})"))

    def action_period(self) -> None:
        self._period = PERIODS[(PERIODS.index(self._period) + 1) % len(PERIODS)]
        self._load()

    def action_locations(self) -> None:
        self._every_location = not self._every_location
        self._load()

    def action_window(self) -> None:
        self._window = WINDOWS[(WINDOWS.index(self._window) + 1) % len(WINDOWS)]
        self._load()

    def action_export(self) -> None:
        """Asks for the range of days first (default: everything); pushed at once, so what is typed
        right after x lands in it."""
        from desk_tui.ui.screens.export_dialog import Exported, ExportScreen

        # the salon's day once the reports have loaded (they fetch the settings); else the UTC day
        today = self.session.today()

        def done(result: Exported | None) -> None:
            if result is not None:
                self.notify(result.sentence(), title="Exported", timeout=12)

        self.app.push_screen(ExportScreen(today=today, folder=self.desk.paths.data_dir / "exports"), done)
