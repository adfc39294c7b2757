"""Appointments and their lines. Appointments are never deleted, only cancelled.

A package line names the card pool it draws on and the ledger entry that reserved its units
(``reserve_tx_id``); the ledger entries themselves carry the appointment id, so a card's history
links back here. ``redemption`` mirrors what the ledger says about the line (reserved → redeemed
or released) so the calendar needs no ledger query to draw a badge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.database import Base, UTCDateTime

#: statuses in which an appointment occupies its staff member's time
OCCUPYING = ("booked", "checked_in", "completed")
#: statuses after which nothing about the appointment changes any more
FINAL = ("completed", "cancelled", "no_show")


class AppointmentLine(Base):
    __tablename__ = "appointment_lines"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    #: copied at booking: a later change of the service's duration or price leaves booked lines alone
    duration_min: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"), index=True)
    entitlement_id: Mapped[str | None] = mapped_column(ForeignKey("card_entitlements.id"))
    #: units this line takes from the pool (the service's unit cost there)
    units: Mapped[int | None] = mapped_column(Integer)
    #: null for a paid line; reserved | redeemed | released for a package line
    redemption: Mapped[str | None] = mapped_column(String(20))
    reserve_tx_id: Mapped[str | None] = mapped_column(ForeignKey("card_transactions.id"))


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_location_id_start_at", "location_id", "start_at"),
        Index("ix_appointments_staff_id_start_at", "staff_id", "start_at"),
        Index("ix_appointments_customer_id_start_at", "customer_id", "start_at"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: the optimistic-concurrency version clients send back in If-Match; +1 on every change
    version: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: booked | checked_in | completed | cancelled | no_show
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(2000))
    cancel_reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lines: Mapped[list[AppointmentLine]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=AppointmentLine.position)
