"""The reminders already sent: one row per event, so no event is ever reminded of twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desk_tui.server.database import Base, UTCDateTime


class ReminderSent(Base):
    """The key is the event: (``card_expiring``, card id, the expiry date) or (``membership_due``,
    enrolment id, the first day of the month due). A card extended to a new date, or the next
    unpaid month, is a new event and gets its own reminder; the same one never does.

    The row is written in the transaction that hands the message to the mail server and records
    it in the customer's activity, so the three stand or fall together (service.py says why)."""

    __tablename__ = "reminders_sent"
    #: card_expiring | membership_due
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: the card's or the enrolment's id
    subject_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_on: Mapped[date] = mapped_column(Date, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: sent | refused (the mail server refused the address for good: not tried again)
    outcome: Mapped[str] = mapped_column(String(20))
