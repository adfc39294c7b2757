"""`desk-tui admin …`: bootstrap a real, empty deployment from a shell on the server."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.reference import ROLE_RANK
from desk_tui.server import migrate
from desk_tui.server.auth import service as auth
from desk_tui.server.auth import throttle
from desk_tui.server.auth.pins import hash_pin
from desk_tui.server.customers.search import normalise
from desk_tui.server.database import Database, new_id
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import vat
from desk_tui.server.reference.models import DEFAULT_PHONE_REGION, Location, OrgSettings, Staff, StaffLocation


def _open(db_url: str) -> Database:
    db = Database(db_url)
    migrate.upgrade(db.engine)
    return db


def _check_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "A PIN is 4 to 12 digits.")


def init(db_url: str, *, business_name: str, currency: str, decimals: int, timezone: str, location: str,
         phone_region: str = DEFAULT_PHONE_REGION, vat_rate: float = 0.0, prices_include_tax: bool = True) -> str:
    from zoneinfo import ZoneInfo

    import phonenumbers

    ZoneInfo(timezone)  # fail early on a typo rather than at the first booking
    phone_region = phone_region.upper()
    if phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "phone region: a two-letter country code such as HU or AT.")
    vat_points = vat.basis_points(vat_rate, field="vat rate")
    db = _open(db_url)
    with db.transaction() as s:
        row = s.scalar(select(OrgSettings))
        if row is None:
            s.add(OrgSettings(id=1, business_name=business_name, currency=currency.upper(), currency_decimals=decimals,
                              timezone=timezone, phone_region=phone_region, vat_basis_points=vat_points,
                              prices_include_tax=prices_include_tax))
        existing = s.scalar(select(Location).where(Location.name == location))
        if existing is not None:
            return existing.id
        loc = Location(id=new_id("loc"), name=location, address="")
        s.add(loc)
        return loc.id


def create_staff(db_url: str, *, username: str, name: str, role: str, pin: str, locations: list[str]) -> str:
    if role not in ROLE_RANK:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"role must be one of {', '.join(ROLE_RANK)}.")
    _check_pin(pin)
    db = _open(db_url)
    with db.transaction() as s:
        if s.scalar(select(Staff).where(Staff.username == username.lower())) is not None:
            raise DomainError(ProblemCode.DUPLICATE, f"{username} already exists; use set-pin to change the PIN.")
        wanted = {normalise(x) for x in locations}
        locs = [loc for loc in s.scalars(select(Location)) if normalise(loc.name) in wanted or loc.id in locations]
        if not locs:
            raise DomainError(ProblemCode.NOT_FOUND, "No such location; run `desk-tui admin init` first.")
        staff = Staff(id=new_id("stf"), name=name, username=username.lower(), pin_hash=hash_pin(pin), role=role,
                      bookable=True, active=True)
        staff.locations = [StaffLocation(location_id=loc.id) for loc in locs]
        s.add(staff)
        return staff.id


def set_pin(db_url: str, *, username: str, pin: str) -> None:
    _check_pin(pin)
    db = _open(db_url)
    with db.transaction() as s:
        staff = _staff(s, username)
        staff.pin_hash = hash_pin(pin)
        # Whoever learnt the old PIN may already hold a token: the change signs every terminal out.
        auth.revoke_tokens(s, staff_id=staff.id)


def deactivate_staff(db_url: str, *, username: str) -> int:
    """The staff member can no longer sign in, and every terminal they are signed in on is
    signed out. Returns how many sessions ended."""
    db = _open(db_url)
    with db.transaction() as s:
        staff = _staff(s, username)
        staff.active = False
        return auth.revoke_tokens(s, staff_id=staff.id)


def unlock(db_url: str, *, username: str) -> int:
    """Forget the username's wrong PINs from every address. Returns how many were forgotten."""
    db = _open(db_url)
    with db.transaction() as s:
        return throttle.unlock(s, username=username.strip().lower())


def set_membership_grace(db_url: str, days: int | None) -> None:
    """The organisation's ``membership_grace_days``: every worker reads it with the next request."""
    db = _open(db_url)
    with db.transaction() as s:
        s.execute(update(OrgSettings).values(membership_grace_days=days))


def set_vat_defaults(db_url: str, rate: float, *, prices_include_tax: bool | None) -> tuple[float, bool]:
    """The organisation's standard VAT rate and (unless None) whether prices are typed with VAT:
    what new items that name neither take (reference/vat.py). Items on file keep their own rate,
    and completed sales what they were sold at. Every worker reads it with the next request.
    Returns the rate and the pricing now in force."""
    points = vat.basis_points(rate, field="vat rate")
    db = _open(db_url)
    with db.transaction() as s:
        row = s.scalar(select(OrgSettings))
        if row is None:
            raise DomainError(ProblemCode.NOT_FOUND, "The salon is not set up yet; run `desk-tui admin init` first.")
        row.vat_basis_points = points
        if prices_include_tax is not None:
            row.prices_include_tax = prices_include_tax
        return vat.percent(points), row.prices_include_tax


def _staff(s: Session, username: str) -> Staff:
    staff = s.scalar(select(Staff).where(Staff.username == username.strip().lower()))
    if staff is None:
        raise DomainError(ProblemCode.NOT_FOUND, f"No staff member signs in as {username}.")
    return staff
