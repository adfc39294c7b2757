"""The operator's `desk-tui admin` commands beyond bootstrapping (cli.py has init, create-staff,
set-pin, deactivate-staff, unlock): backup and restore, migrations, the staff list, a PIN reset,
the CSV imports, the ledger's check, the grace of unpaid memberships and the VAT defaults. Like cli.py, nothing of the server is imported until a
command runs."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

COMMANDS = ("backup", "restore", "migrate", "list-staff", "reset-pin", "import-services", "import-customers",
            "verify-ledger", "send-reminders", "membership-grace", "vat-rate")


def add_parsers(asub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = asub.add_parser("backup", help="copy the database to FILE while the server runs (SQLite file or "
                                            "pg_dump custom format)")
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = asub.add_parser("restore", help="put a backup back into the database (stop the servers first)")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--force", action="store_true", help="replace a database that already holds data")
    mig = asub.add_parser("migrate", help="bring the database schema up to this version")
    mig.add_argument("--check", action="store_true",
                     help="change nothing; exit 1 when the database is behind this version")
    asub.add_parser("list-staff", help="everyone on file: username, role, locations, signed-in terminals")
    reset = asub.add_parser("reset-pin", help="an owner gives a staff member a new random PIN; signs them out")
    reset.add_argument("--username", required=True, help="whose PIN is reset")
    reset.add_argument("--owner", required=True, help="the owner who approves it (asked for their PIN)")
    reset.add_argument("--owner-pin", help="the owner's PIN (asked for when omitted)")
    for what in ("services", "customers"):
        imp = asub.add_parser(f"import-{what}", help=f"add {what} from a CSV file: checked first, all or nothing")
        imp.add_argument("file", type=Path, metavar="FILE")
        imp.add_argument("--dry-run", action="store_true", help="check every line and write nothing")
    asub.add_parser("verify-ledger", help="check every card's ledger against its hash chain; exit 1 naming each "
                                          "card whose entries were edited, deleted or reordered")
    remind = asub.add_parser("send-reminders", help="e-mail the reminders due (cards expiring soon, membership "
                                                    "months due) through DESK_SERVER_SMTP_*, each event once")
    remind.add_argument("--dry-run", action="store_true", help="list what would be sent; send and record nothing")
    grace = asub.add_parser("membership-grace", help="how many days an unpaid membership keeps its benefits after "
                                                     "its payment fell due (default 14); 'off': never suspended, "
                                                     "only warned of at checkout")
    grace.add_argument("days", metavar="DAYS|off")
    rate = asub.add_parser("vat-rate", help="the salon's standard VAT rate in percent (27, 5.5), which new items that "
                                            "name none take; items on file and completed sales keep theirs")
    rate.add_argument("rate", type=float, metavar="RATE")
    typed = rate.add_mutually_exclusive_group()
    typed.add_argument("--prices-exclude-vat", dest="prices_include_tax", action="store_false", default=None,
                       help="new prices are typed without VAT")
    typed.add_argument("--prices-include-vat", dest="prices_include_tax", action="store_true", default=None,
                       help="new prices are typed with VAT included (left out: as before)")


def run(args: argparse.Namespace, url: str) -> int:
    """One of COMMANDS; DomainError goes to the caller, which prints its sentence."""
    from sqlalchemy.exc import OperationalError

    try:
        return _run(args, url)
    except OperationalError as exc:
        # Not a traceback for a server that is down or a wrong password: what the driver said.
        print(f"desk-tui admin: cannot use the database: {str(exc.orig).strip()}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, url: str) -> int:
    command = args.admin_command
    if command == "backup":
        from desk_tui.server.admin_backup import backup

        print(backup(url, args.file))
    elif command == "restore":
        from desk_tui.server.admin_backup import restore

        print(restore(url, args.file, force=args.force))
    elif command == "migrate":
        return _migrate(url, check=args.check)
    elif command == "list-staff":
        _list_staff(url)
    elif command == "membership-grace":
        from desk_tui.server.admin import set_membership_grace

        days = None if args.days.strip().lower() == "off" else args.days
        if days is not None and (not days.isdigit() or int(days) > 365):
            print("desk-tui admin: DAYS is a whole number of days, 0 to 365, or off.", file=sys.stderr)
            return 2
        set_membership_grace(url, None if days is None else int(days))
        print("Unpaid memberships are only warned of at checkout." if days is None else
              f"Unpaid memberships keep their benefits {days} day(s) after their payment fell due.")
    elif command == "vat-rate":
        from desk_tui.server.admin import set_vat_defaults

        rate, inclusive = set_vat_defaults(url, args.rate, prices_include_tax=args.prices_include_tax)
        print(f"New items take VAT {rate:g}% unless they name a rate, their prices typed "
              f"{'with VAT included' if inclusive else 'without VAT'}; items on file and completed sales keep theirs.")
    elif command == "send-reminders":
        from desk_tui.server.reminders import command as reminders

        return reminders.run(url, dry_run=args.dry_run)
    elif command == "reset-pin":
        from desk_tui.server.admin_staff import reset_pin

        owner_pin = args.owner_pin or getpass.getpass(f"PIN of {args.owner}: ")
        pin, ended = reset_pin(url, username=args.username, owner=args.owner, owner_pin=owner_pin)
        print(f"New PIN for {args.username.lower()}: {pin} (shown once; give it to them in person). "
              f"Signed out of {ended} session{'' if ended == 1 else 's'}.")
    elif command == "verify-ledger":
        return _verify_ledger(url)
    else:
        return _import(url, args)
    return 0


def _verify_ledger(url: str) -> int:
    from desk_tui.server.admin_ledger import verify_ledger

    check = verify_ledger(url)
    for problem in check.problems:
        print(problem)
    checked = (f"Checked {check.cards} card{'' if check.cards == 1 else 's'} and {check.entries} ledger "
               f"entr{'y' if check.entries == 1 else 'ies'}")
    if check.problems:
        n = len(check.problems)
        print(f"{checked}: {n} card{' was' if n == 1 else 's were'} changed behind the API's back.")
        return 1
    print(f"{checked}: every entry is as it was written.")
    return 0


def _migrate(url: str, *, check: bool) -> int:
    from desk_tui.server import migrate
    from desk_tui.server.database import Database, sqlite_path

    path = sqlite_path(url)
    if check and path is not None and not path.exists():
        print(f"desk-tui admin: there is no database at {path}.", file=sys.stderr)
        return 1
    db = Database(url)
    try:
        state = migrate.state(db.engine)
        if state.unknown:
            print(f"desk-tui admin: the database is at revision {state.current}, which this desk-tui "
                  f"({migrate.head_revision()}) does not know: a newer version migrated it; upgrade desk-tui.",
                  file=sys.stderr)
            return 1
        if check:
            if state.behind:
                print(f"desk-tui admin: the database is at revision {state.current or 'none (empty)'}, behind this "
                      f"version's {state.head}: run `desk-tui admin --db URL migrate` (or start the server, "
                      "which migrates).", file=sys.stderr)
                return 1
            print(f"The database is at {state.head}, this version's schema.")
            return 0
        migrate.upgrade(db.engine)
        after = migrate.current_revision(db.engine)
        if state.current == after:
            print(f"The database is already at {after}, this version's schema.")
        else:
            print(f"The database was migrated from {state.current or 'empty'} to {after}.")
        return 0
    finally:
        db.dispose()


def _list_staff(url: str) -> None:
    from desk_tui.server.admin_staff import list_staff

    rows = list_staff(url)
    table = [("USERNAME", "NAME", "ROLE", "STATUS", "SIGNED IN", "LOCATIONS")]
    for r in rows:
        table.append((r.username or "—", r.name, r.role, "active" if r.active else "deactivated",
                      str(r.sessions), ", ".join(r.locations)))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])


def _import(url: str, args: argparse.Namespace) -> int:
    from desk_tui.server import admin_imports

    do = admin_imports.import_services if args.admin_command == "import-services" else admin_imports.import_customers
    outcome = do(url, args.file, dry_run=args.dry_run)
    for line, sentence in outcome.rejected:
        print(f"{args.file}:{line}: {sentence}", file=sys.stderr)
    plural = f"{outcome.what}{'' if outcome.accepted == 1 else 's'}"
    if outcome.rejected:
        print(f"Nothing imported: {len(outcome.rejected)} line(s) have a problem; fix them and run it again "
              f"({outcome.accepted} line(s) were fine).", file=sys.stderr)
        return 1
    if outcome.dry_run:
        print(f"{outcome.accepted} {plural} would be imported (dry run: nothing was written).")
    else:
        print(f"Imported {outcome.imported} {plural}.")
    return 0
