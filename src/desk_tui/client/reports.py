"""The managers' report endpoints, ``client.reports`` of DeskClient."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from desk_tui.contract.common import Page
from desk_tui.contract.reports import ExpiringCard, GivenWithoutSale, Liability, MembershipDue, SalesVat

if TYPE_CHECKING:
    from desk_tui.client.core import ClientCore


class ReportCalls:
    """``client.reports`` of a :class:`~desk_tui.client.api.DeskClient`."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        """The client's one transport, cache and intent journal, which every domain shares."""

    async def liability(self) -> Liability:
        return await self._core.get_model("/reports/liability", Liability, cache=True)

    async def expiring(self, *, within_days: int = 30, limit: int = 200) -> Page[ExpiringCard]:
        return await self._core.get_model("/reports/expiring", Page[ExpiringCard],
                                    params={"within_days": within_days, "limit": limit}, cache=True)

    async def memberships_due(self, *, limit: int = 200) -> Page[MembershipDue]:
        return await self._core.get_model("/reports/memberships-due", Page[MembershipDue], params={"limit": limit},
                                    cache=True)

    async def given_without_sale(self, *, start: date | None = None, end: date | None = None,
                                 limit: int = 200) -> Page[GivenWithoutSale]:
        """Cards issued and memberships enrolled outside a sale (managers), newest first."""
        params: dict[str, str | int] = {"limit": limit}
        if start is not None:
            params["from"] = start.isoformat()
        if end is not None:
            params["to"] = end.isoformat()
        return await self._core.get_model("/reports/given-without-sale", Page[GivenWithoutSale], params=params)

    async def sales_vat(self, *, start: date, end: date, location_id: str | None = None) -> SalesVat:
        """Completed sales of those business days (inclusive): net, VAT and gross per rate, at
        ``location_id`` or (None) every location the caller may see (a manager: their own)."""
        return await self._core.get_model("/reports/sales", SalesVat, params={
            "from": start.isoformat(), "to": end.isoformat(), "location_id": location_id})

    async def card_transactions_csv(self, *, start: date | None = None, end: date | None = None) -> bytes:
        """Every ledger entry from ``start`` to ``end`` (business days, inclusive); None: no bound."""
        params = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v is not None}
        return await self._core.get_bytes("/reports/card-transactions.csv", params=params)
