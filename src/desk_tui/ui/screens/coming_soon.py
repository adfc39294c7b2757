"""Honest placeholders for the screens later issues build: they say what will be there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from desk_tui.ui.navigation import BY_MODE
from desk_tui.ui.screens.base import DeskScreen

PLANS = {
    "calendar": "The day view: one column per staff member, package bookings marked with a box, "
                "booking from a customer's packages, check-in, cancel and no-show.",
    "customers": "Find a customer by name, phone, email or card number; their packages with progress bars, "
                 "quick redeem, usage history and undo, memberships and the activity log.",
    "checkout": "The cart: appointment lines, products, the membership benefits banner, discounts, "
                "package and credit redemptions, split payment and the receipt.",
    "cards": "Every card: search by client or card number, balances, expiry, last use and transactions.",
    "packages": "The package catalogue for managers: unit pools, services and unit costs, price and expiry.",
    "reports": "Outstanding liability, cards expiring soon with units left, and the card-transaction export.",
}


class ComingSoonScreen(DeskScreen):
    def compose_body(self) -> ComposeResult:
        dest = BY_MODE[self.MODE]
        with VerticalScroll(classes="coming-soon"):
            yield Static(dest.title, classes="title")
            yield Static(f"Not built yet. {PLANS[self.MODE]}", classes="plan")


def coming_soon(mode: str) -> type[ComingSoonScreen]:
    return type(f"{BY_MODE[mode].title}Screen", (ComingSoonScreen,), {"MODE": mode})
