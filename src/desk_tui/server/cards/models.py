"""Cards, the entitlements they copied at issue, and the append-only ledger.

A card copies its template's entitlements into its own rows when it is sold, so editing the
template later never changes it. Balances are sums over ``card_transactions``, whose rows carry
their own effect as signed deltas (``initial_delta``, ``adjust_delta``, ``used_delta``,
``booked_delta``), so deriving a balance is one ``SUM … GROUP BY`` and each row's meaning is fixed
when it is written; the card keeps only what it still owes in all (``owed_units``, ``owed_value``)
for the liability report, moved on with every entry. The ledger is append-only, enforced by
database triggers (migration 0002), not just by convention, and hash-chained per card (chain.py),
so a change made around the triggers shows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.cards.chain import GENESIS
from desk_tui.server.database import Base, UTCDateTime


class CardEntitlementService(Base):
    __tablename__ = "card_entitlement_services"
    card_entitlement_id: Mapped[str] = mapped_column(ForeignKey("card_entitlements.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    unit_cost: Mapped[int] = mapped_column(Integer)


class CardEntitlement(Base):
    __tablename__ = "card_entitlements"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: the list value of this pool at sale time: how a bundle's price is shared between its
    #: pools when remaining value is refunded (a card's price is one number for all pools)
    weight: Mapped[int] = mapped_column(BigInteger)
    services: Mapped[list[CardEntitlementService]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=CardEntitlementService.service_id)


#: A live card past its expiry whose ``expire`` entry is not written yet: what the every-minute
#: expiry check looks for. An expired card stays ``active`` (extending it makes its units usable
#: again), so the (status, expires_on) index walked every card that ever expired, each minute; this
#: partial index holds only the few still to record. Literal SQL, so the check's WHERE carries the
#: very same terms and both engines can see that the index covers it.
EXPIRY_UNRECORDED = text("status = 'active' AND (expire_recorded_for IS NULL OR expire_recorded_for <> expires_on)")


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        Index("ix_cards_issued_at_id", "issued_at", "id"),
        Index("ix_cards_customer_id_issued_at", "customer_id", "issued_at"),
        Index("ix_cards_status_expires_on", "status", "expires_on"),
        Index("ix_cards_number_tail", "number_tail"),
        Index("ix_cards_expiry_unrecorded", "expires_on", sqlite_where=EXPIRY_UNRECORDED,
              postgresql_where=EXPIRY_UNRECORDED),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40))
    #: the number casefolded: uniqueness and search ignore case and accents
    number_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    #: the number's last digits, reversed ("BS-1005" → "5001"): "ends in 1005" is then a prefix,
    #: an indexed range scan, so a card is found by the digits reception reads off its end
    number_tail: Mapped[str | None] = mapped_column(String(40))
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id"), index=True)
    package_name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    issued_location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    expires_on: Mapped[date | None] = mapped_column(Date)
    price_paid: Mapped[int] = mapped_column(BigInteger)
    #: active | fully_used | refunded | void, kept in step with the ledger under the card lock;
    #: ``expired`` is not stored because it depends on today's date (see ledger.effective_status)
    status: Mapped[str] = mapped_column(String(20))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the ledger's per-card sequence; (card_id, seq) is unique, so two writers that somehow
    #: skipped the lock could never both append the same step
    last_seq: Mapped[int] = mapped_column(Integer)
    #: the expiry date for which an ``expire`` entry was written (so the sweep writes one per date)
    expire_recorded_for: Mapped[date | None] = mapped_column(Date)
    #: the ``entry_hash`` of the ledger's last entry (chain.GENESIS before the first), moved on with
    #: ``last_seq``: the next entry's ``prev_hash`` without reading that entry (see chain.py). The
    #: empty server default is migration 0018's (a row inserted by hand breaks the chain, and shows)
    ledger_head: Mapped[str] = mapped_column(String(64), default=GENESIS, server_default="")
    #: how many family members are listed (card_members), kept in step under the card lock: a card
    #: view asks for names only when there are some, so the wallet and the till pay nothing for
    #: the many cards that are nobody else's
    member_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: what the card still owes by its ledger (units left or booked, and their value: ledger.owed),
    #: moved on by ledger.append in the transaction that appends, under the card lock, so the
    #: liability report is one pass over the cards instead of a sum of the whole ledger;
    #: ``desk-tui admin verify-ledger`` checks them against the ledger (migration 0023 filled them in)
    owed_units: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    owed_value: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    entitlements: Mapped[list[CardEntitlement]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=CardEntitlement.position)


class CardTransaction(Base):
    """One ledger entry. Never updated, never deleted."""

    __tablename__ = "card_transactions"
    __table_args__ = (
        UniqueConstraint("card_id", "seq", name="uq_card_transactions_card_id_seq"),
        Index("ix_card_transactions_at_id", "at", "id"),
        Index("ix_card_transactions_card_id_entitlement_id", "card_id", "entitlement_id"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    entitlement_id: Mapped[str | None] = mapped_column(ForeignKey("card_entitlements.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"))
    units: Mapped[int] = mapped_column(Integer)
    initial_delta: Mapped[int] = mapped_column(Integer)
    adjust_delta: Mapped[int] = mapped_column(Integer)
    used_delta: Mapped[int] = mapped_column(Integer)
    booked_delta: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    appointment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    sale_id: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(2000))
    #: the earlier entry this one settles. Unique: an entry is undone, released or redeemed at
    #: most once, and the database says so even if a code path forgets to check.
    ref_id: Mapped[str | None] = mapped_column(ForeignKey("card_transactions.id"), unique=True)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str | None] = mapped_column(String(40))
    #: the family member who used (booked, redeemed) the card when it was not its owner; null for
    #: the owner and for every entry made before family cards (migration 0021). A plain id like
    #: ``appointment_id``: SQLite cannot add a column with a foreign key without copying the table,
    #: which would lose the append-only triggers; the hash chain covers it (chain.OPTIONAL)
    used_by_customer_id: Mapped[str | None] = mapped_column(String(40))
    #: the hash chain (chain.py): the card's previous entry's hash, and this entry's own; always
    #: written by ledger.append (the empty server default is for rows inserted by hand, which show)
    prev_hash: Mapped[str] = mapped_column(String(64), server_default="")
    entry_hash: Mapped[str] = mapped_column(String(64), server_default="")


class CardMember(Base):
    """A family member the card's owner lets use it: an existing customer, listed on the card.

    Not ledger entries (the list changes no balance): adding and removing are written to both
    customers' activity logs instead (cards/family.py). A transfer empties the list."""

    __tablename__ = "card_members"
    __table_args__ = (Index("ix_card_members_customer_id", "customer_id"),)
    card_id: Mapped[str] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
