"""Pick one of a list by typing part of its name: services and products for the cart, the
source that covers a line, the plan to enrol in. Up/Down move, Enter picks, Escape backs out.

The dialog opens at once; a list that comes from the server is given as a loader and fills in
when it arrives, so a receptionist typing "s deep⏎" in one burst gets "deep" in the filter and
Deep Tissue Massage picked, not the cart's own keys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from desk_tui.ui.as_typed import as_typed
from desk_tui.ui.worker_failures import SaysWorkerFailures

V = TypeVar("V")
Loader = Callable[[], Awaitable[Sequence[tuple[str, V]]]]
"""Fetches the (label, value) choices, for a list that comes from the server."""


class ChoiceScreen(SaysWorkerFailures, ModalScreen[V | None], Generic[V]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="choice.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="choice.up"),
        Binding("enter", "pick", "Pick", id="choice.pick", priority=True),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, V]] | Loader[V], *, hint: str = "",
                 filter_placeholder: str | None = "Type to filter") -> None:
        super().__init__()
        self._title = title
        self._loader: Loader[V] | None = None if isinstance(choices, Sequence) else choices
        self._choices: list[tuple[str, V]] = list(choices) if isinstance(choices, Sequence) else []
        self._pick_when_loaded = False
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
        if self._loader is not None:
            self._load(self._loader)
        if self._filter is not None:
            self.query_one(Input).focus()
        else:
            self.query_one(OptionList).focus()

    @work(exclusive=True, group="choice-load", exit_on_error=False)
    async def _load(self, loader: Loader[V]) -> None:
        self._choices = list(await loader())
        self._loader = None
        box = self.query(Input)
        self._show(box.first().value if box else "")
        if self._pick_when_loaded:
            self.action_pick()  # Enter came before the list did


    def on_key(self, event: events.Key) -> None:
        """Letters typed while the list has the focus go into the filter, as in a search box."""
        boxes = self.query(Input)
        if boxes and self.focused is not boxes.first() and event.is_printable and event.character:
            box = boxes.first()
            box.insert_text_at_cursor(event.character)
            box.focus()
            event.stop()

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
        self.dismiss(self._choices[_index(event.option)][1])

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if self._loader is not None:
            self._pick_when_loaded = True
            return
        if options.highlighted is None or not options.option_count:
            self.query_one("#choice-status", Static).update("Nothing matches; change the filter or press Esc.")
            return
        self.dismiss(self._choices[_index(options.get_option_at_index(options.highlighted))][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _index(option: Option) -> int:
    """Where the option's choice is in _choices: every option is added with that as its id."""
    assert option.id is not None
    return int(option.id)
