"""Package templates: create, edit, deactivate. Editing never reaches cards already sold,
because a card copies its entitlements at issue (see cards.service.sell)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import packages as wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.database import new_id, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.events import service as events
from desk_tui.server.packages.models import Package, PackageEntitlement, PackageEntitlementService
from desk_tui.server.pagination import keyset_page
from desk_tui.server.reference import service as reference
from desk_tui.server.reference import vat
from desk_tui.server.reference.models import Service


def package_wire(pkg: Package, names: dict[str, str]) -> wire.Package:
    return wire.Package(
        id=pkg.id, name=pkg.name, unit_type=pkg.unit_type, price=pkg.price, tax_inclusive=pkg.tax_inclusive,
        vat_rate=vat.percent(pkg.vat_basis_points),
        expiry_days=pkg.expiry_days, description=pkg.description, active=pkg.active,
        entitlements=[
            wire.Entitlement(id=e.id, units=e.units, services=[
                wire.PackageService(service_id=x.service_id, service_name=names.get(x.service_id),
                                    unit_cost=x.unit_cost) for x in e.services])
            for e in pkg.entitlements
        ],
    )


def _service_names(s: Session, packages: list[Package]) -> dict[str, str]:
    ids = {x.service_id for p in packages for e in p.entitlements for x in e.services}
    return dict(s.execute(select(Service.id, Service.name).where(Service.id.in_(ids))).all()) if ids else {}


def to_wire(s: Session, pkg: Package) -> wire.Package:
    return package_wire(pkg, _service_names(s, [pkg]))


def get_package(s: Session, package_id: str) -> Package:
    pkg = s.get(Package, package_id)
    if pkg is None:
        raise DomainError(ProblemCode.NOT_FOUND, "No such package.")
    return pkg


def list_packages(s: Session, *, active: bool | None, limit: int, cursor: str | None
                  ) -> tuple[list[wire.Package], str | None]:
    stmt = select(Package)
    if active is not None:
        stmt = stmt.where(Package.active.is_(active))
    rows, next_cursor = keyset_page(s, stmt, order_by=[Package.name, Package.id], key=lambda p: (p.name, p.id),
                                    limit=limit, cursor=cursor)
    names = _service_names(s, rows)
    return [package_wire(p, names) for p in rows], next_cursor


def _check_services(s: Session, entitlements: list[wire.EntitlementIn]) -> None:
    wanted = {x.service_id for e in entitlements for x in e.services}
    known = set(s.scalars(select(Service.id).where(Service.id.in_(wanted))))
    missing = sorted(wanted - known)
    if missing:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"entitlements: unknown service {missing[0]}.")


def _set_entitlements(s: Session, pkg: Package, entitlements: list[wire.EntitlementIn]) -> None:
    _check_services(s, entitlements)
    existing = {e.id: e for e in pkg.entitlements}
    ids = [e.id for e in entitlements if e.id]
    if len(ids) != len(set(ids)):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "entitlements: the same entitlement id is listed twice.")
    kept: list[PackageEntitlement] = []
    for position, data in enumerate(entitlements):
        if data.id and data.id not in existing:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"entitlements: {data.id} is not an entitlement of this package.")
        ent = existing.get(data.id) if data.id else None
        if ent is None:
            ent = PackageEntitlement(id=new_id("ent"), package_id=pkg.id)
        ent.position, ent.units = position, data.units
        ent.services = [PackageEntitlementService(entitlement_id=ent.id, service_id=x.service_id, unit_cost=x.unit_cost)
                        for x in data.services]
        kept.append(ent)
    # Dropped template pools simply go: issued cards hold their own copies, never a reference.
    pkg.entitlements = kept


def create_package(s: Session, *, data: wire.PackageCreate) -> wire.Package:
    points, inclusive = vat.defaults(reference.settings(s), data.vat_rate, data.tax_inclusive)
    pkg = Package(id=new_id("pkg"), name=data.name, unit_type=data.unit_type, price=data.price,
                  tax_inclusive=inclusive, vat_basis_points=points, expiry_days=data.expiry_days, description=data.description,
                  active=data.active, created_at=utcnow())
    s.add(pkg)
    s.flush()
    _set_entitlements(s, pkg, data.entitlements)
    s.flush()
    events.record(s, kind="catalogue.changed", location_id=None, me=None, package_id=pkg.id, summary="package added")
    return to_wire(s, pkg)


def update_package(s: Session, *, package_id: str, data: wire.PackageUpdate) -> wire.Package:
    pkg = get_package(s, package_id)
    changes = data.model_dump(exclude_unset=True, exclude={"entitlements"})
    for field, value in changes.items():
        if value is None and field != "expiry_days":
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"{field}: may not be null.")
        if field == "vat_rate":
            pkg.vat_basis_points = vat.basis_points(value)
        else:
            setattr(pkg, field, value)
    if "entitlements" in data.model_fields_set:
        if data.entitlements is None:
            raise DomainError(ProblemCode.VALIDATION_ERROR, "entitlements: a package needs at least one entitlement.")
        _set_entitlements(s, pkg, data.entitlements)
    s.flush()
    events.record(s, kind="catalogue.changed", location_id=None, me=None, package_id=pkg.id, summary="package changed")
    return to_wire(s, pkg)
