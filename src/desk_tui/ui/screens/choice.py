"""Pick one of a list by typing part of its name: services and products for the cart, the
source that covers a line, the plan to enrol in. Up/Down move, Enter picks, Escape backs out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from desk_tui.ui.as_typed import as_typed

V = TypeVar("V")


class ChoiceScreen(ModalScreen[V | None], Generic[V]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="choice.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="choice.up"),
        Binding("enter", "pick", "Pick", id="choice.pick", priority=True),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, V]], *, hint: str = "",
                 filter_placeholder: str | None = "Type to filter") -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)
        self._hint = hint
        self._filter = filter_placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice"):
            yield Static(self._title, classes="title", markup=False)
            if self._filter is not None:
                yield Input(placeholder=self._filter, id="choice-filter", max_length=100)
            yield OptionList(id="choice-options")
            yield Static(self._hint or "↑↓ move · Enter picks · Esc cancels", id="choice-status", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self._show("")
        if self._filter is not None:
            self.query_one(Input).focus()
        else:
            self.query_one(OptionList).focus()

    @on(Input.Changed, "#choice-filter")
    def _filtered(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, text: str) -> None:
        words = text.casefold().split()
        options = self.query_one(OptionList)
        options.clear_options()
        for index, (label, _) in enumerate(self._choices):
            if all(w in label.casefold() for w in words):
                options.add_option(Option(as_typed(label), id=str(index)))
        if options.option_count:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[int(event.option.id)][1])

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            self.query_one("#choice-status", Static).update("Nothing matches; change the filter or press Esc.")
            return
        self.dismiss(self._choices[int(options.get_option_at_index(options.highlighted).id)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
