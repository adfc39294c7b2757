"""What the cart's **s**, **p**, **k** and **m** offer: the lists, in the words the choice shows.

Each is loaded by the choice screen itself (it is on screen before the server answers), so
these are the loaders it is handed: (label, id) pairs, the id being what the new line names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_tui.contract.packages import Package
from desk_tui.ui.money import format_money

if TYPE_CHECKING:
    from desk_tui.ui.app import DeskApp

Choices = list[tuple[str, str]]


async def services(desk: DeskApp) -> Choices:
    """The services offered at this location."""
    here, settings = desk.location_id, desk.org_settings
    return [(f"{x.name} · {x.category} · {format_money(x.price, settings)}", x.id)
            for x in await desk.client.services() if here in x.location_ids]


async def products(desk: DeskApp) -> Choices:
    settings = desk.org_settings
    return [(f"{x.name} · {format_money(x.price, settings)}", x.id) for x in await desk.client.products()]


async def packages(desk: DeskApp) -> Choices:
    settings = desk.org_settings
    return [(f"{x.name} · {package_size(x)} · {format_money(x.price, settings)}", x.id)
            for x in await desk.client.packages()]


async def plans(desk: DeskApp, customer_id: str) -> Choices:
    """A plan the customer already has is sold as its next month (a retired one too: its members
    keep paying for it); the others as new memberships."""
    settings = desk.org_settings
    held = {e.plan_id: e for e in await desk.client.memberships(customer_id)
            if e.status in ("active", "scheduled") and e.cancelled_at is None}
    choices = []
    for plan in await desk.client.membership_plans():
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
