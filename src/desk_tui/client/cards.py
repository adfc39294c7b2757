"""The card and package calls, ``client.cards``: wallets, ledgers, redemptions and the manager's tools.

Their own object so the card endpoints live next to each other (and away from api.py) while
sharing the client's one httpx client, one cache and one retry policy. Every write goes with the Idempotency-Key of its
intent (client/intents.py): the same write sent again before it had a definitive answer reuses
its key, so a retry after a timeout — or after a restart — can never redeem, refund or sell twice.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import BaseModel

from desk_tui.client.intents import Written
from desk_tui.contract.cards import (
    AdjustmentCreate,
    BulkExtendRequest,
    BulkExtendResult,
    Card,
    CardChange,
    CardMemberAdd,
    CardUpdate,
    ImportResult,
    RedemptionCreate,
    RefundRequest,
    Transaction,
    UndoRequest,
    Wallet,
)
from desk_tui.contract.common import JSONObject, Page
from desk_tui.contract.packages import Package, PackageCreate, PackageUpdate

if TYPE_CHECKING:
    from desk_tui.client.core import ClientCore

#: A customer rarely holds more than a handful of cards; this bounds a runaway listing.
MAX_PAGES = 20
#: entries per page of a card's history (the server's largest page)
HISTORY_PAGE = 500


def _id(value: str) -> str:
    return quote(value, safe="")


def _body(model: BaseModel, *, keep: set[str] | None = None) -> JSONObject:
    """The JSON of a request model: unset fields left out, but ``keep`` sent even when null
    (``expires_on: null`` means "never expires", which is not the same as "unchanged")."""
    body: JSONObject = model.model_dump(mode="json", exclude_unset=True)
    for name in keep or ():
        body.setdefault(name, getattr(model, name))
    return body


class CardCalls:
    """``client.cards`` of a :class:`~desk_tui.client.api.DeskClient`."""

    def __init__(self, core: ClientCore) -> None:
        self._core = core
        """The client's one transport, cache and intent journal, which every domain shares."""

    # -- reads ---------------------------------------------------------------------------------
    async def wallet(self, customer_id: str) -> Wallet:
        """Active cards and store credit: what can be used today (cached for offline reading)."""
        return await self._core.get_model(f"/customers/{_id(customer_id)}/wallet", Wallet, cache=True)

    async def own_and_shared(self, customer_id: str) -> list[Card]:
        """Every card of the customer, then other customers' active cards that list them as a family
        member (each naming its owner): one request (``shared=true``), on a busy path."""
        return await self.customer_cards(customer_id, shared=True)

    async def customer_cards(self, customer_id: str, status: str | None = None, *, shared: bool = False) -> list[Card]:
        """Every card the customer holds, in every state (the profile shows used-up and refunded too);
        ``shared``: then the family cards of others they may use."""
        cards: list[Card] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await self._core.get_model("/cards", Page[Card], params={
                "customer_id": customer_id, "status": status, "shared": "true" if shared else None,
                "limit": 100, "cursor": cursor}, cache=True)
            cards.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        return cards

    async def search_cards(self, q: str, limit: int = 100, cursor: str | None = None) -> Page[Card]:
        """Cards by client name or card number (the F5 Cards screen)."""
        return await self._core.get_model("/cards", Page[Card], params={"q": q or None, "limit": limit, "cursor": cursor})

    async def card(self, card_id: str) -> Card:
        return await self._core.get_model(f"/cards/{_id(card_id)}", Card, cache=True)

    async def card_transactions(self, card_id: str) -> list[Transaction]:
        """The card's whole ledger, oldest first, read a page of 500 entries at a time (the server
        pages it like every list, so no one request grows with a card's years of use)."""
        entries: list[Transaction] = []
        cursor: str | None = None
        while True:
            page = await self._core.get_model(f"/cards/{_id(card_id)}/transactions", Page[Transaction],
                                        params={"limit": HISTORY_PAGE, "cursor": cursor}, cache=True)
            entries += page.items
            cursor = page.next_cursor
            if cursor is None:
                return entries

    async def packages(self, *, active: bool | None = True) -> list[Package]:
        """The catalogue; by default only what can be sold."""
        page = await self._core.get_model("/packages", Page[Package], params={"active": active, "limit": 500}, cache=True)
        return page.items

    # -- writes --------------------------------------------------------------------------------
    async def redeem(self, card_id: str, service_id: str, *, idempotency_key: str | None = None,
                     entitlement_id: str | None = None, note: str | None = None,
                     for_customer_id: str | None = None) -> Written[CardChange]:
        """One walk-in redemption of one service (no appointment). ``replayed`` says the answer is
        that of an earlier, unanswered press of the same redemption: nothing was redeemed now.
        ``for_customer_id``: a family member the owner's card is used for."""
        data = RedemptionCreate(service_id=service_id, quantity=1, entitlement_id=entitlement_id, note=note,
                                for_customer_id=for_customer_id)
        return await self._core.write_intent("POST", f"/cards/{_id(card_id)}/redemptions", json=_body(data),
                                       model=CardChange, idempotency_key=idempotency_key)

    async def undo(self, card_id: str, transaction_id: str, *, reason: str,
                   idempotency_key: str | None = None) -> CardChange:
        data = UndoRequest(reason=reason)
        return await self._core.write("POST", f"/cards/{_id(card_id)}/transactions/{_id(transaction_id)}/undo",
                                json=_body(data), model=CardChange, idempotency_key=idempotency_key)

    async def adjust(self, card_id: str, *, units: int, reason: str, idempotency_key: str | None = None,
                     entitlement_id: str | None = None, for_customer_id: str | None = None) -> CardChange:
        """``for_customer_id``: the customer whose screen it is (a family member is refused: the owner's)."""
        data = AdjustmentCreate(entitlement_id=entitlement_id, units=units, reason=reason,
                                for_customer_id=for_customer_id)
        return await self._core.write("POST", f"/cards/{_id(card_id)}/adjustments", json=_body(data), model=CardChange,
                                idempotency_key=idempotency_key)

    async def update_card(self, card_id: str, data: CardUpdate, *,
                          idempotency_key: str | None = None) -> Card:
        """Number, expiry (an ``extend`` entry) or owner (a ``transfer``): only the fields set are sent."""
        keep = {"expires_on"} if "expires_on" in data.model_fields_set else None
        return await self._core.write("PATCH", f"/cards/{_id(card_id)}", json=_body(data, keep=keep), model=Card,
                                idempotency_key=idempotency_key)

    async def extend_card(self, card_id: str, expires_on: date | None, *, note: str | None,
                          idempotency_key: str | None = None) -> Card:
        return await self.update_card(card_id, CardUpdate(expires_on=expires_on, note=note),
                                      idempotency_key=idempotency_key)

    async def transfer_card(self, card_id: str, customer_id: str, *, note: str | None,
                            idempotency_key: str | None = None) -> Card:
        return await self.update_card(card_id, CardUpdate(customer_id=customer_id, note=note),
                                      idempotency_key=idempotency_key)

    async def refund(self, card_id: str, *, reason: str, idempotency_key: str | None = None,
                     for_customer_id: str | None = None) -> Card:
        """Turn what is left into store credit (the card's ``refund_value``); the card becomes refunded."""
        data = RefundRequest(reason=reason, for_customer_id=for_customer_id)
        return await self._core.write("POST", f"/cards/{_id(card_id)}/refund", json=_body(data), model=Card,
                                idempotency_key=idempotency_key)

    async def share_card(self, card_id: str, customer_id: str, *,
                         idempotency_key: str | None = None) -> Card:
        """List a family member who may use the card; the card comes back with its members."""
        return await self._core.write("POST", f"/cards/{_id(card_id)}/members", json=_body(CardMemberAdd(customer_id=customer_id)),
                                model=Card, idempotency_key=idempotency_key)

    async def unshare_card(self, card_id: str, customer_id: str, *,
                           idempotency_key: str | None = None) -> Card:
        """Stop sharing the card with a family member."""
        return await self._core.write("DELETE", f"/cards/{_id(card_id)}/members/{_id(customer_id)}", model=Card,
                                idempotency_key=idempotency_key)

    async def create_package(self, data: PackageCreate, *, idempotency_key: str | None = None) -> Package:
        """A new template (managers and owners); the server answers 403 for reception."""
        return await self._core.write("POST", "/packages", json=_body(data), model=Package, idempotency_key=idempotency_key)

    async def update_package(self, package_id: str, data: PackageUpdate, *,
                             idempotency_key: str | None = None) -> Package:
        """Only the fields set are sent: an explicit ``expiry_days=None`` removes the delay, and
        ``active`` alone makes a template (not) for sale. Cards already sold never change."""
        return await self._core.write("PATCH", f"/packages/{_id(package_id)}", json=_body(data), model=Package,
                                idempotency_key=idempotency_key)

    # -- the back office (managers and owners) ---------------------------------------------------
    async def extend_cards(self, data: BulkExtendRequest, *,
                           idempotency_key: str | None = None) -> BulkExtendResult:
        """A closure: every active card in scope gets ``data.days`` more. With ``dry_run`` only the
        count comes back; a dry run needs a fresh key each time (a replayed count would be stale)."""
        return await self._core.write("POST", "/cards/extend", json=_body(data, keep={"dry_run"}), model=BulkExtendResult,
                                idempotency_key=idempotency_key)

    async def import_cards(self, csv: bytes, *, dry_run: bool,
                           idempotency_key: str | None = None) -> ImportResult:
        """Cards from a previous system (owners): the file's bytes as they are (the server reads
        UTF-8 and names every row it refuses). A real run imports every row or none."""
        return await self._core.write("POST", "/imports/cards", params={"dry_run": "true" if dry_run else "false"},
                                content=csv, content_type="text/csv", model=ImportResult,
                                idempotency_key=idempotency_key)
