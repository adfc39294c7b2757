"""The salon's outgoing mail server (smtplib): one connection for a whole run of reminders.

The connection is opened, upgraded (STARTTLS) and signed in before any reminder's transaction
begins, so what happens while a reminder's claim is held is only the message's own transfer.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from types import TracebackType

from desk_tui.server.settings import ServerSettings

#: seconds to wait for the mail server at each step before the run gives up (tried again next round)
TIMEOUT = 20


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = True
    #: cards expiring within this many days are reminded of
    card_days: int = 14

    @classmethod
    def of(cls, settings: ServerSettings) -> MailSettings:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        return cls(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                   user=settings.smtp_user, password=password, starttls=settings.smtp_starttls,
                   card_days=settings.reminder_days)


class Refused(Exception):
    """The mail server refused the address for good (a 5xx answer): trying again would not help."""


class Mailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def open(self) -> None:
        if self._smtp is not None:
            return
        smtp = smtplib.SMTP(self.settings.host, self.settings.port, timeout=TIMEOUT)
        try:
            smtp.ehlo()
            if self.settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.settings.user:
                smtp.login(self.settings.user, self.settings.password)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass  # the server went away first: nothing left to say to it
            except OSError:
                pass
            self._smtp = None

    def send(self, *, business: str, to_name: str, to_address: str, subject: str, body: str) -> None:
        """Hand one message to the mail server; raises Refused for an address it refuses for good,
        anything else (a dropped connection, a 4xx) as it came."""
        self.open()
        assert self._smtp is not None
        message = EmailMessage()
        message["From"] = formataddr((business, self.settings.sender))
        message["To"] = formataddr((to_name, to_address))
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message.set_content(body)
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                answer = next(iter(exc.recipients.values()))[1]
                raise Refused(answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)) from exc
            raise
