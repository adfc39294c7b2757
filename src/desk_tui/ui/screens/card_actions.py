"""The tools on one card: undo a redemption, adjust units, extend expiry, refund (managers), and a
new number (a lost card re-issued, anyone at the desk).

Each is a small dialog (see form_dialog.py) that says what will happen, asks for the reason the
ledger keeps, and sends one request. The server decides who may (403 → a sentence in the
dialog); the profile hides the keys from reception so they are rarely met.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from desk_tui.contract.cards import NUMBER_MAX, Card, CardChange, CardUpdate, Transaction
from desk_tui.ui import card_format as fmt
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.money import format_money
from desk_tui.ui.screens.form_dialog import FormDialog, Send, required


def card_title(card: Card) -> str:
    return f"{card.package_name}{f' #{card.number}' if card.number else ''}"


class UndoScreen(FormDialog[CardChange]):
    """Undo one redemption (or reservation): the units go back to the card."""

    def __init__(self, card: Card, entry: Transaction, *, when: str) -> None:
        super().__init__()
        self.card, self.entry, self.when = card, entry, when

    def heading(self) -> str:
        return "Undo a redemption"

    def question(self) -> str:
        return (f"Undo {self.entry.service_name or 'the entry'} ({self.entry.units} {fmt.unit_word(self.card.unit_type)}) "
                f"of {self.when} on {card_title(self.card)}? The units go back to the card.")

    def fields(self) -> ComposeResult:
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. redeemed twice by mistake")

    def submit_label(self) -> str:
        return "Undo"

    def build(self) -> tuple[object, Send]:
        reason = required(self.query_one("#reason", Input).value, "a reason")
        return reason, lambda key: self.session.client.cards.undo(self.card.id, self.entry.id, reason=reason,
                                                          idempotency_key=key)


class AdjustScreen(FormDialog[CardChange]):
    """Add or remove units by hand (goodwill, a correction), with the reason the ledger keeps."""

    LAST_FIELD = "reason"

    def __init__(self, card: Card, entitlement_id: str | None) -> None:
        super().__init__()
        self.card, self.entitlement_id = card, entitlement_id

    def heading(self) -> str:
        return f"Adjust {card_title(self.card)}"

    def question(self) -> str:
        return f"Add units with +N, remove them with -N ({fmt.unit_word(self.card.unit_type)})."

    def fields(self) -> ComposeResult:
        if len(self.card.balances) > 1:
            yield Label("Pool")
            options = [(" / ".join(s.service_name for s in b.services) + f": {fmt.counter_text(b, self.card.unit_type)}",
                        b.entitlement_id) for b in self.card.balances]
            yield Select(options, id="pool", value=self.entitlement_id or options[0][1], allow_blank=False)
        yield Label("Units")
        yield Input(id="units", max_length=8, placeholder="+1 or -1", restrict=r"[+\-]?\d*")
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. goodwill")

    def submit_label(self) -> str:
        return "Adjust"

    def build(self) -> tuple[object, Send]:
        text = self.query_one("#units", Input).value.strip()
        try:
            units = int(text)
        except ValueError:
            raise FormProblem("Units: a whole number such as +1 or -2.") from None
        if units == 0:
            raise FormProblem("Units: an adjustment of 0 changes nothing.")
        reason = required(self.query_one("#reason", Input).value, "a reason")
        pool = self.query("#pool")
        entitlement_id = str(pool.first(Select).value) if pool else None
        return (units, reason, entitlement_id), lambda key: self.session.client.cards.adjust(
            self.card.id, units=units, reason=reason, entitlement_id=entitlement_id, idempotency_key=key)


def parse_expiry(text: str, today: date) -> date:
    """"2027-01-31" or "+30" (days from today)."""
    text = text.strip()
    if re.fullmatch(r"\+\d{1,4}", text):
        return today + timedelta(days=int(text))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem("New expiry: a date like 2027-01-31, or +30 for 30 days from today.") from None


class ExtendScreen(FormDialog[Card]):
    """Change the expiry date (an ``extend`` entry); an expired card with units left comes back."""

    def __init__(self, card: Card, *, today: date) -> None:
        super().__init__()
        self.card, self.today = card, today

    def heading(self) -> str:
        return f"Extend {card_title(self.card)}"

    def question(self) -> str:
        return f"Now {fmt.expiry_text(self.card, self.today)}."

    def fields(self) -> ComposeResult:
        yield Label("Expires")
        start = max(self.card.expires_on or self.today, self.today) + timedelta(days=30)
        yield Input(start.isoformat(), id="expires", max_length=10, placeholder="2027-01-31 or +30")
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="optional, e.g. closed for renovation")

    def submit_label(self) -> str:
        return "Change expiry"

    def build(self) -> tuple[object, Send]:
        expires = parse_expiry(self.query_one("#expires", Input).value, self.today)
        note = self.query_one("#reason", Input).value.strip() or None
        return (expires, note), lambda key: self.session.client.cards.extend_card(self.card.id, expires, note=note,
                                                                          idempotency_key=key)


class RefundScreen(FormDialog[Card]):
    """Remaining value to store credit: the amount is on the dialog before anything is sent."""

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    def amount(self) -> str:
        return format_money(self.card.refund_value, self.session.org)

    def heading(self) -> str:
        return f"Refund {card_title(self.card)}"

    def question(self) -> str:
        return (f"Refund {self.amount()} to {self.card.customer_name}'s store credit? "
                f"The card becomes Refunded and can no longer be used.")

    def fields(self) -> ComposeResult:
        yield Label("Reason")
        yield Input(id="reason", max_length=500, placeholder="required, e.g. moving abroad")

    def submit_label(self) -> str:
        return f"Refund {self.amount()}"

    def build(self) -> tuple[object, Send]:
        reason = required(self.query_one("#reason", Input).value, "a reason")
        return reason, lambda key: self.session.client.cards.refund(self.card.id, reason=reason, idempotency_key=key)


class RenumberScreen(FormDialog[Card]):
    """A new card number (a lost card re-issued): the history keeps the old one, the server refuses
    a number another card has."""

    LAST_FIELD = "note"

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    def heading(self) -> str:
        return f"Card number of {card_title(self.card)}"

    def question(self) -> str:
        now = f"Now {self.card.number}" if self.card.number else "No number yet"
        return f"{now} (card ID {self.card.id}). The old number stays in the card's history."

    def fields(self) -> ComposeResult:
        yield Label("New number")
        yield Input(self.card.number or "", id="number", max_length=NUMBER_MAX, placeholder="e.g. BS-2001")
        yield Label("Note")
        yield Input(id="note", max_length=500, placeholder="optional, e.g. lost card re-issued")

    def submit_label(self) -> str:
        return "Change number"

    def build(self) -> tuple[object, Send]:
        number = required(self.query_one("#number", Input).value, "the new number")
        if number == self.card.number:
            raise FormProblem("New number: this is the card's number already.")
        note = self.query_one("#note", Input).value.strip() or None
        return (number, note), lambda key: self.session.client.cards.update_card(
            self.card.id, CardUpdate(number=number, note=note), idempotency_key=key)
