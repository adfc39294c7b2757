"""Honest placeholders for the screens later issues build: they say what will be there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from desk_tui.ui.navigation import BY_MODE
from desk_tui.ui.screens.base import DeskScreen

PLANS = {
    "checkout": "The cart: appointment lines, products, the membership benefits banner, discounts, "
                "package and credit redemptions, split payment and the receipt.",
}


class ComingSoonScreen(DeskScreen):
    def compose_body(self) -> ComposeResult:
        dest = BY_MODE[self.MODE]
        with VerticalScroll(classes="coming-soon"):
            yield Static(dest.title, classes="title")
            yield Static(f"Not built yet. {PLANS[self.MODE]}", classes="plan")


def coming_soon(mode: str) -> type[ComingSoonScreen]:
    return type(f"{BY_MODE[mode].title}Screen", (ComingSoonScreen,), {"MODE": mode})
