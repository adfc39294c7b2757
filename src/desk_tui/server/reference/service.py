from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import reference as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import asking
from desk_tui.server.database import new_id
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import vat
from desk_tui.server.reference.models import (
    Location,
    OrgSettings,
    Product,
    Service,
    ServiceLocation,
    Staff,
)


def location_wire(loc: Location) -> wire.Location:
    return wire.Location(id=loc.id, name=loc.name, address=loc.address)


def staff_wire(staff: Staff) -> wire.Staff:
    return wire.Staff(id=staff.id, name=staff.name, username=staff.username, role=staff.role,
                      location_ids=staff.location_ids, bookable=staff.bookable)


def service_wire(svc: Service) -> wire.Service:
    return wire.Service(id=svc.id, name=svc.name, category=svc.category, duration_min=svc.duration_min,
                        price=svc.price, location_ids=svc.location_ids, active=svc.active,
                        vat_rate=vat.percent(svc.vat_basis_points), tax_inclusive=svc.tax_inclusive)


def product_wire(p: Product) -> wire.Product:
    return wire.Product(id=p.id, name=p.name, price=p.price, active=p.active,
                        vat_rate=vat.percent(p.vat_basis_points), tax_inclusive=p.tax_inclusive)


#: where :func:`settings` keeps what it read in the session's ``info`` (the session is the request's)
_SETTINGS_KEY = "desk_tui.org_settings"


def settings(s: Session) -> wire.Settings:
    """The organisation's settings, read once per request: money words, the calendar's time zone
    and the till's limits all ask, up to nine times in one completed sale. A signed-in request has
    them from its sign-in check's statement (auth.service.authenticate); anything else reads them
    once per session (one chore). No request changes the settings (only ``desk-tui admin`` does),
    so a change is seen by the next request on every worker without any invalidation."""
    known: wire.Settings | None = s.info.get(_SETTINGS_KEY)
    if known is None:
        me = asking()
        known = me.settings if me is not None and me.settings is not None else _read_settings(s)
        s.info[_SETTINGS_KEY] = known
    return known


def _read_settings(s: Session) -> wire.Settings:
    row = s.scalar(select(OrgSettings))
    if row is None:
        return wire.Settings(currency="EUR", currency_decimals=2, timezone="UTC", business_name="desk-tui")
    return settings_of(row)


def settings_of(row: Any) -> wire.Settings:
    """The wire settings from anything with the settings' columns (the row or a joined result)."""
    return wire.Settings(currency=row.currency, currency_decimals=row.currency_decimals,
                         timezone=row.timezone, business_name=row.business_name,
                         max_discount_percent_without_manager=row.max_discount_percent_without_manager,
                         phone_region=row.phone_region, membership_grace_days=row.membership_grace_days,
                         prices_include_tax=row.prices_include_tax, vat_rate=vat.percent(row.vat_basis_points))


def locations(s: Session) -> list[wire.Location]:
    return [location_wire(x) for x in s.scalars(select(Location).order_by(Location.name))]


def staff(s: Session) -> list[wire.Staff]:
    rows = s.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name, Staff.id))
    return [staff_wire(x) for x in rows]


def services(s: Session) -> list[wire.Service]:
    return [service_wire(x) for x in s.scalars(select(Service).order_by(Service.category, Service.name))]


def products(s: Session) -> list[wire.Product]:
    return [product_wire(x) for x in s.scalars(select(Product).order_by(Product.name))]


def get_service(s: Session, service_id: str) -> Service:
    svc = s.get(Service, service_id)
    if svc is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such service.")
    return svc


def _check_locations(s: Session, location_ids: list[str]) -> list[str]:
    wanted = sorted(set(location_ids))
    known = set(s.scalars(select(Location.id).where(Location.id.in_(wanted))))
    missing = [x for x in wanted if x not in known]
    if missing:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"location_ids: unknown location {missing[0]}.")
    return wanted


def create_service(s: Session, *, data: wire.ServiceCreate) -> wire.Service:
    points, inclusive = vat.defaults(settings(s), data.vat_rate, data.tax_inclusive)
    svc = Service(id=new_id("svc"), name=data.name, category=data.category, duration_min=data.duration_min,
                  price=data.price, active=True, vat_basis_points=points, tax_inclusive=inclusive)
    svc.locations = [ServiceLocation(location_id=x) for x in _check_locations(s, data.location_ids)]
    s.add(svc)
    s.flush()
    return service_wire(svc)


def update_service(s: Session, *, service_id: str, data: wire.ServiceUpdate) -> wire.Service:
    svc = get_service(s, service_id)
    changes = data.model_dump(exclude_unset=True)
    location_ids = changes.pop("location_ids", None)
    _set_fields(svc, changes)
    if location_ids is not None:
        svc.locations = [ServiceLocation(service_id=svc.id, location_id=x) for x in _check_locations(s, location_ids)]
    s.flush()
    return service_wire(svc)


def create_product(s: Session, *, data: wire.ProductCreate) -> wire.Product:
    points, inclusive = vat.defaults(settings(s), data.vat_rate, data.tax_inclusive)
    p = Product(id=new_id("prd"), name=data.name, price=data.price, active=True, vat_basis_points=points,
                tax_inclusive=inclusive)
    s.add(p)
    s.flush()
    return product_wire(p)


def update_product(s: Session, *, product_id: str, data: wire.ProductUpdate) -> wire.Product:
    p = s.get(Product, product_id)
    if p is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such product.")
    _set_fields(p, data.model_dump(exclude_unset=True))
    s.flush()
    return product_wire(p)


def _set_fields(item: Service | Product, changes: dict[str, Any]) -> None:
    """A PATCH's fields on a service or a product; ``vat_rate`` is kept in hundredths of a percent."""
    for field, value in changes.items():
        if value is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"{field}: may not be null.")
        if field == "vat_rate":
            item.vat_basis_points = vat.basis_points(value)
        else:
            setattr(item, field, value)
