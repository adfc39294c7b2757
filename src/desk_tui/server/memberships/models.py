"""Tables of the memberships domain: plans and their benefits, enrolments, and one row per session credit
taken by a sale.

A plan is never deleted (``active = False`` stops new enrolments). An enrolment points at its plan
and follows the plan's *current* benefits: nothing is copied at enrolment, unlike a card.

Credit balances are never stored. Each credit a sale redeems is one ``membership_credits`` row in
the calendar month (``period``, "YYYY-MM" in the organisation's time zone) it was taken in; its
``state`` moves ``held`` → ``used`` when the sale completes or ``held`` → ``released`` when it is
abandoned. A held row counts against the month only until ``expires_at``: a cart left idle past its
timeout stops blocking the credit even before anything sweeps it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.database import Base, UTCDateTime


class PlanDiscount(Base):
    __tablename__ = "membership_plan_discounts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("membership_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: all | category | service
    scope: Mapped[str] = mapped_column(String(20))
    #: a category name (scope ``category``) or a service id (scope ``service``); null for ``all``
    target: Mapped[str | None] = mapped_column(String(200))
    percent: Mapped[int] = mapped_column(Integer)


class PlanCredit(Base):
    """So many sessions of one service per calendar month; (plan, service) is the key: one row per service."""

    __tablename__ = "membership_plan_credits"
    plan_id: Mapped[str] = mapped_column(ForeignKey("membership_plans.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    per_period: Mapped[int] = mapped_column(Integer)


class MembershipPlan(Base):
    """Never deleted: ``active = False`` stops new enrolments and leaves existing ones working."""

    __tablename__ = "membership_plans"
    __table_args__ = (Index("ix_membership_plans_name_id", "name", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the price of one period (a month), minor units
    price: Mapped[int] = mapped_column(BigInteger)
    #: how many months an unused credit carries over (oldest used first); 0: credits reset on the 1st
    rollover_months: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    description: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    discounts: Mapped[list[PlanDiscount]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=PlanDiscount.position)
    credits: Mapped[list[PlanCredit]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=PlanCredit.position)


class Enrollment(Base):
    """A customer's membership of a plan from ``starts_on`` through ``ends_on`` (null: open-ended).

    Cancelling sets ``cancelled_at``; with a notice date ``ends_on`` is the last day of benefits,
    without one the benefits stop at once (see memberships.status).
    """

    __tablename__ = "membership_enrollments"
    __table_args__ = (Index("ix_membership_enrollments_customer_id_created_at", "customer_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("membership_plans.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(2000))
    #: the last day the months paid cover: set by a sale, or — for an enrolment given outside a
    #: sale — the day before it starts (due from its first month). Null: complimentary, or
    #: enrolled before months were billed (the demo's); neither is ever listed as due.
    paid_through: Mapped[date | None] = mapped_column(Date)
    #: given free by a manager with a reason (the reason is in given_without_sale)
    complimentary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    plan: Mapped[MembershipPlan] = relationship(lazy="joined", innerjoin=True)
    freezes: Mapped[list[Freeze]] = relationship(lazy="selectin", order_by="Freeze.starts_on")


class Freeze(Base):
    """A manager paused the enrolment from ``starts_on`` through ``ends_on``: no benefits, no credits
    granted, no month falling due (the paid-through date moved on by the frozen days).

    Ending it early moves ``ends_on`` back to yesterday (``ends_on < starts_on``: it never began);
    the row stays, so the history keeps who froze it and why.
    """

    __tablename__ = "membership_freezes"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("membership_enrollments.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))

    @property
    def days(self) -> int:
        return max((self.ends_on - self.starts_on).days + 1, 0)


class CreditUse(Base):
    """One session credit taken by a sale line: ``held`` while the sale is open, then ``used`` or ``released``."""

    __tablename__ = "membership_credits"
    __table_args__ = (Index("ix_membership_credits_enrollment_id_period", "enrollment_id", "period"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("membership_enrollments.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    #: the calendar month the credit was taken from, "YYYY-MM" in the organisation's time zone
    period: Mapped[str] = mapped_column(String(7))
    #: held | used | released
    state: Mapped[str] = mapped_column(String(20))
    sale_id: Mapped[str] = mapped_column(String(40), index=True)
    sale_line_id: Mapped[str | None] = mapped_column(String(40))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: a held credit stops counting from this instant (the cart's idle timeout)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"))
