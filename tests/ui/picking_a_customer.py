"""The customer picker, wherever a key opens it (n at the till, / on the calendar, a on a family card)."""

from __future__ import annotations

from desk_tui.ui.screens.customer_picker import CustomerPickerScreen
from tests.ui.pilot import wait_until


async def pick_customer(pilot, key: str, name: str) -> None:
    """Press ``key``, type ``name``, and Enter on the one customer found (Enter to the list, Enter
    to pick). What comes after depends on who opened the picker: the caller waits for it."""
    app = pilot.app
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, CustomerPickerScreen), "the customer picker")
    picker = app.screen
    await pilot.press(*name)
    matches = picker.query_one(".customer-matches")
    await wait_until(pilot, lambda: matches.row_count == 1, f"{name} found")
    await pilot.press("enter", "enter")
