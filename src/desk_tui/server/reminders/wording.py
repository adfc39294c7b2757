"""What a reminder says, in the salon's words: the business name, what expires or falls due when,
and what is left. Plain text, one message per event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Words:
    subject: str
    body: str
    #: the line in the customer's activity (after "Reminder e-mailed to …: ")
    summary: str


def _when(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


def card_expiring(*, business: str, customer: str, package: str, number: str | None, unit_type: str, left: int,
                  expires_on: date, today: date) -> Words:
    card = f"{package} card (No. {number})" if number else f"{package} card"
    body = (f"Dear {customer},\n\n"
            f"your {card} at {business} expires on {expires_on.isoformat()} ({_when(expires_on, today)}).\n"
            f"{left} {unit_type} are still on it: book them before then, so none are lost.\n\n"
            f"We look forward to seeing you.\n{business}\n")
    return Words(subject=f"{business}: your {package} expires on {expires_on.isoformat()}", body=body,
                 summary=f"{package} expires on {expires_on.isoformat()} with {left} {unit_type} left")


def membership_due(*, business: str, customer: str, plan: str, paid_through: date, month_from: date,
                   months_due: int, price: str, total: str) -> Words:
    owed = f"The month from {month_from.isoformat()} is due: {price}."
    if months_due > 1:
        owed += f" {months_due} months are due in all: {total}."
    body = (f"Dear {customer},\n\n"
            f"your {plan} at {business} is paid through {paid_through.isoformat()}.\n"
            f"{owed}\n"
            f"Please pay at your next visit, so its benefits go on.\n\n"
            f"Thank you,\n{business}\n")
    return Words(subject=f"{business}: your {plan} — a month is due", body=body,
                 summary=f"{plan}: the month from {month_from.isoformat()} is due "
                         f"({total} for {months_due} month{'' if months_due == 1 else 's'})")
