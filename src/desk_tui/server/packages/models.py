"""Package templates and their entitlements (a pool of units plus the services that draw on it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.database import Base, UTCDateTime


class PackageEntitlementService(Base):
    __tablename__ = "package_entitlement_services"
    entitlement_id: Mapped[str] = mapped_column(ForeignKey("package_entitlements.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    unit_cost: Mapped[int] = mapped_column(Integer)


class PackageEntitlement(Base):
    __tablename__ = "package_entitlements"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    services: Mapped[list[PackageEntitlementService]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=PackageEntitlementService.service_id)


class Package(Base):
    """Never deleted: ``active = False`` stops new sales and leaves issued cards alone."""

    __tablename__ = "packages"
    __table_args__ = (Index("ix_packages_name_id", "name", "id"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(40))
    price: Mapped[int] = mapped_column(BigInteger)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean)
    #: VAT in hundredths of a percent (2700 = 27 %), server/reference/vat.py
    vat_basis_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expiry_days: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entitlements: Mapped[list[PackageEntitlement]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by=PackageEntitlement.position)
