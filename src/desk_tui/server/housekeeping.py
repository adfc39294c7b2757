"""What the server does on its own, about once a minute, so nothing waits for somebody's request.

* Carts left idle past the hold timeout are closed and what they held goes back: a card session
  held by a forgotten cart showed as "booked" on the card until the next sales request came.
* Each card that has expired with units left gets its ``expire`` ledger entry and an activity
  line (for the books and the customer's history), once per expiry date.
* Idempotency keys past their lifetime are forgotten (requests no longer pay for that).
* Wrong-PIN records no sign-in limit looks at any more are deleted, and those of usernames
  nobody signs in as soon after, so a flood of made-up usernames cannot fill the table.
* Events older than the live stream's replay window are forgotten (the newest is kept).
* When the salon's mail server is set (DESK_SERVER_SMTP_*), the reminders due are e-mailed, each
  event once (reminders/service.py); the server is connected to only when one is due.

Both are the same service functions the API uses, each in its own transaction, and both are
safe to run from several worker processes at once (the rows are locked, and what is done is
re-checked under the lock). A failure is logged and tried again on the next round.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI

from desk_tui.server.auth import throttle
from desk_tui.server.cards import lifecycle
from desk_tui.server.database import Database, utcnow
from desk_tui.server.events import service as events
from desk_tui.server.idempotency import forget_expired
from desk_tui.server.reminders.mailer import MailSettings
from desk_tui.server.reminders.service import send_reminders
from desk_tui.server.sales import holds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chores:
    carts_closed: int
    cards_expired: int
    sign_ins_forgotten: int = 0
    events_pruned: int = 0
    reminders_sent: int = 0


def run_once(db: Database, *, hold_timeout: timedelta, now: datetime | None = None,
             event_window: timedelta = events.REPLAY_WINDOW, mail: MailSettings | None = None) -> Chores:
    now = now or utcnow()
    closed = 0
    while True:  # a batch per transaction, so a big backlog never holds locks for long
        with db.transaction() as s:
            batch = holds.sweep(s, now=now, timeout=hold_timeout)
        closed += batch
        if batch < holds.SWEEP_BATCH:
            break
    with db.transaction() as s:
        expired = lifecycle.expire_overdue(s, me=None, now=now)
    with db.transaction() as s:
        forget_expired(s, now=now)
    with db.transaction() as s:
        forgotten = throttle.prune(s, now=now)
    with db.transaction() as s:
        pruned = events.prune(s, keep=event_window, now=now)
    reminded = 0
    if mail is not None:
        try:
            reminded = len(send_reminders(db, mail=mail, card_days=mail.card_days, now=now).sent)
        except (OSError, smtplib.SMTPException) as exc:
            # A mail server that is down is the salon's to fix, not a bug: one line, no traceback.
            log.warning("reminders: the mail server %s:%d did not take them (%s); trying again next round",
                        mail.host, mail.port, exc)
    return Chores(carts_closed=closed, cards_expired=expired, sign_ins_forgotten=forgotten, events_pruned=pruned,
                  reminders_sent=reminded)


async def _every(interval: timedelta, db: Database, hold_timeout: timedelta, event_window: timedelta,
                 mail: MailSettings | None) -> None:
    while True:
        try:
            chores = await asyncio.to_thread(run_once, db, hold_timeout=hold_timeout, event_window=event_window,
                                             mail=mail)
            if chores.carts_closed or chores.cards_expired:
                log.info("housekeeping: closed %d idle carts, recorded %d expired cards",
                         chores.carts_closed, chores.cards_expired)
            if chores.reminders_sent:
                log.info("housekeeping: e-mailed %d reminders", chores.reminders_sent)
        except Exception:
            log.exception("housekeeping failed; trying again in %s", interval)
        await asyncio.sleep(interval.total_seconds())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The FastAPI lifespan: housekeeping runs while the server does (unless switched off)."""
    settings, db = app.state.settings, app.state.db
    task = None
    if settings.housekeeping_every is not None:
        mail = MailSettings.of(settings) if settings.mail_configured else None  # no mail server: no reminders
        task = asyncio.create_task(_every(settings.housekeeping_every, db, settings.sale_hold_timeout,
                                          settings.event_window, mail),
                                   name="housekeeping")
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
