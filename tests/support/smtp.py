"""A real SMTP server on a loopback port (aiosmtpd in a thread of the test process) that keeps
every message it accepts, requires a sign-in, and refuses addresses at ``bounce.invalid`` for good."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.ports import free_port

USER, PASSWORD = "desk@salon.test", "smtp-s3cret"
SENDER = "hello@salon.test"
#: aiosmtpd's warning that AUTH goes without TLS: meant here, on loopback
NO_TLS_WARNING = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
#: a domain whose every address the server refuses with 550
BOUNCING = "bounce.invalid"


@dataclass(frozen=True)
class Mail:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        # SMTP carries CRLF line ends; a mail reader shows lines
        return str(self.message.get_content()).replace("\r\n", "\n")


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address.endswith("@" + BOUNCING):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.server._accept(Mail(to=list(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism: str, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == \
        (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[Mail] = []
        self._changed = threading.Condition()
        #: called with each mail as it is accepted, before the 250 goes back (a test's crash point)
        self.on_accept: Callable[[Mail], None] | None = None
        # Plain SMTP with AUTH on loopback: the server a test starts has no certificate to offer
        # (aiosmtpd warns about that for each connection: the tests' NO_TLS_WARNING mark).
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      authenticator=_authenticate, auth_required=True, auth_require_tls=False)

    def _accept(self, mail: Mail) -> None:
        if self.on_accept is not None:
            self.on_accept(mail)
        with self._changed:
            self.mails.append(mail)
            self._changed.notify_all()

    def to(self, address: str) -> list[Mail]:
        with self._changed:
            return [m for m in self.mails if address in m.to]

    def wait_for(self, address: str, timeout: float = 20) -> list[Mail]:
        with self._changed:
            self._changed.wait_for(lambda: any(address in m.to for m in self.mails), timeout=timeout)
        return self.to(address)

    def env(self) -> dict[str, str]:
        """The DESK_SERVER_* variables that point `serve` and `admin` at this server."""
        return {"DESK_SERVER_SMTP_HOST": "127.0.0.1", "DESK_SERVER_SMTP_PORT": str(self.port),
                "DESK_SERVER_SMTP_USER": USER, "DESK_SERVER_SMTP_PASSWORD": PASSWORD,
                "DESK_SERVER_SMTP_FROM": SENDER, "DESK_SERVER_SMTP_STARTTLS": "false"}

    def __enter__(self) -> SMTPServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
