"""What was given without a sale: one row per card issued or membership enrolled outside a cart.

Value normally comes into being only through a sale, where the money is taken and shows on a
receipt. Everything else — a manager's goodwill card, a staff membership, cards moved in from a
previous system — leaves a row here with who, when, what, the price on record and the reason,
so "given without a sale" (reports/given.py) accounts for all of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desk_tui.server.database import Base, UTCDateTime


class GivenWithoutSale(Base):
    __tablename__ = "given_without_sale"
    __table_args__ = (Index("ix_given_without_sale_at_id", "at", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: card | membership
    kind: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"))
    enrollment_id: Mapped[str | None] = mapped_column(ForeignKey("membership_enrollments.id"))
    #: the package's or the plan's name when it was given
    what: Mapped[str] = mapped_column(String(200))
    #: the card's price paid, or the plan's monthly price (0 when complimentary)
    price: Mapped[int] = mapped_column(BigInteger)
    complimentary: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(2000))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
