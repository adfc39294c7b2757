"""`desk-tui admin import-services FILE` and `import-customers FILE`: a salon's price list and
client list moved in from a previous system, the way cards are (cards/imports.py): every line
checked first and each problem named by its line, then all or nothing; ``--dry-run`` writes
nothing at all.

Services, one per line (header row first, any order, case-insensitive):

    name, category      required
    duration_min        required, minutes (5 to 1440)
    price               required, minor units (cents; forints as they are), as the card import
    locations           optional: location names or ids separated by ";", default every location
    vat_rate            optional: percent ("27", "5.5" or "5,5"), default the organisation's rate
    tax_inclusive       optional: yes/no, true/false, 1/0: does the price include VAT (default
                        the organisation's; European salons type prices with VAT included)

Customers: ``name`` required, ``phone`` and ``email`` optional. A line naming a client already
on file (same name and phone, or same name and email when there is no phone) is refused, so a
file imported twice does not double the client list; a phone another client has is fine (a
couple sharing a landline), as at the desk.

Lines are numbered as a text editor or spreadsheet shows them: the header is line 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.contract import customers as customer_wire
from desk_tui.contract import reference as reference_wire
from desk_tui.contract.problems import ProblemCode
from desk_tui.server.admin import _open
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.phones import stored_digits
from desk_tui.server.customers.search import normalise
from desk_tui.server.customers.service import create_customer, phone_region
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import vat
from desk_tui.server.reference.models import Location, Service
from desk_tui.server.reference.service import create_service

MAX_ROWS = 20000
SERVICE_COLUMNS = {"name", "category", "duration_min", "price", "locations", "vat_rate", "tax_inclusive"}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
CUSTOMER_COLUMNS = {"name", "phone", "email"}

T = TypeVar("T")


class Rejected(Exception):
    """One line's problem: the sentence names the column."""


@dataclass
class ImportOutcome:
    what: str
    accepted: int = 0
    imported: int = 0
    dry_run: bool = True
    #: (line, sentence) for every line refused; nothing is imported while there is one
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _rows(text: str, *, required: set[str], known: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    if "\x00" in text:
        raise DomainError(ProblemCode.VALIDATION_ERROR, "The file contains NUL characters; it is not a CSV text file.")
    # Universal newlines and no byte-order mark: files saved by spreadsheets and old tills.
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=None))
    try:
        header = {(h or "").strip().lower() for h in (reader.fieldnames or [])}
        missing = sorted(required - header)
        if missing:
            raise DomainError(ProblemCode.VALIDATION_ERROR, f"The first line must name the columns; missing "
                                                            f"{', '.join(missing)} (known: {', '.join(sorted(known))}).")
        unknown = sorted(header - known - {""})
        if unknown:
            raise DomainError(ProblemCode.VALIDATION_ERROR,
                              f"Unknown column {unknown[0]!r}; known: {', '.join(sorted(known))}.")
        for n, raw in enumerate(reader, start=2):
            if n - 1 > MAX_ROWS:
                raise DomainError(ProblemCode.PAYLOAD_TOO_LARGE, f"At most {MAX_ROWS} lines per import; split the file.")
            row = {(k or "").strip().lower(): v.strip() if isinstance(v, str) else "" for k, v in raw.items()}
            if any(row.values()):
                yield reader.line_num, row
    except csv.Error as exc:
        raise DomainError(ProblemCode.VALIDATION_ERROR, f"This is not readable CSV: {exc}.") from None


def _model(make: Callable[[], T]) -> T:
    """A wire model built from the line: the API's own rules for a name, a price, a phone."""
    try:
        return make()
    except ValidationError as exc:
        first = exc.errors()[0]
        sentence = first["msg"].removeprefix("Value error, ")
        raise Rejected(f"{first['loc'][0] if first['loc'] else 'line'}: {sentence}") from None


def _whole(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Rejected(f"{name}: {value!r} is not a whole number.") from None


def _rate(value: str) -> float | None:
    """A VAT rate as a spreadsheet writes it: "27", "5.5", "5,5" or "27%"; empty: the organisation's."""
    if not value:
        return None
    try:
        rate = float(value.removesuffix("%").strip().replace(",", "."))
        vat.basis_points(rate)
    except ValueError:
        raise Rejected(f"vat_rate: {value!r} is not a percentage.") from None
    except DomainError as exc:
        raise Rejected(f"vat_rate: {exc.detail}") from None
    return rate


def _yes_no(value: str) -> bool | None:
    if not value:
        return None
    if value.lower() in YES | NO:
        return value.lower() in YES
    raise Rejected(f"tax_inclusive: {value!r} is not yes or no.")


def _run(db_url: str, file: Path, what: str, dry_run: bool, *, required: set[str], known: set[str],
         parse: Callable[[Session, dict[str, str]], T], write: Callable[[Session, T], None]) -> ImportOutcome:
    text = file.read_text(encoding="utf-8-sig", errors="strict")
    outcome = ImportOutcome(what=what, dry_run=dry_run)
    db = _open(db_url)
    try:
        with db.transaction() as s:
            parsed: list[T] = []
            for line, row in _rows(text, required=required, known=known):
                try:
                    parsed.append(parse(s, row))
                except Rejected as exc:
                    outcome.rejected.append((line, str(exc)))
            outcome.accepted = len(parsed)
            if not dry_run and not outcome.rejected:
                for item in parsed:
                    write(s, item)
                outcome.imported = len(parsed)
        return outcome
    finally:
        db.dispose()


def import_services(db_url: str, file: Path, *, dry_run: bool) -> ImportOutcome:
    seen: set[tuple[str, str]] = set()
    locations: dict[str, str] = {}

    def parse(s: Session, row: dict[str, str]) -> reference_wire.ServiceCreate:
        if not locations:
            for loc in s.scalars(select(Location)):
                locations[normalise(loc.name)] = locations[loc.id] = loc.id
        if not locations:
            raise DomainError(ProblemCode.NOT_FOUND, "No location yet; run `desk-tui admin init` first.")
        wanted = [x.strip() for x in row.get("locations", "").split(";") if x.strip()]
        unknown = [x for x in wanted if x not in locations and normalise(x) not in locations]
        if unknown:
            raise Rejected(f"locations: no location {unknown[0]!r}.")
        ids = sorted({locations.get(x) or locations[normalise(x)] for x in wanted} or set(locations.values()))
        data = _model(lambda: reference_wire.ServiceCreate(
            name=row.get("name", ""), category=row.get("category", ""),
            duration_min=_whole(row.get("duration_min", ""), "duration_min"),
            price=_whole(row.get("price", ""), "price"), location_ids=ids,
            vat_rate=_rate(row.get("vat_rate", "")), tax_inclusive=_yes_no(row.get("tax_inclusive", ""))))
        key = (normalise(data.name), normalise(data.category))
        if key in seen or any((normalise(x.name), normalise(x.category)) == key
                              for x in s.scalars(select(Service).where(Service.name == data.name))):
            raise Rejected(f"name: {data.category} › {data.name} is already on file.")
        seen.add(key)
        return data

    def write(s: Session, data: reference_wire.ServiceCreate) -> None:
        create_service(s, data=data)

    return _run(db_url, file, "service", dry_run, required={"name", "category", "duration_min", "price"},
                known=SERVICE_COLUMNS, parse=parse, write=write)


def import_customers(db_url: str, file: Path, *, dry_run: bool) -> ImportOutcome:
    seen: set[tuple[str, str]] = set()

    def parse(s: Session, row: dict[str, str]) -> customer_wire.CustomerCreate:
        data = _model(lambda: customer_wire.CustomerCreate(name=row.get("name", ""), phone=row.get("phone") or None,
                                                           email=row.get("email") or None))
        digits = stored_digits(data.phone, region=phone_region(s))
        key = (normalise(data.name), digits or (data.email or "").lower())
        if key in seen:
            raise Rejected(f"name: {data.name} is on an earlier line already.")
        if key[1]:
            same = Customer.phone_digits == digits if digits else Customer.email == data.email
            for c in s.scalars(select(Customer).where(same)):
                if normalise(c.name) == key[0]:
                    raise Rejected(f"name: {data.name} is already on file ({c.id}).")
        seen.add(key)
        return data

    def write(s: Session, data: customer_wire.CustomerCreate) -> None:
        create_customer(s, data=data)

    return _run(db_url, file, "customer", dry_run, required={"name"}, known=CUSTOMER_COLUMNS, parse=parse, write=write)
