"""Renamed :mod:`desk_tui.ui.screens.form_dialog` (the base of every form dialog, not only the
cards'); kept so screens written against the old name still import. Remove once none does."""

from desk_tui.ui.screens.form_dialog import FormDialog as CardFormScreen
from desk_tui.ui.screens.form_dialog import Send, required

__all__ = ["CardFormScreen", "Send", "required"]
