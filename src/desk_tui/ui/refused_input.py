"""A server's refusal of one input, put on that input.

A ``validation_error`` names the input it is about in ``field`` ("customer_id",
"lines.0.source.card_id"), as the request spells it. A form says which of its widgets holds
which field (the longest matching path prefix wins); the refused widget is marked ``.refused``
(styles/app.tcss: reverse and underline, so it shows without colour), carries the sentence as its
tooltip, gets the focus, and a table has its cursor moved to the refused row. The form's status
line says the same sentence. The next attempt clears every mark first.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from desk_tui.client.errors import ApiError

REFUSED = "refused"


def clear_refused(screen: Screen[object]) -> None:
    for widget in screen.query(f".{REFUSED}"):
        widget.remove_class(REFUSED)
        widget.tooltip = None


def mark_refused(screen: Screen[object], exc: ApiError, inputs: Mapping[str, str]) -> Widget | None:
    """Mark the widget of ``exc.field`` (``inputs``: field path prefix → CSS selector); None when
    the refusal names no field this form shows (the status line then says it alone)."""
    clear_refused(screen)
    if not exc.field:
        return None
    path = exc.field.split(".")
    for cut in range(len(path), 0, -1):
        selector = inputs.get(".".join(path[:cut]))
        if selector is None:
            continue
        widget = screen.query_one(selector)
        widget.add_class(REFUSED)
        widget.tooltip = exc.sentence
        if isinstance(widget, DataTable) and cut < len(path) and path[cut].isdigit():
            widget.move_cursor(row=int(path[cut]))  # "lines.1…": the second line is the one refused
        widget.focus()
        return widget
    return None
