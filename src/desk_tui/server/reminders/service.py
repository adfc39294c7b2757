"""Which reminders are due, and sending each exactly once per event — or as near as e-mail allows.

Each reminder is its own transaction, in this order: the event's row in ``reminders_sent`` is
claimed (an insert that does nothing when the key is there), the message is handed to the mail
server, the customer's activity gets its line, and the three are committed together. Another
worker (or an `admin send-reminders` beside the housekeeping job) that reaches the same event
meanwhile waits on the claim — PostgreSQL's unique key, SQLite's single writer — and then finds it
taken; if the first one died before committing, the claim is gone and the second sends instead.

**At least once.** A crash after the mail server accepted the message and before the commit
leaves no claim, so the next round sends that reminder again. The other way round (commit the
claim, then send) would lose the reminder in that window while the activity log said it went out;
a customer who forfeits the sessions left on a card because a reminder was lost is worse off than
one who gets the same reminder twice after a rare crash. The window is one SMTP round trip: the
connection is opened and signed in before any claim is taken.

An address the mail server refuses for good (5xx) is recorded as ``refused`` — claimed, with its
own activity line — and not tried again; any other failure (server down, 4xx) rolls that one
reminder back and ends the run, to be tried again on the next round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import exists, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk_tui.server.cards import ledger
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.service import record_activity
from desk_tui.server.database import Database, utcnow
from desk_tui.server.memberships import status
from desk_tui.server.memberships.models import Enrollment
from desk_tui.server.reference.calendar import business_date
from desk_tui.server.reference.money import money
from desk_tui.server.reference.service import settings as org_settings
from desk_tui.server.reminders import wording
from desk_tui.server.reminders.mailer import Mailer, MailSettings, Refused
from desk_tui.server.reminders.models import ReminderSent
from desk_tui.server.reports.dues import months_started

Kind = Literal["card_expiring", "membership_due"]


@dataclass(frozen=True)
class Reminder:
    kind: Kind
    #: the card's or the enrolment's id; with ``kind`` and ``event_on``, the event's key
    subject_id: str
    event_on: date
    customer_id: str
    customer_name: str
    email: str | None
    card_id: str | None
    words: wording.Words


@dataclass
class Outcome:
    dry_run: bool
    #: sent (or, in a dry run, that would be sent)
    sent: list[Reminder] = field(default_factory=list)
    #: due, but the customer has no e-mail address: not sent, not recorded (an address added later gets it)
    no_email: list[Reminder] = field(default_factory=list)
    refused: list[tuple[Reminder, str]] = field(default_factory=list)
    #: claimed by another worker between this run's look and its claim
    taken: int = 0

    @property
    def customers_without_email(self) -> int:
        return len({r.customer_id for r in self.no_email})


def send_reminders(db: Database, *, mail: MailSettings | None, card_days: int, dry_run: bool = False,
                   now: datetime | None = None) -> Outcome:
    """Every reminder due and not sent yet; a dry run sends and records nothing (``mail`` may be None)."""
    now = now or utcnow()
    outcome = Outcome(dry_run=dry_run)
    with db.read_session() as s:
        due = [r for r in _due(s, card_days=card_days, now=now) if _sort_out(r, outcome)]
    if dry_run or not due:
        outcome.sent.extend(due)
        return outcome
    if mail is None:
        raise ValueError("reminders need the mail server's settings to be sent")
    with db.read_session() as s:
        today, business = business_date(s, now), org_settings(s).business_name
    with Mailer(mail) as mailer:
        mailer.open()  # before any claim: a claim is held for one message's transfer, not a sign-in
        for seen in due:
            with db.transaction() as s:
                r = _again(s, seen, card_days=card_days, today=today, business=business)
                if r is None or not _sort_out(r, outcome):
                    continue
                if not _claim(s, r, now):
                    outcome.taken += 1
                    continue
                assert r.email is not None  # _sort_out kept only reminders with an address
                try:
                    mailer.send(business=business, to_name=r.customer_name, to_address=r.email,
                                subject=r.words.subject, body=r.words.body)
                except Refused as exc:
                    s.get_one(ReminderSent, (r.kind, r.subject_id, r.event_on)).outcome = "refused"
                    record_activity(s, at=now, customer_id=r.customer_id, kind="reminder_refused", me=None,
                                    card_id=r.card_id, summary=f"Reminder not sent: the mail server refused "
                                                               f"{r.email} ({exc}): {r.words.summary}")
                    outcome.refused.append((r, str(exc)))
                    continue
                record_activity(s, at=now, customer_id=r.customer_id, kind="reminder_sent", me=None,
                                card_id=r.card_id, summary=f"Reminder e-mailed to {r.email}: {r.words.summary}")
                outcome.sent.append(r)
    return outcome


def _sort_out(r: Reminder, outcome: Outcome) -> bool:
    """True when it can be sent; a reminder for a customer without an address is counted instead."""
    if r.email:
        return True
    outcome.no_email.append(r)
    return False


def _claim(s: Session, r: Reminder, now: datetime) -> bool:
    """Insert the event's row unless it is there: False when it is (sent already, or by another
    worker whose transaction this one waited for)."""
    assert r.email is not None
    values = {"kind": r.kind, "subject_id": r.subject_id, "event_on": r.event_on, "customer_id": r.customer_id,
              "email": r.email, "at": now, "outcome": "sent"}
    if s.get_bind().dialect.name == "postgresql":
        row = pg_insert(ReminderSent).values(values).on_conflict_do_nothing().returning(ReminderSent.kind)
    else:
        row = sqlite_insert(ReminderSent).values(values).on_conflict_do_nothing().returning(ReminderSent.kind)
    return s.execute(row).first() is not None


def _due(s: Session, *, card_days: int, now: datetime) -> list[Reminder]:
    today = business_date(s, now)
    business = org_settings(s).business_name
    reminders: list[Reminder] = []
    reminded = exists().where(ReminderSent.kind == "card_expiring", ReminderSent.subject_id == Card.id,
                              ReminderSent.event_on == Card.expires_on)
    cards = list(s.scalars(select(Card).where(
        Card.status == ledger.LIVE, Card.expires_on >= today, Card.expires_on <= today + timedelta(days=card_days),
        ~reminded).order_by(Card.expires_on, Card.id)))
    customers = _customers(s, {c.customer_id for c in cards})
    left = ledger.pools(s, [c.id for c in cards])
    for card in cards:
        r = _card(card, customers[card.customer_id], left[card.id], business=business, today=today)
        if r is not None:
            reminders.append(r)
    enrolments = list(s.scalars(select(Enrollment).where(
        status.active_on(today), Enrollment.paid_through.is_not(None), Enrollment.paid_through < today)
        .order_by(Enrollment.paid_through, Enrollment.id)))
    customers = _customers(s, {e.customer_id for e in enrolments})
    owed = [_membership(s, e, customers[e.customer_id], business=business, today=today) for e in enrolments]
    keys = {(r.subject_id, r.event_on) for r in owed}
    sent = set(s.execute(select(ReminderSent.subject_id, ReminderSent.event_on).where(
        ReminderSent.kind == "membership_due",
        tuple_(ReminderSent.subject_id, ReminderSent.event_on).in_(keys)))) if keys else set()
    reminders += [r for r in owed if (r.subject_id, r.event_on) not in sent]
    return reminders


def _again(s: Session, seen: Reminder, *, card_days: int, today: date, business: str) -> Reminder | None:
    """The reminder as the rows say now, inside its transaction: the card may have been extended
    or used up, the month paid, the address changed since the run looked."""
    if seen.kind == "card_expiring":
        card = s.get(Card, seen.subject_id)
        if card is None or card.status != ledger.LIVE or card.expires_on is None \
                or not today <= card.expires_on <= today + timedelta(days=card_days):
            return None
        pools = ledger.pools(s, [card.id])[card.id]
        return _card(card, s.get_one(Customer, card.customer_id), pools, business=business, today=today)
    e = s.get(Enrollment, seen.subject_id)
    if e is None or e.paid_through is None or e.paid_through >= today or status.status_on(e, today) != "active":
        return None
    return _membership(s, e, s.get_one(Customer, e.customer_id), business=business, today=today)


def _customers(s: Session, ids: set[str]) -> dict[str, Customer]:
    return {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_(ids)))} if ids else {}


def _card(card: Card, who: Customer, pools: dict[str, ledger.Pool], *, business: str, today: date
          ) -> Reminder | None:
    assert card.expires_on is not None  # the callers keep cards expiring within the window
    left = sum(max(p.remaining, 0) for p in pools.values())
    if left <= 0:  # only booked units left: nothing to use up before the date
        return None
    words = wording.card_expiring(business=business, customer=who.name, package=card.package_name,
                                  number=card.number, unit_type=card.unit_type, left=left,
                                  expires_on=card.expires_on, today=today)
    return Reminder(kind="card_expiring", subject_id=card.id, event_on=card.expires_on, customer_id=who.id,
                    customer_name=who.name, email=who.email, card_id=card.id, words=words)


def _membership(s: Session, e: Enrollment, who: Customer, *, business: str, today: date) -> Reminder:
    assert e.paid_through is not None  # the callers keep enrolments paid through a past day
    due_since = e.paid_through + timedelta(days=1)
    months = months_started(due_since, today)
    # The event is the newest month begun unpaid: one reminder per month due, counted as the
    # memberships-due report counts them.
    month_from = due_since
    while status.month_after(month_from) <= today:
        month_from = status.month_after(month_from)
    words = wording.membership_due(business=business, customer=who.name, plan=e.plan.name,
                                   paid_through=e.paid_through, month_from=month_from, months_due=months,
                                   price=money(s, e.plan.price), total=money(s, e.plan.price * months))
    return Reminder(kind="membership_due", subject_id=e.id, event_on=month_from, customer_id=who.id,
                    customer_name=who.name, email=who.email, card_id=None, words=words)


__all__ = ["Outcome", "Reminder", "send_reminders"]
