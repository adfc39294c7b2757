"""F1: every key of the screen underneath, including the global ones, in one list."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from desk_tui.ui.shown_keys import active_keys


def _key_label(app: App[Any], key: str) -> str:
    return app.get_key_display(Binding(key, ""))


def _every_screens(binding: Binding) -> bool:
    return any(binding.action == b.action for b in Screen.BINDINGS if isinstance(b, Binding))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys — {self._under.title or self._under.__class__.__name__.removesuffix('Screen')}",
                         classes="title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static("Esc closes · ctrl+p finds any action by name", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action")
        seen: set[str] = set()
        # The screen's own keys first, then the app's, then the focused widget's (cursor keys…);
        # what every Textual screen has (Tab to move focus, copy) comes last, not above Save.
        order = {self._under: 0, self.app: 1}
        found = sorted(active_keys(self._under).items(),
                       key=lambda item: 3 if _every_screens(item[1].binding) else order.get(item[1].node, 2))
        for key, active in found:
            binding = active.binding
            if not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            table.add_row(_key_label(self.app, key), binding.description)
        if "Dismiss messages" not in seen:  # the app's Esc comes before the screen's: say it
            table.add_row(_key_label(self.app, "escape"), "Also dismisses every message (toast)")
        table.add_row(_key_label(self.app, "ctrl+p"), "Command palette: every action by name")
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        # Async as in Screen (textual awaits an action either way); closes without waiting
        # for pending callbacks, as before.
        self.dismiss(result)
