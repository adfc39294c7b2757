"""Reminders under stress, on both engines: several senders at once, a sender killed between the
mail server taking a message and the commit, and the running server's own housekeeping.

Each event is claimed in the transaction that sends and records it; the chosen guarantee is *at
least once* (server/reminders/service.py says why): a kill in that window sends that one reminder
again on the next run, and nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from desk_tui.server.reminders.mailer import MailSettings
from desk_tui.server.reminders.service import Outcome, send_reminders
from tests.api.arrange_cards import activity
from tests.api.arrange_reminders import customer, expiring_card, reminded_rows
from tests.support.api_client import login
from tests.support.live_server import LiveServer
from tests.support.served import ServedAPI
from tests.support.smtp import NO_TLS_WARNING, PASSWORD, SENDER, USER, Mail, SMTPServer

pytestmark = [NO_TLS_WARNING, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def salon(engine, new_db_url):
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


def settings_for(smtp: SMTPServer) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=smtp.port, sender=SENDER, user=USER, password=PASSWORD,
                        starttls=False, card_days=14)


def test_senders_running_at_once_send_each_reminder_exactly_once(salon, smtp):
    with login(salon.url, "manager") as m:
        people = [customer(m) for _ in range(6)]
        cards = [expiring_card(m, who, in_days=2 + i) for i, who in enumerate(people)]
    mail, senders = settings_for(smtp), 3
    start = threading.Barrier(senders)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait()
            outcomes.append(send_reminders(salon.database, mail=mail, card_days=14))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    took = time.perf_counter() - began
    assert errors == []
    for who, card in zip(people, cards, strict=True):
        assert len(smtp.to(who["email"])) == 1, who["email"]
        assert len(reminded_rows(salon, card["id"])) == 1
    sent = sum(len(o.sent) for o in outcomes)
    assert sent == len(smtp.mails), "every message the server took is one a sender counted as sent"
    print(f"{sent} reminders by {senders} senders at once in {took:.2f} s "
          f"({sum(o.taken for o in outcomes)} found taken by another sender)")


def test_a_sender_killed_after_the_mail_server_took_a_message_sends_it_again(salon, smtp):
    with login(salon.url, "manager") as m:
        victim = customer(m)
        card = expiring_card(m, victim)
        others = [customer(m) for _ in range(2)]
        for who in others:
            expiring_card(m, who, in_days=6)
        child: list[subprocess.Popen[str]] = []

        def crash(mail: Mail) -> None:
            # The message is with the mail server; its 250 never reaches the sender, killed first.
            if victim["email"] in mail.to and len(smtp.to(victim["email"])) == 0:
                os.kill(child[0].pid, signal.SIGKILL)

        smtp.on_accept = crash
        env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_SERVER_")} | smtp.env()
        child.append(subprocess.Popen([sys.executable, "-m", "desk_tui", "admin", "--db", salon.db_url,
                                       "send-reminders"], env=env, text=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        assert child[0].wait(timeout=120) == -signal.SIGKILL
        smtp.on_accept = None
        assert len(smtp.to(victim["email"])) == 1
        # The claim and the activity line died with the sender's transaction...
        assert reminded_rows(salon, card["id"]) == []
        assert not any(x.startswith("Reminder e-mailed") for x in activity(m, victim["id"]))

        # ...so the next run sends it again (at least once), and the ones not reached yet once.
        outcome = send_reminders(salon.database, mail=settings_for(smtp), card_days=14)
        assert victim["id"] in {r.customer_id for r in outcome.sent}
        assert len(smtp.to(victim["email"])) == 2
        assert [len(smtp.to(who["email"])) for who in others] == [1, 1]
        assert [r.outcome for r in reminded_rows(salon, card["id"])] == ["sent"]
        assert len([x for x in activity(m, victim["id"]) if x.startswith("Reminder e-mailed")]) == 1
        assert send_reminders(salon.database, mail=settings_for(smtp), card_days=14).sent == []


def test_the_running_server_sends_reminders_on_its_own_when_a_mail_server_is_set(salon, smtp):
    with login(salon.url, "manager") as m:
        who = customer(m)
        expiring_card(m, who, in_days=4)
        # The same database served again, now with its housekeeping (every 50 ms) and a mail server.
        with LiveServer(salon.db_url, demo=True, lifespan=True, housekeeping_every=timedelta(milliseconds=50),
                        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_user=USER, smtp_password=PASSWORD,
                        smtp_from=SENDER, smtp_starttls=False, reminder_days=4):
            [mail] = smtp.wait_for(who["email"])
        assert "(in 4 days)" in mail.body
        assert any(x.startswith(f"Reminder e-mailed to {who['email']}") for x in activity(m, who["id"]))
        assert len(smtp.to(who["email"])) == 1


def test_served_workers_racing_through_housekeeping_send_each_reminder_once(salon, smtp, engine):
    """`desk-tui serve` as an operator runs it: two worker processes on PostgreSQL (one on SQLite),
    each with its own housekeeping every 50 ms, all seeing the same reminders due at start-up.
    The mail server requires the password, so its arrival also shows that `serve` hands the
    password itself (not pydantic's mask) to its workers."""
    with login(salon.url, "manager") as m:
        people = [customer(m) for _ in range(4)]
        for who in people:
            expiring_card(m, who, in_days=3)
    workers = 1 if engine == "sqlite" else 2
    with ServedAPI(salon.db_url, workers=workers, env=smtp.env(), args=["--housekeeping-every", "0.05"]) as served:
        for who in people:
            smtp.wait_for(who["email"])
        # One more event after the first rounds: when its mail is in, the rounds that raced over
        # the first ones are long done.
        with login(served.url, "manager") as m:
            last = customer(m)
            expiring_card(m, last, in_days=3)
            assert len(smtp.wait_for(last["email"])) == 1
    assert [len(smtp.to(who["email"])) for who in people] == [1] * len(people)
