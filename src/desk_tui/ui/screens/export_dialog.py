"""x on Reports: export card transactions for a chosen range of days; blank is no bound, so the
default is everything the salon has ever recorded (the seed's "export all card transactions")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Label

from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.screens.date_prompt import parse_day
from desk_tui.ui.screens.form_dialog import FormDialog, Send


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int

    def sentence(self) -> str:
        return f"{self.rows} ledger entries saved to {self.path}"


class ExportScreen(FormDialog[Exported]):
    LAST_FIELD = "to"

    def __init__(self, *, today: date, folder: Path) -> None:
        super().__init__()
        self.today, self.folder = today, folder

    def heading(self) -> str:
        return "Export card transactions (CSV)"

    def question(self) -> str:
        return "Leave both blank for every entry ever recorded, or give the first and last day."

    def fields(self) -> ComposeResult:
        yield Label("From")
        yield Input(id="from", max_length=10, placeholder="blank: the first entry; 2026-01-01, 1.1, -30")
        yield Label("To")
        yield Input(id="to", max_length=10, placeholder="blank: up to now; 2026-11-30, 30.11, +0")

    def submit_label(self) -> str:
        return "Export"

    def _day(self, field: str, label: str) -> date | None:
        text = self.query_one(f"#{field}", Input).value.strip()
        if not text:
            return None
        day = parse_day(text, self.today)
        if day is None:
            raise FormProblem(f"{label}: a date like 2026-11-30, 30.11 or -30 (days from today), or blank.")
        return day

    def build(self) -> tuple[object, Send]:
        start, end = self._day("from", "From"), self._day("to", "To")
        if start is not None and end is not None and start > end:
            raise FormProblem("From: the first day comes before the last one.")

        async def send(_key: str | None) -> Exported:
            data = await self.session.client.reports.card_transactions_csv(start=start, end=end)
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"card-transactions-{start or 'start'}-{end or self.today}.csv"
            target.write_bytes(data)
            return Exported(target, max(data.count(b"\n") - 1, 0))

        return (start, end), send
