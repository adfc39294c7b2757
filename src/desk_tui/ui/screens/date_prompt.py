"""g on the calendar: type a date (2026-11-30, 30.11, +3, -1) and go there."""

from __future__ import annotations

import re
from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def parse_day(text: str, today: date) -> date | None:
    text = text.strip()
    if re.fullmatch(r"[+-]\d{1,3}", text):
        return today + timedelta(days=int(text))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        y, mo, d = map(int, m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})\.?", text):
        y, (d, mo) = today.year, map(int, m.groups())
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


class DatePromptScreen(ModalScreen[date | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="date_prompt.cancel")]

    def __init__(self, current: date, today: date) -> None:
        super().__init__()
        self._current, self._today = current, today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Go to date", classes="title")
            yield Input(value=self._current.isoformat(), placeholder="2026-11-30, 30.11, +3 or -1", id="date")
            yield Static("YYYY-MM-DD, DD.MM, or +N / -N days from today", id="date-status", classes="status", markup=False)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        day = parse_day(event.value, self._today)
        if day is None:
            self.query_one("#date-status", Static).update("That is not a date I understand; try 2026-11-30 or +3.")
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
