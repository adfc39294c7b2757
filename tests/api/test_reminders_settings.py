"""The mail server reminders go through: DESK_SERVER_SMTP_* and `serve` flags, the password
masked wherever it is printed and handed whole to the workers that send."""

from __future__ import annotations

import os
import subprocess
import sys

from desk_tui.server.settings import GivenSettings, ServerSettings


def _serve_print(*flags: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESK_SERVER_")}
    return subprocess.run([sys.executable, "-m", "desk_tui", "serve", *flags, "--print-settings"],
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


def _values(printed: str) -> dict[str, str]:
    return {line.split(None, 1)[0]: line.split(None, 1)[1] for line in printed.splitlines()}


def test_print_settings_shows_the_mail_server_with_its_password_masked_and_flags_win():
    done = _serve_print("--smtp-port", "2525", "--no-smtp-starttls", "--reminder-days", "7",
                        env={"DESK_SERVER_SMTP_HOST": "mail.salon.example", "DESK_SERVER_SMTP_PORT": "465",
                             "DESK_SERVER_SMTP_USER": "desk", "DESK_SERVER_SMTP_PASSWORD": "m4il-s3cret",
                             "DESK_SERVER_SMTP_FROM": "hello@salon.example"})
    assert done.returncode == 0, done.stderr
    assert "m4il-s3cret" not in done.stdout
    shown = _values(done.stdout)
    assert shown["DESK_SERVER_SMTP_PASSWORD"] == "********"
    assert (shown["DESK_SERVER_SMTP_HOST"], shown["DESK_SERVER_SMTP_PORT"], shown["DESK_SERVER_SMTP_USER"],
            shown["DESK_SERVER_SMTP_FROM"], shown["DESK_SERVER_SMTP_STARTTLS"], shown["DESK_SERVER_REMINDER_DAYS"]) \
        == ("mail.salon.example", "2525", "desk", "hello@salon.example", "false", "7")


def test_without_a_mail_server_nothing_is_set_and_reminders_are_off():
    done = _serve_print(env={})
    assert done.returncode == 0, done.stderr
    shown = _values(done.stdout)
    assert (shown["DESK_SERVER_SMTP_HOST"], shown["DESK_SERVER_SMTP_PASSWORD"], shown["DESK_SERVER_REMINDER_DAYS"]) \
        == ("(unset)", "(unset)", "14")
    assert not GivenSettings(db_url="sqlite://").mail_configured


def test_a_mail_server_without_a_sender_address_is_refused():
    done = _serve_print("--smtp-host", "mail.salon.example", env={})
    assert done.returncode == 2
    assert "reminder e-mails need smtp_from" in done.stderr


def test_the_workers_get_the_password_itself_and_any_other_dump_masks_it():
    settings = ServerSettings(db_url="sqlite://", smtp_host="mail.salon.example", smtp_from="hello@salon.example",
                              smtp_password="m4il-s3cret")
    assert "m4il-s3cret" not in settings.model_dump_json()
    handed = GivenSettings.model_validate_json(settings.handed_down())
    assert handed.smtp_password is not None and handed.smtp_password.get_secret_value() == "m4il-s3cret"
