"""What the cart's **s**, **p**, **k** and **m** offer: the lists, in the words the choice shows.

Each is loaded by the choice screen itself (it is on screen before the server answers), so
these are the loaders it is handed: (label, id) pairs, the id being what the new line names.
"""

from __future__ import annotations

from desk_tui.contract.packages import Package
from desk_tui.ui.desk_session import Session
from desk_tui.ui.money import format_money

Choices = list[tuple[str, str]]


async def services(session: Session) -> Choices:
    """The services offered at this location."""
    here, settings = session.location.id, session.org
    return [(f"{x.name} · {x.category} · {format_money(x.price, settings)}", x.id)
            for x in await session.client.services() if here in x.location_ids]


async def products(session: Session) -> Choices:
    settings = session.org
    return [(f"{x.name} · {format_money(x.price, settings)}", x.id) for x in await session.client.products()]


async def packages(session: Session) -> Choices:
    settings = session.org
    return [(f"{x.name} · {package_size(x)} · {format_money(x.price, settings)}", x.id)
            for x in await session.client.cards.packages()]


async def plans(session: Session, customer_id: str) -> Choices:
    """A plan the customer already has is sold as its next month (a retired one too: its members
    keep paying for it); the others as new memberships."""
    settings = session.org
    held = {e.plan_id: e for e in await session.client.memberships.of_customer(customer_id)
            if e.status in ("active", "scheduled") and e.cancelled_at is None}
    choices = []
    for plan in await session.client.memberships.membership_plans():
        price = f"{format_money(plan.price, settings)} a month"
        if (e := held.get(plan.id)) is not None:
            paid = f", paid through {e.paid_through.isoformat()}" if e.paid_through else ""
            choices.append((f"{plan.name} · next month{paid} · {price}", plan.id))
        elif plan.active:
            choices.append((f"{plan.name} · new · {price}", plan.id))
    return choices


def package_size(package: Package) -> str:
    """"5 sessions", "360 minutes", "3 + 2 sessions"."""
    return " + ".join(str(x.units) for x in package.entitlements) + f" {package.unit_type}"
