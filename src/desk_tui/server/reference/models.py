from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_tui.server.database import Base

DEFAULT_PHONE_REGION = "HU"


class OrgSettings(Base):
    """One row: the organisation's currency, time zone, name and till limits."""

    __tablename__ = "org_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    currency_decimals: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    #: a price lowered or a discount given at the till by more than this percent of the catalogue
    #: price needs a manager's approval (sales/approval.py)
    max_discount_percent_without_manager: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    #: the country (ISO 3166 alpha-2) whose national form customers' phone numbers are read in:
    #: "06 20 987 6543" is +36 20 987 6543 in Hungary
    phone_region: Mapped[str] = mapped_column(String(2), default=DEFAULT_PHONE_REGION,
                                              server_default=DEFAULT_PHONE_REGION)
    #: an unpaid membership keeps its benefits this many days after its payment fell due, then they
    #: are suspended until the month is paid; null: never suspended, only warned of at checkout
    membership_grace_days: Mapped[int | None] = mapped_column(Integer, default=14, server_default="14")
    #: prices are typed as the customer pays them (VAT included), as European salons price;
    #: the default of a new service, product or package that does not say (server/reference/vat.py)
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    #: the organisation's standard VAT rate in hundredths of a percent (2700 = 27 %): new
    #: services, products and packages that name none, and memberships, which have no rate of their own
    vat_basis_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Location(Base):
    __tablename__ = "locations"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(400), default="")


class StaffLocation(Base):
    __tablename__ = "staff_locations"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), primary_key=True)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Stylists who never sign in have no username and no PIN.
    username: Mapped[str | None] = mapped_column(String(100), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locations: Mapped[list[StaffLocation]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def location_ids(self) -> list[str]:
        return sorted(link.location_id for link in self.locations)


class ServiceLocation(Base):
    __tablename__ = "service_locations"
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), primary_key=True)


class Service(Base):
    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200))
    duration_min: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Integer)
    #: VAT in hundredths of a percent, and whether ``price`` includes it (server/reference/vat.py)
    vat_basis_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locations: Mapped[list[ServiceLocation]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def location_ids(self) -> list[str]:
        return sorted(link.location_id for link in self.locations)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(Integer)
    vat_basis_points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
