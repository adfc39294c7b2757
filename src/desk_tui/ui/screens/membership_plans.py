"""Membership plans (F6, then m): what a member gets each month, and who may change it.

Everyone sees the plans; managers and owners add (n), edit (e) and stop new enrolments (a).
Plans are never deleted: a retired plan keeps its members and their benefits.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk_tui.contract.memberships import Plan, PlanUpdate
from desk_tui.contract.reference import Service
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.money import format_money
from desk_tui.ui.refusals import for_managers
from desk_tui.ui.screens.base import DeskScreen
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.plan_form import PlanFormScreen

MANAGER_ACTIONS = ("new", "edit", "toggle_active")


def benefits_line(plan: Plan) -> str:
    n = plan.rollover_months
    carry = [f"unused credits carry over {n} month{'' if n == 1 else 's'}"] if n and plan.credits else []
    return " · ".join([d.label or f"{d.percent}%" for d in plan.discounts]
                      + [f"{c.per_period}× {c.service_name} credit" for c in plan.credits] + carry)


class MembershipPlansScreen(DeskScreen):
    MODE = "packages"
    BINDINGS = [
        Binding("escape", "back", "Back", id="plans.back"),
        Binding("n", "new", "New plan", id="plans.new"),
        Binding("e", "edit", "Edit", id="plans.edit"),
        Binding("a", "toggle_active", "For sale / retire", id="plans.toggle_active"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plans: dict[str, Plan] = {}
        self.services: list[Service] = []

    def compose_body(self) -> ComposeResult:
        yield Static("", id="plans-summary")
        yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plan-detail", markup=False)

    def on_mount(self) -> None:
        self.title = "Membership plans"
        self.query_one(DataTable).add_columns("Plan", "Status", "Per month", "Members", "Benefits")
        self.load()

    def staff_changed(self) -> None:
        self.load()  # the summary says who may change plans

    def _allowed(self) -> bool:
        return self.session.at_least("manager")

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        return for_managers("Changing membership plans") if action in MANAGER_ACTIONS and not self._allowed() else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._allowed() if action in MANAGER_ACTIONS else True

    @work(exclusive=True, group="plans", exit_on_error=False)
    async def load(self, select: str | None = None) -> None:
        client, org = self.session.client, self.session.org
        self.services = await client.services()
        plans = await client.memberships.membership_plans()
        self.plans = {p.id: p for p in plans}
        table = self.query_one(DataTable)
        keep = select or self._highlighted_id()
        table.clear()
        for p in plans:
            table.add_row(as_typed(p.name), "For sale" if p.active else "Retired", format_money(p.price, org), str(p.members),
                          as_typed(benefits_line(p)), key=p.id)
        if keep in self.plans:
            table.move_cursor(row=table.get_row_index(keep))
        keys = "n new · e edit · a for sale / retire" if self._allowed() else \
            "Only managers and owners change plans."
        self.query_one("#plans-summary", Static).update(f"{len(plans)} plans. {keys}")

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        plan = self.plans.get(str(event.row_key.value))
        if plan is not None:
            about = f" · {plan.description}" if plan.description else ""
            self.query_one("#plan-detail", Static).update(Text.assemble((plan.name, "bold"),
                                                                        f": {benefits_line(plan)}{about}"))

    def _highlighted_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _saved(self, plan: Plan | None) -> None:
        if plan is not None:
            self.notify(f"{plan.name} saved.", title="Membership plans")
            self.load(select=plan.id)

    def action_new(self) -> None:
        self.app.push_screen(PlanFormScreen(self.services), self._saved)

    def action_edit(self) -> None:
        if (plan := self.plans.get(self._highlighted_id() or "")) is not None:
            self.app.push_screen(PlanFormScreen(self.services, plan), self._saved)

    @work(group="plans-active", exit_on_error=False)
    async def action_toggle_active(self) -> None:
        plan = self.plans.get(self._highlighted_id() or "")
        if plan is None:
            return
        if plan.active:
            question = f"Retire {plan.name}? No new members; its {plan.members} member(s) keep their benefits."
        else:
            question = f"Put {plan.name} on sale again? New members can join from now on."
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Retire" if plan.active else "For sale")):
            return
        changed = await self.session.client.memberships.update_plan(plan.id, PlanUpdate(active=not plan.active))
        self.notify(f"{changed.name} is {'for sale' if changed.active else 'retired'}.", title="Membership plans")
        self.load(select=changed.id)

    def action_back(self) -> None:
        self.app.pop_screen()
