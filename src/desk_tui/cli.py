"""The `desk-tui` command. Server modules are imported only by the subcommands that need them,
so the TUI's start-up never pays for FastAPI or SQLAlchemy."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING

from desk_tui import __version__, admin_cli

if TYPE_CHECKING:
    from desk_tui.client.settings import ClientSettings


def _client_options(parser: argparse.ArgumentParser, default: object) -> None:
    # On the main parser and on `doctor`, so both `desk-tui --server URL doctor` and
    # `desk-tui doctor --server URL` work; SUPPRESS keeps a subparser from erasing the first.
    parser.add_argument("--server", metavar="URL", default=default,
                        help="booking API to use (default: DESK_SERVER, the config file, or the embedded demo)")
    parser.add_argument("--log", metavar="FILE", type=Path, default=default,
                        help="write the support log here (default: desk-tui.log in the user log dir)")
    parser.add_argument("--ca-bundle", metavar="PEM", type=Path, default=default,
                        help="trust the server's certificate only if this CA signed it (a salon's own CA; "
                             "default: DESK_CA_BUNDLE, the config file, or the public CAs)")
    parser.add_argument("--insecure", action="store_true", default=default,
                        help="send PINs over plain http:// to another machine too (a trusted network only)")


def _serve_options(serve: argparse.ArgumentParser) -> None:
    # Every default is None ("not given"), so DESK_SERVER_* and the settings' own defaults apply.
    serve.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in the user data dir)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8765)")
    serve.add_argument("--demo", action="store_true", default=None, help="seed the demo salon on first start")
    serve.add_argument("--workers", type=int, help="API worker processes (PostgreSQL; default 1)")
    serve.add_argument("--token-ttl", metavar="DURATION", help="how long a sign-in lasts (default 12h)")
    serve.add_argument("--sale-hold-timeout", metavar="DURATION",
                       help="an idle cart's holds are released after this (default 30m)")
    serve.add_argument("--housekeeping-every", metavar="DURATION",
                       help="how often idle carts and expired cards are dealt with (default 1m; 0: never)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error", "critical"])
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=None,
                       help="a log line per request (default off)")
    serve.add_argument("--log-format", choices=["text", "json"], help="json: one object per line, with the request id")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS",
                       help="proxies whose X-Forwarded-* headers are believed (default 127.0.0.1,::1; * for any)")
    serve.add_argument("--allowed-hosts", metavar="HOSTS",
                       help="Host names answered, comma-separated (default * for any)")
    serve.add_argument("--ssl-certfile", metavar="PEM", help="serve HTTPS with this certificate (chain)")
    serve.add_argument("--ssl-keyfile", metavar="PEM", help="the certificate's private key")
    serve.add_argument("--smtp-host", metavar="HOST", help="the salon's mail server, for reminder e-mails (default: none)")
    serve.add_argument("--smtp-port", type=int, metavar="PORT", help="the mail server's port (default 587)")
    serve.add_argument("--smtp-user", metavar="USER", help="sign in to the mail server as USER "
                                                           "(the password only from DESK_SERVER_SMTP_PASSWORD)")
    serve.add_argument("--smtp-from", metavar="ADDRESS", help="the sender address of reminder e-mails")
    serve.add_argument("--smtp-starttls", action=argparse.BooleanOptionalAction, default=None,
                       help="STARTTLS before signing in (default on)")
    serve.add_argument("--reminder-days", type=int, metavar="N",
                       help="remind of cards expiring within N days (default 14)")
    serve.add_argument("--print-settings", action="store_true",
                       help="print the effective settings (the database password masked) and exit")


#: what `pip install 'desk-tui[server]'` adds (pyproject.toml), as they are imported
SERVER_PACKAGES = frozenset({"fastapi", "starlette", "uvicorn", "sse_starlette", "sqlalchemy", "alembic",
                             "pydantic_settings", "psycopg", "argon2", "phonenumbers"})

#: `serve` options that are server settings (the rest say what to do with them)
_SERVE_SETTINGS = ("db", "host", "port", "demo", "workers", "token_ttl", "sale_hold_timeout", "housekeeping_every",
                   "log_level", "access_log", "log_format", "forwarded_allow_ips", "allowed_hosts", "ssl_certfile",
                   "ssl_keyfile", "smtp_host", "smtp_port", "smtp_user", "smtp_from", "smtp_starttls", "reminder_days")


def _serve(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from desk_tui.server.settings import load_server_settings

    flags = {("db_url" if name == "db" else name): getattr(args, name) for name in _SERVE_SETTINGS}
    try:
        settings = load_server_settings(**flags)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else ""
            where = (f"--{name.replace('_', '-')} or DESK_SERVER_{name.upper()}".replace("--db-url", "--db")
                     .replace("SERVER_DB_URL", "SERVER_DB") if name else "settings")
            print(f"desk-tui serve: {where}: {error.get('msg')}", file=sys.stderr)
        return 2
    from desk_tui.server.serve import print_settings, run

    if args.print_settings:
        print_settings(settings)
        return 0
    run(settings)
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="desk-tui", description="The front desk of salons, spas and clinics.")
    p.add_argument("--version", action="version", version=f"desk-tui {__version__}")
    _client_options(p, None)
    p.add_argument("--dev", action="store_true",
                   help="for developers: reload styles/*.tcss when saved, log to `textual console` (textual-dev)")
    sub = p.add_subparsers(dest="command")

    doctor = sub.add_parser("doctor", help="print what remote support asks first")
    _client_options(doctor, argparse.SUPPRESS)

    from desk_tui.web_options import add_web_parser

    add_web_parser(sub, lambda web: _client_options(web, argparse.SUPPRESS))

    _serve_options(sub.add_parser(
        "serve", help="run the booking API",
        description="Run the booking API. Every option can also be set as a DESK_SERVER_* variable "
                    "(--token-ttl as DESK_SERVER_TOKEN_TTL); an option given here wins."))

    admin = sub.add_parser("admin", help="bootstrap a real deployment")
    admin.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in the user data dir)")
    asub = admin.add_subparsers(dest="admin_command", required=True)
    init = asub.add_parser("init", help="set the business details and create a location")
    init.add_argument("--business-name", required=True)
    init.add_argument("--currency", default="EUR")
    init.add_argument("--decimals", type=int, default=2)
    init.add_argument("--timezone", default="UTC")
    init.add_argument("--phone-region", default="HU",
                      help="the country whose national form phone numbers are typed in (ISO code, e.g. HU)")
    init.add_argument("--location", required=True, help="the location's name")
    create = asub.add_parser("create-staff", help="add a staff member who signs in")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["reception", "manager", "owner"], required=True)
    create.add_argument("--location", action="append", required=True, help="location name (repeatable)")
    create.add_argument("--pin", help="4-12 digits (asked for when omitted)")
    setpin = asub.add_parser("set-pin", help="change a staff member's PIN")
    setpin.add_argument("--username", required=True)
    setpin.add_argument("--pin", help="4-12 digits (asked for when omitted)")
    deactivate = asub.add_parser("deactivate-staff", help="stop a staff member signing in; signs them out everywhere")
    deactivate.add_argument("--username", required=True)
    unlock = asub.add_parser("unlock", help="let a username locked out by wrong PINs sign in again")
    unlock.add_argument("--username", required=True)
    admin_cli.add_parsers(asub)
    return p


def _ask_pin(given: str | None) -> str:
    if given:
        return given
    pin = getpass.getpass("PIN: ")
    if getpass.getpass("PIN again: ") != pin:
        raise SystemExit("The two PINs differ; nothing was changed.")
    return pin


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _admin(args: argparse.Namespace) -> int:
    from desk_tui.server import admin
    from desk_tui.server.errors import DomainError
    from desk_tui.server.settings import default_db_url

    url = args.db or default_db_url(demo=False)
    try:
        if args.admin_command == "init":
            loc = admin.init(url, business_name=args.business_name, currency=args.currency, decimals=args.decimals,
                             timezone=args.timezone, location=args.location, phone_region=args.phone_region)
            print(f"Location {args.location!r} ready ({loc}).")
        elif args.admin_command == "create-staff":
            staff_id = admin.create_staff(url, username=args.username, name=args.name, role=args.role,
                                          pin=_ask_pin(args.pin), locations=args.location)
            print(f"{args.name} can now sign in as {args.username.lower()} ({staff_id}).")
        elif args.admin_command == "set-pin":
            admin.set_pin(url, username=args.username, pin=_ask_pin(args.pin))
            print(f"PIN changed for {args.username.lower()}; signed out everywhere.")
        elif args.admin_command == "deactivate-staff":
            ended = admin.deactivate_staff(url, username=args.username)
            print(f"{args.username.lower()} can no longer sign in; signed out of {_count(ended, 'session')}.")
        elif args.admin_command == "unlock":
            forgotten = admin.unlock(url, username=args.username)
            print(f"{args.username.lower()} can sign in again ({_count(forgotten, 'wrong PIN')} forgotten).")
        elif args.admin_command in admin_cli.COMMANDS:
            return admin_cli.run(args, url)
    except DomainError as exc:
        print(f"desk-tui admin: {exc.detail}", file=sys.stderr)
        return 2
    return 0


def dev_mode(environ: MutableMapping[str, str]) -> None:
    """What `textual run --dev` turns on, for our own entry point: Textual's debug feature (it
    watches the app's style sheets and reloads them when one is saved) and devtools (the app's
    log, print() and events go to a `textual console` running in another terminal). Textual
    reads the TEXTUAL variable when the app is built, so this runs before."""
    features = {f.strip() for f in environ.get("TEXTUAL", "").split(",") if f.strip()}
    environ["TEXTUAL"] = ",".join(sorted(features | {"debug", "devtools"}))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("serve", "admin"):
        try:
            return _serve(args) if args.command == "serve" else _admin(args)
        except ModuleNotFoundError as exc:
            return _extra_missing(exc, args.command, "server", SERVER_PACKAGES)
    if args.command == "web":
        try:
            from desk_tui.web import run
        except ModuleNotFoundError as exc:
            return _extra_missing(exc, "web", "web", WEB_PACKAGES)
        return run(args)
    return _client(args)


#: what `pip install 'desk-tui[web]'` adds (pyproject.toml), as they are imported
WEB_PACKAGES = frozenset({"textual_serve", "aiohttp", "aiohttp_jinja2", "jinja2"})


def _extra_missing(exc: ModuleNotFoundError, command: str, extra: str, packages: frozenset[str]) -> int:
    """A package of an extra that is not installed here: say which extra adds it (exit 2). Any
    other missing module is a bug, and raised as it is."""
    if (exc.name or "").split(".")[0] not in packages:
        raise exc
    part = "server part" if extra == "server" else "browser part"
    print(f"desk-tui {command}: the {part} of desk-tui is not installed here ({exc.name} is "
          f"missing): add it with pip install 'desk-tui[{extra}]'.", file=sys.stderr)
    return 2


def client_overrides(args: argparse.Namespace) -> dict[str, object]:
    """The terminal app's options (_client_options), as load_settings and the app take them."""
    return {"server": args.server, "log_file": args.log, "ca_bundle": args.ca_bundle, "insecure": args.insecure}


def client_settings(args: argparse.Namespace, command: str) -> ClientSettings | None:
    """The client settings the options, DESK_* and config.toml give; None after saying what is wrong."""
    from desk_tui.client.settings import SettingsError, load_settings

    try:
        return load_settings(**client_overrides(args))
    except SettingsError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return None


def _client(args: argparse.Namespace) -> int:
    from desk_tui.client.logging_setup import setup_logging
    from desk_tui.client.paths import Paths

    paths = Paths.from_env()
    if args.command == "doctor":
        from desk_tui.client.doctor import run_doctor

        settings = client_settings(args, "desk-tui")
        if settings is None:
            return 2
        log_file = settings.log_file or paths.log_file
        setup_logging(log_file)
        return run_doctor(settings, paths, sys.stdout, log_file=log_file)
    # The TUI paints first and reads its settings right after (a config file that names
    # another log file takes over then): a fresh desk's login frame needs no pydantic at all.
    setup_logging(args.log or paths.log_file)
    if args.dev:
        dev_mode(os.environ)
    from desk_tui.ui.main import launch

    try:
        return launch(paths=paths, overrides=client_overrides(args))
    except Exception:
        # Textual prints the traceback on exit; the log keeps it for `desk-tui doctor` and support.
        import logging

        logging.getLogger("desk_tui").exception("desk-tui stopped on an unexpected error")
        raise


if __name__ == "__main__":
    raise SystemExit(main())
