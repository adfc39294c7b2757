"""A closure (renovation, holiday): every active card in scope gets N more days at once.

Managers and owners only. The dialog asks for the days, an optional package and location
(blank: all) and the reason every card's ``extend`` entry keeps. Submitting asks the server
first (a dry run: how many cards, nothing changed) and says it in words — "This extends 37
active cards by 7 days." — with a confirmation; only then is the closure sent. The dry run
takes a fresh Idempotency-Key every time (a replayed count could be stale); the closure itself
keeps the dialog's key, so a retry after a timeout never extends the cards twice.
"""

from __future__ import annotations

from pydantic import ValidationError
from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from desk_tui.contract.cards import BulkExtendRequest, BulkExtendResult
from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.counting import plural
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.confirm import ConfirmScreen
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required


class ClosureScreen(FormDialog[BulkExtendResult]):
    LAST_FIELD = "reason"

    def __init__(self) -> None:
        super().__init__()
        self.request: BulkExtendRequest | None = None
        """What was sent last (the caller words the notification from it)."""
        self.package_names: dict[str, str] = {}
        """The catalogue, once the server has answered (retired templates too)."""

    def heading(self) -> str:
        return "Closure: extend cards"

    def question(self) -> str:
        return ("Every active card in scope gets the same extra days, one extend entry each. "
                "A blank package or location means all of them.")

    def fields(self) -> ComposeResult:
        yield Label("Days")
        yield Input(id="days", max_length=4, placeholder="e.g. 7", restrict=r"\d*")
        yield Label("Package")
        yield Select([], id="package", prompt="All packages", allow_blank=True)
        yield Label("Sold at")
        yield Select([(as_typed(name), loc_id) for name, loc_id in self.desk.location_options], id="location",
                     prompt="All locations", allow_blank=True)
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. closed for renovation")

    def submit_label(self) -> str:
        return "Preview"

    def on_mount(self) -> None:
        self.query_one("#days", Input).focus()
        self._load_packages()

    @work(exclusive=True, group="closure-packages", exit_on_error=False)
    async def _load_packages(self) -> None:
        packages = sorted(await self.session.client.cards.packages(active=None), key=lambda p: (not p.active, p.name.lower()))
        self.package_names = {p.id: p.name for p in packages}
        # Retired templates too: their cards were sold before and are extended like the rest.
        self.query_one("#package", Select).set_options(
            (as_typed(p.name if p.active else f"{p.name} (inactive)"), p.id) for p in packages)


    def _picked(self, select_id: str) -> str | None:
        select = self.query_one(f"#{select_id}", Select)
        return None if select.is_blank() else str(select.value)

    def scope(self, data: BulkExtendRequest) -> str:
        package = self.package_names.get(data.package_id, data.package_id) if data.package_id else "every package"
        names = {loc_id: name for name, loc_id in self.desk.location_options}
        where = f"sold at {names.get(data.location_id, data.location_id)}" if data.location_id else "every location"
        return f"{package}, {where}"

    def build(self) -> tuple[object, Send]:
        text = self.query_one("#days", Input).value.strip()
        if not text or not 1 <= int(text) <= 3650:
            raise FormProblem("Days: a whole number from 1 to 3650.")
        reason = required(self.query_one("#reason", Input).value, "a reason (it is kept on every card)")
        try:
            data = BulkExtendRequest(days=int(text), package_id=self._picked("package"),
                                     location_id=self._picked("location"), reason=reason)
        except ValidationError as exc:
            raise FormProblem.from_validation(exc) from None
        return data.model_dump(), lambda key: self._preview_then_extend(data, key)

    async def _preview_then_extend(self, data: BulkExtendRequest, key: str | None) -> BulkExtendResult:
        client = self.session.client
        preview = await client.cards.extend_cards(data.model_copy(update={"dry_run": True}))
        if preview.count == 0:
            raise FormProblem(f"No active card with an expiry date matches ({self.scope(data)}): nothing to extend.")
        cards = plural(preview.count, "active card")
        self.say(f"This extends {cards} by {plural(data.days, 'day')}.")
        question = (f"This extends {cards} by {plural(data.days, 'day')} ({self.scope(data)}). "
                    f"Each card's history will say why: “{data.reason}”.")
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes=f"Extend {plural(preview.count, 'card')}",
                                                             no="Back", title="Closure: extend cards")):
            raise FormProblem("Nothing was changed.")
        self.say("Extending…")
        self.request = data
        return await client.cards.extend_cards(data, idempotency_key=key)

    def outcome(self, result: BulkExtendResult) -> str:
        days = self.request.days if self.request else 0
        return f"{plural(result.count, 'card')} extended by {plural(days, 'day')}."
