"""Tables of the sales domain: carts (sales), their lines and their payments.

Money is in integer minor units (BigInteger). A line's total is never stored: it follows from
``quantity × unit_price``, ``discount_percent`` and whether the line is redeemed (see
:mod:`desk_tui.server.sales.money`), so an edit can never leave a stale total behind.

A redeemed line says where its value came from (``redeem_kind`` card | membership) and the state
of that hold (``hold_state`` held | redeemed | released). A card hold is a ``reserve`` entry in
the card's ledger (``reserve_tx_id``); a membership credit hold lives in the memberships domain,
keyed by ``(sale_id, sale_line_id)``. A package line that came with an appointment is held by the
appointment's own reservation (``held_by_appointment``): the sale redeems it when it
completes but never releases it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.database import Base, UTCDateTime


class SaleLine(Base):
    __tablename__ = "sale_lines"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: service | product | package | membership
    kind: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"))
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id"))
    #: a package sold: the card is issued (with this number and expiry) when the sale completes
    package_id: Mapped[str | None] = mapped_column(ForeignKey("packages.id"))
    card_number: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"))
    #: a membership sold: the enrolment starts when the sale completes
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("membership_plans.id"))
    issued_enrollment_id: Mapped[str | None] = mapped_column(ForeignKey("membership_enrollments.id"))
    #: a membership line that pays the customer's next month of an enrolment they already have
    renews_enrollment_id: Mapped[str | None] = mapped_column(ForeignKey("membership_enrollments.id"))
    #: the appointment line it came with; no foreign key: editing the appointment may drop that
    #: line (the cart notices through ``Sale.appointment_key`` and is brought up to date)
    appointment_line_id: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    #: the catalogue price of one when the line was added: how far staff lowered the price or
    #: discounted it is measured against this (null for lines added before it was kept)
    list_price: Mapped[int | None] = mapped_column(BigInteger)
    #: the manager or owner who approved a price or discount beyond the organisation's limit
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    discount_percent: Mapped[int] = mapped_column(Integer)
    #: membership | staff (who set the discount), null without one
    discount_source: Mapped[str | None] = mapped_column(String(20))
    #: card | membership when the line is redeemed
    redeem_kind: Mapped[str | None] = mapped_column(String(20))
    card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"))
    entitlement_id: Mapped[str | None] = mapped_column(ForeignKey("card_entitlements.id"))
    #: the membership enrolment whose credit covers the line (memberships domain's id)
    enrollment_id: Mapped[str | None] = mapped_column(String(40))
    #: the ledger ``reserve`` entry holding the card units (the sale's own, or the appointment's)
    reserve_tx_id: Mapped[str | None] = mapped_column(ForeignKey("card_transactions.id"))
    #: "5x Manicure #BS-1001" / "Gold membership"
    source_name: Mapped[str | None] = mapped_column(String(200))
    #: held | redeemed | released
    hold_state: Mapped[str | None] = mapped_column(String(20))
    #: the hold is the appointment's reservation of a package line, not one the sale made (a paid
    #: line of the appointment redeemed at checkout is the sale's own)
    held_by_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the receipt's words for the line, frozen when the sale completes
    receipt_label: Mapped[str | None] = mapped_column(String(400))
    #: the item's VAT rate (hundredths of a percent) and whether its price includes it, copied
    #: when the line is added, like its price (sales/money.py)
    vat_basis_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: the line's net and VAT, written when the sale completes: a later rate change, or a change
    #: of the rounding, never rewrites an old receipt or report (null while the cart is open)
    net_amount: Mapped[int | None] = mapped_column(BigInteger)
    vat_amount: Mapped[int | None] = mapped_column(BigInteger)


class SalePayment(Base):
    __tablename__ = "sale_payments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: cash | card | store_credit | other
    method: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)


class Sale(Base):
    __tablename__ = "sales"
    __table_args__ = (
        # "carts left open at this location", newest first; and the idle sweep (status, last change)
        Index("ix_sales_location_id_status_opened_at", "location_id", "status", "opened_at", "id"),
        Index("ix_sales_status_last_change_at", "status", "last_change_at"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: open | completed | abandoned
    status: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    #: a digest of the appointment's lines when they were copied into the cart: a cart whose
    #: appointment changed since is refreshed when reopened and refused at completion
    appointment_key: Mapped[str | None] = mapped_column(String(64))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    opened_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: holds expire ``sale_hold_timeout`` after this
    last_change_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_reason: Mapped[str | None] = mapped_column(String(2000))
    #: true when the idle sweep closed the cart (not a person)
    closed_idle: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_text: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[SaleLine]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=SaleLine.position)
    payments: Mapped[list[SalePayment]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=SalePayment.position)
