from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desk_tui.server.database import Base, UTCDateTime


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_sort_name_id", "sort_name", "id"),
        Index("ix_customers_phone_digits", "phone_digits"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: casefolded, accent-free name: the list order and the pagination key
    sort_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: the phone as international digits ("36209876543", read in the salon's country): how
    #: "this number is already on file" is found, however either was typed
    phone_digits: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    store_credit: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerSearchTerm(Base):
    """One row per searchable word of a customer (name and its hyphenated parts, the digit
    suffixes of the phone and of card numbers, email).

    A search is then an indexed range scan per typed word (``term >= q AND term < q + U+FFFF``),
    which stays fast with 100k customers on both engines, unlike ``LIKE '%q%'``. Each term carries
    its customer's sort name (the order of a search's results), so the customers of one term are
    read from the index in result order and a search stops at a page (customers/walk.py).
    """

    __tablename__ = "customer_search_terms"
    __table_args__ = (Index("ix_customer_search_terms_term_sort", "term", "sort_name", "customer_id"),)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(254), primary_key=True)
    #: the customer's ``sort_name``, copied (a customer's name is never changed in place; every
    #: term is written with it by customers/service.py, migration 0023 filled in the old ones)
    sort_name: Mapped[str] = mapped_column(String(200), server_default="")


class ActivityEntry(Base):
    """The customer's activity log: bookings, redemptions, no-shows, undos, adjustments…"""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_customer_at", "customer_id", "at", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(2000))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
    card_id: Mapped[str | None] = mapped_column(String(40))
    appointment_id: Mapped[str | None] = mapped_column(String(40))
    sale_id: Mapped[str | None] = mapped_column(String(40))
