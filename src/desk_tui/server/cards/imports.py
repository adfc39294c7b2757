"""Cards moved in from a previous system by CSV: every row checked first, then all or nothing.

Header row (any order, case-insensitive); one card per row:

    package_id      required; a template of this catalogue (inactive ones too: old stock)
    customer_id     an existing customer, or leave empty and give
    customer_name   (with optional phone, email) to create the customer
    number          optional card number, unique
    issued_on       YYYY-MM-DD, default today
    expires_on      YYYY-MM-DD, default the template's delay from issued_on
    price_paid      minor units, default the template's price
    remaining       units left, default all; "3;2" for a bundle's pools in order
    note            optional

Rows are numbered as a spreadsheet shows them (the header is row 1). A dry run reports what
would happen and writes nothing; a real run writes nothing either unless every row is accepted.
Units already used in the old system are one ``redeem`` entry per pool with no service
("used before import"), so "3 of 5 used" reads right from the first day.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.contract import customers as customer_wire
from desk_tui.contract.common import NAME_MAX, PRICE_MAX, TEXT_MAX, UNITS_MAX
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card
from desk_tui.server.cards.service import issue, number_key
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import create_customer, record_activity
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.given import service as given
from desk_tui.server.packages.models import Package
from desk_tui.server.reference.calendar import business_date, local_midnight
from desk_tui.server.reference.money import money

MAX_ROWS = 5000
COLUMNS = {"package_id", "customer_id", "customer_name", "phone", "email", "number", "issued_on", "expires_on",
           "price_paid", "remaining", "note"}


class Rejected(Exception):
    def __init__(self, code: ProblemCode, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass
class Row:
    line: int
    package: Package
    customer_id: str | None
    new_customer: customer_wire.CustomerCreate | None
    number: str | None
    issued_on: date
    expires_on: date | None
    price_paid: int
    remaining: list[int]
    note: str | None


def _date(value: str, name: str) -> date:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise Rejected(ProblemCode.VALIDATION_ERROR, f"{name}: {value!r} is not a date (YYYY-MM-DD).") from None
    if not date(1990, 1, 1) <= d <= wire.LAST_DATE:
        raise Rejected(ProblemCode.VALIDATION_ERROR, f"{name}: {value} is out of range.")
    return d


def _int(value: str, name: str, low: int, high: int) -> int:
    try:
        n = int(value)
    except ValueError:
        raise Rejected(ProblemCode.VALIDATION_ERROR, f"{name}: {value!r} is not a whole number.") from None
    if not low <= n <= high:
        raise Rejected(ProblemCode.VALIDATION_ERROR, f"{name}: {n} is out of range.")
    return n


def _parse(s: Session, raw: dict[str, str], line: int, today: date, numbers: set[str | None]) -> Row:
    def get(k: str) -> str:
        return (raw.get(k) or "").strip()

    package = s.get(Package, get("package_id")) if get("package_id") else None
    if package is None:
        raise Rejected(ProblemCode.NOT_FOUND, f"package_id: no package {get('package_id')!r}.")
    customer_id, new_customer = get("customer_id") or None, None
    if customer_id is not None:
        if s.get(Customer, customer_id) is None:
            raise Rejected(ProblemCode.NOT_FOUND, f"customer_id: no customer {customer_id!r}.")
    else:
        try:
            new_customer = customer_wire.CustomerCreate(name=get("customer_name")[:NAME_MAX + 1],
                                                        phone=get("phone") or None, email=get("email") or None)
        except ValidationError as exc:
            first = exc.errors()[0]
            field_name = "customer_name" if first["loc"][0] == "name" else first["loc"][0]
            raise Rejected(ProblemCode.VALIDATION_ERROR, f"{field_name}: {first['msg']}") from None
    number = get("number") or None
    if number is not None:
        key = number_key(number)
        if len(number) > wire.NUMBER_MAX:
            raise Rejected(ProblemCode.VALIDATION_ERROR, f"number: longer than {wire.NUMBER_MAX} characters.")
        if key in numbers or s.scalar(select(Card.id).where(Card.number_key == key)) is not None:
            raise Rejected(ProblemCode.DUPLICATE, f"number: card {number} already exists.")
        numbers.add(key)
    issued_on = _date(get("issued_on"), "issued_on") if get("issued_on") else today
    if issued_on > today:
        raise Rejected(ProblemCode.VALIDATION_ERROR, "issued_on: in the future.")
    expires_on = _date(get("expires_on"), "expires_on") if get("expires_on") else (
        issued_on + timedelta(days=package.expiry_days) if package.expiry_days else None)
    price = _int(get("price_paid"), "price_paid", 0, PRICE_MAX) if get("price_paid") else package.price
    pools = [e.units for e in package.entitlements]
    if get("remaining"):
        parts = get("remaining").split(";")
        if len(parts) != len(pools):
            raise Rejected(ProblemCode.VALIDATION_ERROR, f"remaining: {package.name} has {len(pools)} pool(s); "
                                               f"give {len(pools)} number(s) separated by ';'.")
        remaining = [_int(p.strip(), "remaining", 0, UNITS_MAX) for p in parts]
        if any(r > p for r, p in zip(remaining, pools, strict=True)):
            raise Rejected(ProblemCode.VALIDATION_ERROR, f"remaining: more than {package.name} holds ({';'.join(map(str, pools))}).")
    else:
        remaining = pools
    note = get("note")[:TEXT_MAX] or None
    return Row(line, package, customer_id, new_customer, number, issued_on, expires_on, price, remaining, note)


def _write(s: Session, row: Row, me: Principal, now: datetime) -> None:
    if row.customer_id is not None:
        customer_id = row.customer_id
    else:
        assert row.new_customer is not None  # _parse reads a new customer when the row names none
        customer_id = create_customer(s, data=row.new_customer, me=me).id
    at = now if row.issued_on == business_date(s, now) else local_midnight(s, row.issued_on)
    card = issue(s, package=row.package, customer_id=customer_id, me=me, now=at, number=row.number,
                 expires_on=row.expires_on, price_paid=row.price_paid,
                 note=f"Imported from the previous system{': ' + row.note if row.note else ''}")
    for ent, tmpl, left in zip(card.entitlements, row.package.entitlements, row.remaining, strict=True):
        if tmpl.units - left:
            ledger.append(s, card, kind="redeem", me=me, at=at, entitlement_id=ent.id, units=tmpl.units - left,
                          used=tmpl.units - left, note="Used before import")
    ledger.settle_status(card, ledger.card_pools(s, card))
    # Not sold here: on record as given without a sale (the owner's import), like a manager's card.
    given.record(s, kind="card", customer_id=customer_id, what=row.package.name, price=row.price_paid,
                 reason=given.IMPORT_REASON, me=me, at=now, card_id=card.id)
    remaining = " + ".join(str(x) for x in row.remaining)
    record_activity(s, at=now, customer_id=customer_id, kind="card_imported", card_id=card.id, me=me,
                    summary=f"{row.package.name} imported from the previous system ({remaining} left, paid "
                            f"{money(s, row.price_paid)})")


def import_cards(s: Session, *, text: str, dry_run: bool, me: Principal, now: datetime | None = None
                 ) -> wire.ImportResult:
    now = now or utcnow()
    if "\x00" in text:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The file contains NUL characters; it is not a CSV text file.")
    # Universal newlines: files saved on old tills end lines with a bare \r.
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=None))
    try:
        header = {(h or "").strip().lower() for h in (reader.fieldnames or [])}
    except csv.Error as exc:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"This is not readable CSV: {exc}.") from None
    if "package_id" not in header or not ({"customer_id", "customer_name"} & header):
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The first row must name the columns, with package_id and "
                                              "customer_id or customer_name.")
    unknown = sorted(header - COLUMNS - {""})
    if unknown:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"Unknown column {unknown[0]!r}; known: {', '.join(sorted(COLUMNS))}.")
    today = business_date(s, now)
    rows: list[Row] = []
    rejected: list[wire.ImportRejection] = []
    numbers: set[str | None] = set()
    try:
        for n, raw in enumerate(reader, start=2):
            if n - 1 > MAX_ROWS:
                raise DomainError(ProblemCode.PAYLOAD_TOO_LARGE, f"At most {MAX_ROWS} cards per import; split the file.")
            raw = {(k or "").strip().lower(): v if isinstance(v, str) else "" for k, v in raw.items()}
            if not any(v.strip() for v in raw.values()):
                continue
            try:
                rows.append(_parse(s, raw, n, today, numbers))
            except Rejected as exc:
                rejected.append(wire.ImportRejection(row=n, code=exc.code, detail=exc.detail))
    except csv.Error as exc:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"This is not readable CSV: {exc}.") from None
    imported = 0
    if not dry_run and not rejected:
        for row in rows:
            _write(s, row, me, now)
        s.flush()
        imported = len(rows)
    return wire.ImportResult(accepted=len(rows), rejected=rejected, imported=imported, dry_run=dry_run)
