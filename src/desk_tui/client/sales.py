"""The checkout endpoints, ``client.sales``: carts, lines, benefits, redemptions, payment.

Every write takes the caller's Idempotency-Key where a repeat would matter (redeem, complete,
abandon): the cart screen makes one per intent, so a retried "Complete sale" after a timeout
can never take two payments or use a credit twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from desk_tui.contract.common import Page
from desk_tui.contract.sales import (
    Benefits,
    LineRedeem,
    PaymentIn,
    Sale,
    SaleAbandon,
    SaleComplete,
    SaleCreate,
    SaleLineCreate,
    SaleLineUpdate,
    SaleUpdate,
)

if TYPE_CHECKING:
    from desk_tui.client.core import ClientCore


def _sale(sale_id: str, *rest: str) -> str:
    return "/".join(("/sales", quote(sale_id, safe=""), *(quote(x, safe="") for x in rest)))


class SaleCalls:
    """``client.sales`` of a :class:`~desk_tui.client.api.DeskClient`."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        """The client's one transport, cache and intent journal, which every domain shares."""

    async def open_sales(self) -> list[Sale]:
        """Carts left open at this location, for the F4 list."""
        page = await self._core.get_model("/sales", Page[Sale], params={"status": "open", "limit": 100})
        return page.items

    async def completed_sales(self, *, limit: int = 100) -> list[Sale]:
        """The latest completed sales at this location, newest first (a receipt asked for again)."""
        page = await self._core.get_model("/sales", Page[Sale], params={"status": "completed", "limit": limit})
        return page.items

    async def sale(self, sale_id: str) -> Sale:
        return await self._core.get_model(_sale(sale_id), Sale)

    async def open_sale(self, *, customer_id: str | None = None, appointment_id: str | None = None,
                        idempotency_key: str | None = None) -> Sale:
        """A new cart (an appointment's cart comes with its lines; asking twice gives the same cart)."""
        data = SaleCreate(customer_id=customer_id, appointment_id=appointment_id)
        return await self._core.write("POST", "/sales", json=data.model_dump(mode="json", exclude_none=True), model=Sale,
                                idempotency_key=idempotency_key)

    async def set_sale_customer(self, sale_id: str, customer_id: str) -> Sale:
        return await self._core.write("PATCH", _sale(sale_id), json=SaleUpdate(customer_id=customer_id).model_dump(),
                                model=Sale)

    async def add_sale_line(self, sale_id: str, data: SaleLineCreate, *,
                            idempotency_key: str | None = None) -> Sale:
        return await self._core.write("POST", _sale(sale_id, "lines"), json=data.model_dump(mode="json", exclude_none=True),
                                model=Sale, idempotency_key=idempotency_key)

    async def update_sale_line(self, sale_id: str, line_id: str, data: SaleLineUpdate) -> Sale:
        """A price or discount beyond the organisation's limit is refused with ``manager_approval_required``
        unless ``data.approval`` carries a manager's username and PIN (the PIN is sent, never kept)."""
        return await self._core.write("PATCH", _sale(sale_id, "lines", line_id),
                                json=data.model_dump(mode="json", exclude_unset=True), model=Sale)

    async def remove_sale_line(self, sale_id: str, line_id: str) -> Sale:
        return await self._core.write("DELETE", _sale(sale_id, "lines", line_id), model=Sale)

    async def sale_benefits(self, sale_id: str) -> Benefits:
        return await self._core.get_model(_sale(sale_id, "benefits"), Benefits)

    async def apply_discounts(self, sale_id: str) -> Sale:
        return await self._core.write("POST", _sale(sale_id, "apply-discounts"), model=Sale)

    async def redeem_line(self, sale_id: str, line_id: str, data: LineRedeem, *,
                          idempotency_key: str | None = None) -> Sale:
        """Cover a line with a membership credit or a card: its total becomes 0, the credit is held."""
        return await self._core.write("POST", _sale(sale_id, "lines", line_id, "redeem"),
                                json=data.model_dump(exclude_none=True), model=Sale, idempotency_key=idempotency_key)

    async def release_line(self, sale_id: str, line_id: str) -> Sale:
        return await self._core.write("POST", _sale(sale_id, "lines", line_id, "release"), model=Sale)

    async def complete_sale(self, sale_id: str, payments: list[PaymentIn], *,
                            idempotency_key: str | None = None) -> Sale:
        data = SaleComplete(payments=payments)
        return await self._core.write("POST", _sale(sale_id, "complete"), json=data.model_dump(mode="json"), model=Sale,
                                idempotency_key=idempotency_key)

    async def abandon_sale(self, sale_id: str, *, reason: str | None = None,
                           idempotency_key: str | None = None) -> Sale:
        return await self._core.write("POST", _sale(sale_id, "abandon"),
                                json=SaleAbandon(reason=reason).model_dump(exclude_none=True), model=Sale,
                                idempotency_key=idempotency_key)
