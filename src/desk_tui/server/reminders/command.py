"""`desk-tui admin --db URL send-reminders [--dry-run]`: the housekeeping job's reminders, now.

The mail server is the one `serve` is given, read from the same DESK_SERVER_SMTP_* variables (a
dry run needs none). What is printed is for the operator: one line per reminder, then the counts.
"""

from __future__ import annotations

import smtplib
import sys

from pydantic import ValidationError

from desk_tui.server.admin import _open
from desk_tui.server.reminders.mailer import MailSettings
from desk_tui.server.reminders.service import Outcome, send_reminders
from desk_tui.server.settings import ServerSettings


def run(url: str, *, dry_run: bool) -> int:
    try:
        settings = ServerSettings(db_url=url)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"desk-tui admin: DESK_SERVER_* settings: {error.get('msg')}", file=sys.stderr)
        return 2
    if not dry_run and not settings.mail_configured:
        print("desk-tui admin: no mail server is set: give DESK_SERVER_SMTP_HOST and DESK_SERVER_SMTP_FROM "
              "(and DESK_SERVER_SMTP_USER / _PASSWORD if it asks), or try --dry-run.", file=sys.stderr)
        return 2
    db = _open(url)
    try:
        outcome = send_reminders(db, mail=MailSettings.of(settings) if settings.mail_configured else None,
                                 card_days=settings.reminder_days, dry_run=dry_run)
    except (OSError, smtplib.SMTPException) as exc:
        print(f"desk-tui admin: the mail server {settings.smtp_host}:{settings.smtp_port} did not take the "
              f"reminders ({exc}); those sent before are recorded, the rest go next time.", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    _report(outcome)
    return 0


def _report(outcome: Outcome) -> None:
    verb = "Would send" if outcome.dry_run else "Sent"
    for r in outcome.sent:
        print(f"{verb} to {r.customer_name} <{r.email}>: {r.words.subject}")
    for r, why in outcome.refused:
        print(f"Refused by the mail server: {r.customer_name} <{r.email}>: {why}")
    for r in outcome.no_email:
        print(f"Skipped, no e-mail address: {r.customer_name}: {r.words.summary}")
    n = len(outcome.sent)
    summary = (f"{n} reminder{'' if n == 1 else 's'} {'would be sent' if outcome.dry_run else 'sent'}; "
               f"{outcome.customers_without_email} customer{'' if outcome.customers_without_email == 1 else 's'} "
               f"skipped (no e-mail address)")
    if outcome.refused:
        summary += f"; {len(outcome.refused)} refused by the mail server"
    print(summary + (" (dry run: nothing was sent or recorded)." if outcome.dry_run else "."))
