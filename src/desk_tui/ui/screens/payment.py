"""Take payment and complete the sale in one step ("Complete Sale").

Split freely between cash, card, store credit and other; "Left to pay" follows the typing and
the sale is sent only when the amounts add up to the total (the server checks again). A cart
whose total is 0 shows "Fully covered by membership" instead of the payment fields and
completes with no payment. One Idempotency-Key per set of amounts: a retry after a timeout
replays the first answer instead of charging twice.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label

from desk_tui.contract.sales import PaymentIn, Sale
from desk_tui.ui.form_problem import FormProblem
from desk_tui.ui.money import format_money, money_field, parse_money
from desk_tui.ui.screens.form_dialog import FormDialog, Send

#: field id → (label, method on the wire)
METHODS = {"pay-card": ("Card", "card"), "pay-cash": ("Cash", "cash"),
           "pay-credit": ("Store cr.", "store_credit"), "pay-other": ("Other", "other")}


class PaymentScreen(FormDialog[Sale]):
    BINDINGS = [
        Binding("f10", "submit", "Complete sale", id="payment.complete"),
        Binding("ctrl+f", "fill", "Rest here", id="payment.fill"),
    ]
    LAST_FIELD = "pay-other"

    def __init__(self, sale: Sale) -> None:
        super().__init__()
        self.sale = sale

    def money(self, amount: int) -> str:
        return format_money(amount, self.session.org)

    def heading(self) -> str:
        who = f" — {self.sale.customer_name}" if self.sale.customer_name else ""
        return f"Payment{who}"

    def question(self) -> str:
        if self.sale.total == 0:
            by = " by membership" if any(x.redeemed_from and x.redeemed_from.kind == "membership"
                                         for x in self.sale.lines) else ""
            return f"Fully covered{by}. Nothing to pay: complete the sale?"
        credit = f" (store credit: {self.money(self.sale.store_credit)})" if self.sale.store_credit else ""
        return f"Total to pay {self.money(self.sale.total)}{credit}. ctrl+f puts the rest in a field."

    @property
    def methods(self) -> dict[str, tuple[str, str]]:
        """The payment fields shown: store credit only when the customer has some."""
        if self.sale.total == 0:
            return {}
        return {k: v for k, v in METHODS.items() if k != "pay-credit" or self.sale.store_credit > 0}

    def fields(self) -> ComposeResult:
        for field_id, (label, _) in self.methods.items():
            yield Label(label)
            first = field_id == "pay-card"
            yield Input(money_field(self.sale.total, self.session.org) if first else "", id=field_id,
                        max_length=16, placeholder="0", compact=True)

    def on_mount(self) -> None:
        if self.sale.total == 0:
            self.query_one("#submit").focus()
        else:
            self.query_one("#pay-card", Input).focus()
            self._show_left()

    def submit_label(self) -> str:
        return "Complete sale (F10)"

    def _amounts(self) -> dict[str, int]:
        found = {}
        for field_id, (label, method) in self.methods.items():
            text = self.query_one(f"#{field_id}", Input).value.strip()
            if text:
                try:
                    amount = parse_money(text, self.session.org)
                except FormProblem:
                    raise FormProblem(f"{label}: a plain amount such as "
                                      f"{money_field(self.sale.total, self.session.org)}.") from None
                if amount:
                    found[method] = amount
        return found

    @on(Input.Changed)
    def _show_left(self) -> None:
        try:
            paid = sum(self._amounts().values())
        except FormProblem as problem:
            self.say(str(problem))
            return
        left = self.sale.total - paid
        if left > 0:
            self.say(f"Left to pay {self.money(left)}")
        elif left < 0:
            self.say(f"{self.money(-left)} too much: the amounts must add up to {self.money(self.sale.total)}")
        else:
            self.say("Amounts add up. Enter on the last field or F10 completes the sale.")

    def action_fill(self) -> None:
        """Put what is still to pay into the focused field (split payments in two keys)."""
        focused = self.focused
        if not isinstance(focused, Input):
            return
        focused.value = ""
        try:
            paid = sum(self._amounts().values())
        except FormProblem:
            return
        focused.value = money_field(max(self.sale.total - paid, 0), self.session.org)

    def build(self) -> tuple[object, Send]:
        if self.sale.total == 0:
            payments: list[PaymentIn] = []
        else:
            amounts = self._amounts()
            paid = sum(amounts.values())
            if paid != self.sale.total:
                raise FormProblem(f"The amounts add up to {self.money(paid)}; the total is "
                                  f"{self.money(self.sale.total)}.")
            if amounts.get("store_credit", 0) > self.sale.store_credit:
                raise FormProblem(f"Only {self.money(self.sale.store_credit)} of store credit is available.")
            payments = [PaymentIn(method=m, amount=a) for m, a in amounts.items()]
        intent = tuple((p.method, p.amount) for p in payments)
        return intent, lambda key: self.session.client.sales.complete_sale(self.sale.id, payments, idempotency_key=key)
