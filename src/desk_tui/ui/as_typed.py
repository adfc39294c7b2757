"""Text people typed — names, notes, card numbers — is shown exactly as typed, never as markup.

Textual reads a plain ``str`` in a table cell, an option, a label or a notification as markup,
so a customer called "Anna [VIP]" would lose a word and one called "Kiss [/b]" would stop the
screen with a markup error. Everything that comes from the server goes through here.
"""

from __future__ import annotations

from rich.text import Text


def as_typed(value: object, style: str = "") -> Text:
    """``value`` as literal text (None is empty), optionally in ``style``."""
    return Text("" if value is None else str(value), style=style)
