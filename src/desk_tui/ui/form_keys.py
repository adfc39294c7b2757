"""Enter moves to the next field and submits from the last one, without losing fast typing.

Handled as a *priority* binding so the app moves focus before it forwards the next key: a
receptionist typing "reception⏎1111⏎" in one burst gets the PIN in the PIN field, not
appended to the username (which is what happens when focus moves in a message handler).
Submitting, by contrast, waits for the field to take the keys already sent to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

ENTER = Binding("enter", "enter_key", show=False, priority=True, id="form.enter")


def enter_key(screen: Screen[Any], *, last: str, submit: Callable[[], None]) -> None:
    focused = screen.focused
    if not isinstance(focused, Input):
        raise SkipAction()  # buttons, selects and tables keep their own Enter
    if focused.id == last:
        # Keys typed just before Enter may still sit in the field's queue: submit after them.
        focused.call_later(submit)
    else:
        screen.focus_next(Input)
