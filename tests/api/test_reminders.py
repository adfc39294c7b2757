"""Reminder e-mails (server/reminders): cards about to expire with units left and membership months
due, through a real SMTP server on loopback, on both engines; each event once.

The salon is this module's own: a run reminds of everything due in its database, which must not
reach what the shared server's tests arrange."""

from __future__ import annotations

import socket

import pytest

from desk_tui.contract.money import format_money
from desk_tui.server import housekeeping
from desk_tui.server.reminders.mailer import MailSettings
from tests.api.arrange_cards import activity, days, tag, today
from tests.api.arrange_memberships import enrol
from tests.api.arrange_reminders import customer, expiring_card, reminded_rows, send_reminders
from tests.api.arrange_sales import HOLD
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer
from tests.support.smtp import BOUNCING, NO_TLS_WARNING, PASSWORD, SENDER, USER, SMTPServer

pytestmark = NO_TLS_WARNING

BUSINESS = "Bella Salon & Spa"  # the demo salon's business name


@pytest.fixture(scope="module")
def salon(engine, new_db_url):
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


@pytest.fixture(scope="module")
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def mail_env(smtp, monkeypatch):
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    return smtp


def test_an_expiring_card_and_a_month_due_get_one_mail_each_in_the_salons_words(salon, mail_env, capsys):
    smtp = mail_env
    with login(salon.url, "manager") as m:
        carded, member, no_email = customer(m), customer(m), customer(m, email=False)
        card = expiring_card(m, carded)
        expiring_card(m, no_email)
        enrolment = enrol(m, member["id"], "mpl_demo_gold")  # without a sale: due from today
        capsys.readouterr()

        assert send_reminders(salon.db_url) == 0
        out = capsys.readouterr().out

        [card_mail] = smtp.to(carded["email"])
        expires = days(5)
        assert card_mail.subject == f"{BUSINESS}: your 5x Manicure expires on {expires}"
        assert card_mail.body == (
            f"Dear {carded['name']},\n\n"
            f"your 5x Manicure card at {BUSINESS} expires on {expires} (in 5 days).\n"
            "4 sessions are still on it: book them before then, so none are lost.\n\n"
            f"We look forward to seeing you.\n{BUSINESS}\n")
        [sender] = card_mail.message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (BUSINESS, SENDER)
        assert card_mail.message["To"].addresses[0].addr_spec == carded["email"]

        [month_mail] = smtp.to(member["email"])
        yesterday, price = days(-1), format_money(19900, "HUF", 0, group=" ")
        assert enrolment["paid_through"] == yesterday
        assert month_mail.subject == f"{BUSINESS}: your Gold membership — a month is due"
        assert month_mail.body == (
            f"Dear {member['name']},\n\n"
            f"your Gold membership at {BUSINESS} is paid through {yesterday}.\n"
            f"The month from {today().isoformat()} is due: {price}.\n"
            "Please pay at your next visit, so its benefits go on.\n\n"
            f"Thank you,\n{BUSINESS}\n")

        assert f"Sent to {carded['name']} <{carded['email']}>: {card_mail.subject}" in out
        assert f"Skipped, no e-mail address: {no_email['name']}" in out
        assert "customer skipped (no e-mail address)" in out or "customers skipped (no e-mail address)" in out

        # The customer's activity says what was sent, to which address, about what.
        assert f"Reminder e-mailed to {carded['email']}: 5x Manicure expires on {expires} with 4 sessions left" \
            in activity(m, carded["id"])
        assert f"Reminder e-mailed to {member['email']}: Gold membership: the month from {today().isoformat()} " \
               f"is due ({price} for 1 month)" in activity(m, member["id"])
        assert [r.outcome for r in reminded_rows(salon, card["id"])] == ["sent"]
        assert not any("Reminder" in x for x in activity(m, no_email["id"]))

        # A second run: every event was reminded of already.
        before = len(smtp.mails)
        assert send_reminders(salon.db_url) == 0
        assert len(smtp.mails) == before
        assert capsys.readouterr().out.splitlines()[-1].startswith("0 reminders sent;")
        assert len(smtp.to(carded["email"])) == len(smtp.to(member["email"])) == 1

        # Extended to a new date (a new event), the card is reminded of again, once.
        r = m.patch(f"/cards/{card['id']}", json={"expires_on": days(9)}, headers=key())
        assert r.status_code == 200, r.text
        assert send_reminders(salon.db_url) == 0
        assert [x.subject.rsplit(" ", 1)[1] for x in smtp.to(carded["email"])] == [expires, days(9)]


def test_a_dry_run_sends_and_records_nothing_and_lists_what_it_would_send(salon, mail_env, capsys):
    smtp = mail_env
    with login(salon.url, "manager") as m:
        who = customer(m)
        card = expiring_card(m, who, in_days=1)
        capsys.readouterr()
        before = len(smtp.mails)

        assert send_reminders(salon.db_url, "--dry-run") == 0
        out = capsys.readouterr().out
        assert f"Would send to {who['name']} <{who['email']}>: {BUSINESS}: your 5x Manicure expires on {days(1)}" \
            in out
        assert "(dry run: nothing was sent or recorded)." in out
        assert len(smtp.mails) == before
        assert reminded_rows(salon, card["id"]) == []
        assert not any("Reminder" in x for x in activity(m, who["id"]))

        # Nothing was recorded, so the real run still sends it.
        assert send_reminders(salon.db_url) == 0
        [mail] = smtp.to(who["email"])
        assert "expires on " + days(1) + " (tomorrow)" in mail.body


def test_a_dry_run_needs_no_mail_server_and_a_real_run_says_when_none_is_set(salon, capsys):
    assert send_reminders(salon.db_url, "--dry-run") == 0
    assert send_reminders(salon.db_url) == 2
    assert "no mail server is set" in capsys.readouterr().err


def test_an_address_the_server_refuses_is_recorded_once_and_not_tried_again(salon, mail_env, capsys):
    with login(salon.url, "manager") as m:
        r = m.post("/customers", json={"name": f"Bounce {tag()}", "email": f"gone.{tag()}@{BOUNCING}"},
                   headers=key())
        who = r.json()
        card = expiring_card(m, who)
        assert send_reminders(salon.db_url) == 0
        assert f"Refused by the mail server: {who['name']} <{who['email']}>" in capsys.readouterr().out
        assert [r.outcome for r in reminded_rows(salon, card["id"])] == ["refused"]
        refused = [x for x in activity(m, who["id"]) if x.startswith("Reminder not sent")]
        assert len(refused) == 1 and "550" not in refused[0] and "no such mailbox" in refused[0]
        assert send_reminders(salon.db_url) == 0
        assert "Refused" not in capsys.readouterr().out
        assert len([x for x in activity(m, who["id"]) if x.startswith("Reminder not sent")]) == 1


def test_housekeeping_sends_reminders_only_when_a_mail_server_is_set(salon, smtp):
    with login(salon.url, "manager") as m:
        who = customer(m)
        expiring_card(m, who, in_days=3)
        assert housekeeping.run_once(salon.database, hold_timeout=HOLD).reminders_sent == 0
        assert smtp.to(who["email"]) == []
        mail = MailSettings(host="127.0.0.1", port=smtp.port, sender=SENDER, user=USER, password=PASSWORD,
                            starttls=False, card_days=2)
        assert housekeeping.run_once(salon.database, hold_timeout=HOLD, mail=mail).reminders_sent == 0  # 3 > 2 days
        chores = housekeeping.run_once(salon.database, hold_timeout=HOLD, mail=MailSettings(**{
            **mail.__dict__, "card_days": 3}))
        assert chores.reminders_sent >= 1
        assert len(smtp.to(who["email"])) == 1
        assert any(x.startswith(f"Reminder e-mailed to {who['email']}") for x in activity(m, who["id"]))


def test_a_mail_server_that_is_down_or_refuses_the_password_sends_and_records_nothing(salon, mail_env, capsys,
                                                                                      monkeypatch):
    smtp = mail_env
    with login(salon.url, "manager") as m:
        who = customer(m)
        card = expiring_card(m, who)
        monkeypatch.setenv("DESK_SERVER_SMTP_PASSWORD", "not-the-password")
        assert send_reminders(salon.db_url) == 1
        assert "did not take the reminders" in capsys.readouterr().err
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
            monkeypatch.setenv("DESK_SERVER_SMTP_PORT", str(closed.getsockname()[1]))
            monkeypatch.setenv("DESK_SERVER_SMTP_PASSWORD", PASSWORD)
            assert send_reminders(salon.db_url) == 1
        assert "did not take the reminders" in capsys.readouterr().err
        assert smtp.to(who["email"]) == [] and reminded_rows(salon, card["id"]) == []
        assert not any("Reminder" in x for x in activity(m, who["id"]))
