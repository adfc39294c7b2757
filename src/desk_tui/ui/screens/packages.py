"""F6 Packages: the catalogue of templates, active and inactive (the "Packages view").

Everyone sees what can be sold; only managers and owners change it (n new, e edit, a make
active / inactive). Templates are never deleted, only made inactive, and editing one never
changes cards already sold — the confirmation says so, because that is what staff worry about.
The status is a word in its own column, never a colour alone.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk_tui.contract.money import rate_words
from desk_tui.contract.packages import Package, PackageUpdate
from desk_tui.contract.reference import Service
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.package_form import PackageFormScreen

MANAGER_ACTIONS = ("new", "edit", "toggle_active")
READ_ONLY = "Only managers and owners change the catalogue. Ask one to sign in here (ctrl+s)."


def pools_text(package: Package, names: dict[str, str]) -> tuple[str, str]:
    """Units per pool ("3 + 2") and each pool's services with unit costs, pools split by " | "."""
    units = " + ".join(str(e.units) for e in package.entitlements)
    services = " | ".join(", ".join(f"{s.service_name or names.get(s.service_id, s.service_id)} {s.unit_cost}"
                                    for s in e.services) for e in package.entitlements)
    return units, services


class PackagesScreen(DeskScreen):
    MODE = "packages"
    BINDINGS = [
        Binding("n", "new", "New package", id="packages.new"),
        Binding("e", "edit", "Edit", id="packages.edit"),
        Binding("a", "toggle_active", "Make active/inactive", id="packages.toggle_active"),
        Binding("m", "plans", "Membership plans", id="packages.plans"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._packages: dict[str, Package] = {}
        self._services: list[Service] = []
        self._select: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="packages-summary")
        yield DataTable(id="package-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="package-detail", markup=False)

    def on_mount(self) -> None:
        # Services last: the longest column, so what matters fits at 80 columns.
        self.query_one(DataTable).add_columns("Name", "Status", "Price", "Type", "Units", "Expires", "Services")

    def on_screen_resume(self) -> None:
        """Shown, back from a dialog, or someone else signed in: the list and the keys follow."""
        self.refresh_bindings()
        self._load()

    def staff_changed(self) -> None:
        self._load()  # the summary says who may change the catalogue

    def _allowed(self) -> bool:
        return self.session.at_least("manager")

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        return for_managers("Changing the package catalogue") if action in MANAGER_ACTIONS and not self._allowed() else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._allowed() if action in MANAGER_ACTIONS else True

    @work(exclusive=True, group="packages", exit_on_error=False)
    async def _load(self) -> None:
        client, org = self.session.client, self.session.org
        self._services = await client.services()
        names = {s.id: s.name for s in self._services}
        packages = await client.cards.packages(active=None)
        self._packages = {p.id: p for p in packages}
        table = self.query_one(DataTable)
        current = self._select or self._highlighted_id()
        table.clear()
        for p in packages:
            units, services = pools_text(p, names)
            table.add_row(as_typed(p.name), "Active" if p.active else "Inactive", format_money(p.price, org), as_typed(p.unit_type),
                          units, f"{p.expiry_days} days" if p.expiry_days else "never", as_typed(services), key=p.id)
        if current in self._packages:
            table.move_cursor(row=table.get_row_index(current))
        self._select = None
        for_sale = sum(p.active for p in packages)
        keys = "n new · e edit · a make active/inactive" if self._allowed() else READ_ONLY
        self.query_one("#packages-summary", Static).update(f"{len(packages)} packages, {for_sale} for sale. {keys}")

    @on(DataTable.RowHighlighted)
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        """The Services column is cut at 80 columns: the highlighted template is spelled out here."""
        package = self._packages.get(str(event.row_key.value))
        if package is None:
            return
        _, services = pools_text(package, {s.id: s.name for s in self._services})
        rate = rate_words(package.vat_rate)
        tax = f"VAT {rate} included" if package.tax_inclusive else f"plus VAT {rate}"
        about = f" · {package.description}" if package.description else ""
        # Text, not markup: a name typed as "[VIP] pack" must show as typed.
        self.query_one("#package-detail", Static).update(Text.assemble((package.name, "bold"),
                                                                      f": {services} · {tax}{about}"))

    def _highlighted_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _highlighted(self) -> Package | None:
        package = self._packages.get(self._highlighted_id() or "")
        if package is None:
            self.notify("No package is highlighted.", severity="warning")
        return package

    def action_plans(self) -> None:
        from desk_tui.ui.screens.membership_plans import MembershipPlansScreen

        self.app.push_screen(MembershipPlansScreen())

    def action_new(self) -> None:
        self.app.push_screen(PackageFormScreen(self._services), self._saved)

    def action_edit(self) -> None:
        if (package := self._highlighted()) is not None:
            self.app.push_screen(PackageFormScreen(self._services, package), self._saved)

    def _saved(self, package: Package | None) -> None:
        if package is not None:
            self._select = package.id
            self.notify(f"{package.name} saved.", title="Packages")
            self._load()

    @work(group="packages-active", exit_on_error=False)
    async def action_toggle_active(self) -> None:
        package = self._highlighted()
        if package is None:
            return
        if package.active:
            question = f"Make {package.name} inactive? No new sales; cards already sold are not affected."
            yes = "Make inactive"
        else:
            question = f"Make {package.name} active again? It can be sold from now on; cards already sold are not affected."
            yes = "Make active"
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes=yes)):
            return
        changed = await self.session.client.cards.update_package(package.id, PackageUpdate(active=not package.active))
        self.notify(f"{changed.name} is now {'active' if changed.active else 'inactive'}.", title="Packages")
        self._select = changed.id
        self._load()
