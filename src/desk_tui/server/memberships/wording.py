"""The sentences of memberships: discount labels, credit counts, activity entries."""

from __future__ import annotations


def discount_label(percent: int, scope: str, target_name: str | None) -> str:
    """"20% discount on all services", "20% discount on Massage", "15% discount on Facial"."""
    return f"{percent}% discount on {'all services' if scope == 'all' else target_name}"


def credits_left(n: int, service_name: str) -> str:
    return f"{n} {service_name} credit{'' if n == 1 else 's'} left this month"


def month_count(used: int, per_period: int, on_hold: int = 0) -> str:
    """"(1 of 2 used)", "(1 of 2 used, 1 on hold)"."""
    text = f"{used} of {per_period} used"
    if on_hold:
        text += f", {on_hold} on hold"
    return f"({text})"
