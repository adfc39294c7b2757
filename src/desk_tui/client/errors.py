"""Typed errors the UI turns into notifications, each with a sentence a receptionist understands.

The server's problem+json ``detail`` is written for people and is often more specific than
anything the client could say ("4 tries left", "Anna is booked 10:00–11:00"), so it wins for
the codes whose details the server composes by hand. For the machine-flavoured codes
(validation, method, size, idempotency bookkeeping) the table's sentence wins and the detail
stays on the exception for logs and support.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from desk_tui.contract.problems import BY_STATUS, ProblemCode

if TYPE_CHECKING:  # contract.common imports pydantic, which the first frame must not wait for
    from desk_tui.contract.common import JSONObject


class LocalCode(StrEnum):
    """Failures the client names itself, never sent by a server."""

    OFFLINE = "offline"
    TIMEOUT = "timeout"
    SERVER_ERROR = "server_error"  # a 5xx that names no code (a proxy's, an older server's)
    PLAIN_HTTP = "plain_http"  # a PIN not sent over plain HTTP off this machine (client/tls.py)
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"


P = ProblemCode

OFFLINE_SENTENCE = ("The booking server cannot be reached. Nothing was saved; what you typed is kept — "
                    "try again when the connection is back.")

#: A sentence for every code a server raises (tests/client/test_problem_sentences.py checks
#: ProblemCode against this) and for the client's own.
SENTENCES: dict[str, str] = {
    LocalCode.OFFLINE: OFFLINE_SENTENCE,
    LocalCode.TIMEOUT: ("The booking server is taking too long to answer. What you typed is kept; trying again "
                        "is safe — the same request is never applied twice."),
    LocalCode.SERVER_ERROR: "The booking server had a problem and nothing was changed. Try again in a moment.",
    LocalCode.PLAIN_HTTP: ("The PIN was not sent: this server's address starts with http://, so anyone on the network "
                           "could read it. Use the server's https:// address, or start desk-tui with --insecure "
                           "on a network you trust."),
    LocalCode.UNTRUSTED_CERTIFICATE: ("Nothing was sent: the server's certificate is not trusted. If the salon "
                                      "uses its own certificate authority, give its certificate with --ca-bundle, "
                                      "DESK_CA_BUNDLE or ca_bundle in config.toml."),
    P.INTERNAL_ERROR: "The booking server had a problem and nothing was changed. Try again in a moment.",
    P.SERVER_BUSY: "The booking server is busy right now and nothing was changed. Try again in a moment.",
    P.DATABASE_UNAVAILABLE: ("The booking server cannot reach its database, so nothing was changed. Tell whoever "
                             "looks after the server."),
    P.VALIDATION_ERROR: "Some of what was entered is not accepted. Check the highlighted fields and try again.",
    P.IDEMPOTENCY_KEY_REUSED: ("This form was already sent with different contents. Open it again and re-enter "
                               "the change."),
    P.REQUEST_IN_PROGRESS: "The same request is still being processed. Wait a moment, then check before retrying.",
    P.UNAUTHENTICATED: "Your session has ended. Please sign in again.",
    P.INVALID_CREDENTIALS: "That username and PIN do not match.",
    P.FORBIDDEN_ROLE: "Your role does not allow this. Ask a manager or the owner.",
    P.MANAGER_APPROVAL_REQUIRED: ("This price or discount needs a manager's approval: a manager or the owner "
                                  "enters their username and PIN."),
    P.NOT_FOUND: "This record no longer exists. It may have been removed on another terminal.",
    P.METHOD_NOT_ALLOWED: "This cannot be done here: records are cancelled or made inactive, never deleted.",
    P.VERSION_CONFLICT: "Someone else changed this first. The screen shows the latest version; make your change again.",
    P.DUPLICATE: "This already exists.",
    P.INVALID_VAT_RATE: "A VAT rate is a percentage from 0 to 100, with at most two decimals (27 or 5.5).",
    P.INSUFFICIENT_UNITS: "Not enough sessions are left on this package.",
    P.CARD_EXPIRED: "This package has expired, so it cannot be used.",
    P.CARD_NOT_ACTIVE: "This package is not active (used up, refunded or void), so it cannot be used.",
    P.SERVICE_NOT_IN_PACKAGE: "This service is not part of this package.",
    P.SERVICE_NOT_OFFERED_HERE: "This service is not offered at this location.",
    P.CARD_EXPIRES_BEFORE_APPOINTMENT: "This package expires before the appointment date.",
    P.CREDIT_EXHAUSTED: "This membership credit is already used up for this month.",
    P.MEMBERSHIP_FROZEN: "This membership is frozen: its benefits return when the freeze ends.",
    P.MEMBERSHIP_UNPAID: ("This membership's payment is overdue, so its benefits are suspended: add the month to "
                          "the cart (m) first."),
    P.ALREADY_UNDONE: "This was already undone.",
    P.STAFF_DOUBLE_BOOKED: "The staff member is already booked at that time.",
    P.SALE_NOT_BALANCED: "The payments do not add up to the total.",
    P.INSUFFICIENT_STORE_CREDIT: "There is not enough store credit for this payment.",
    P.PACKAGE_INACTIVE: "This package is no longer sold.",
    P.INVALID_TRANSITION: "This is not possible in the record's current state. Refresh and check.",
    P.APPOINTMENT_NOT_YET: "This appointment is on a later day: check-in and no-show are for its day.",
    P.SALE_OF_ANOTHER_CUSTOMER: "That sale is not this card holder's; a package pays only for its holder.",
    P.CARD_NOT_SHARED: ("This package is another customer's and is not shared with this one: its owner can "
                        "add them as a family member on the card."),
    P.CARD_OWNER_ONLY: "Only the package's owner can have this done; open the owner's profile.",
    P.TOO_MANY_ATTEMPTS: "Too many wrong PINs. Wait a few minutes and try again.",
    P.PAYLOAD_TOO_LARGE: "This is too large to send. Shorten the text or split the file.",
}

#: Codes whose server ``detail`` is a composed sentence worth showing as is; for the others
#: (machine-flavoured, or the client's own) the table's sentence wins.
_DETAIL_WINS = set(SENTENCES) - {*LocalCode, P.INTERNAL_ERROR, P.SERVER_BUSY, P.VALIDATION_ERROR,
                                 P.IDEMPOTENCY_KEY_REUSED, P.METHOD_NOT_ALLOWED, P.PAYLOAD_TOO_LARGE,
                                 P.REQUEST_IN_PROGRESS}

_GENERIC = "The booking server refused this."


class ApiError(Exception):
    """Anything that went wrong talking to the booking API, already explained."""

    def __init__(self, code: str, detail: str = "", *, status: int | None = None,
                 fields: list[JSONObject] | None = None, extra: JSONObject | None = None,
                 field: str | None = None) -> None:
        self.status = status
        self.code = str(code)  # a plain string: a newer server may send a code this client does not know
        self.detail = detail
        self.fields = fields or []
        """Per-field problems of a ``validation_error``: ``[{"field": …, "message": …}]``."""
        self.extra = extra or {}
        """The problem's other members, e.g. ``conflicts`` of ``staff_double_booked``."""
        self.field = field or next((str(f["field"]) for f in self.fields if f.get("field")), None)
        """The input a ``validation_error`` is about, as the request spells its path
        (``lines.0.source.card_id``); the screen puts :attr:`sentence` on it."""
        self.sentence = sentence_for(code, detail, status, fields=self.fields)
        super().__init__(self.sentence)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, detail={self.detail!r})"


class OfflineError(ApiError):
    """The server could not be reached at all: nothing was sent, or nothing came back."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(LocalCode.OFFLINE, detail)


class AuthExpired(ApiError):
    """The token is missing, expired or revoked: the UI shows the sign-in screen."""


class RequestTimeout(ApiError):
    """Sent, but no answer in time; a write may or may not have happened, so retry with the same key."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(LocalCode.TIMEOUT, detail)


class PlainHttpRefused(ApiError):
    """A PIN (a sign-in, a manager's approval) would have crossed the network unencrypted."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(LocalCode.PLAIN_HTTP, detail)


class CertificateError(OfflineError):
    """The server's certificate did not verify: nothing is sent to it. An OfflineError, since no
    request can get through (the header says OFFLINE), with a sentence that says why and what
    to do; ``reason`` is OpenSSL's ("certificate has expired", "unable to get local issuer
    certificate", "Hostname mismatch…")."""

    def __init__(self, detail: str = "", reason: str = "") -> None:
        super().__init__(detail)
        self.code = LocalCode.UNTRUSTED_CERTIFICATE
        self.reason = reason
        base = SENTENCES[LocalCode.UNTRUSTED_CERTIFICATE]
        self.sentence = base.replace("is not trusted.", f"is not trusted ({reason}).") if reason else base
        self.args = (self.sentence,)


def sentence_for(code: str, detail: str, status: int | None, *, fields: list[JSONObject] | None = None) -> str:
    if code in _DETAIL_WINS and detail and detail.strip():
        return detail.strip()
    if code == P.VALIDATION_ERROR:
        said = refusal_words(detail, fields or [])
        if said:
            return said
    if code in SENTENCES:
        return SENTENCES[code]
    if status is not None and status >= 500:
        return SENTENCES[LocalCode.SERVER_ERROR]
    return f"{_GENERIC} {detail.strip()}".strip() if detail else _GENERIC


def refusal_words(detail: str, fields: list[JSONObject]) -> str:
    """A validation refusal in the server's own words, its field named as a person would:
    "Card: this card belongs to another customer." for ``lines.0.source.card_id``; the detail
    as it is when it names no field. Never the generic "check the highlighted fields" while the
    server said what is wrong."""
    first = next((f for f in fields if f.get("message")), None)
    if first is not None:
        said = f"{field_label(str(first.get('field') or ''))}: {first['message']}".lstrip(": ")
    else:
        said = detail.strip()
    if not said or said.startswith("The request body is not valid JSON"):
        return ""
    said = said[0].upper() + said[1:]
    return said if said.endswith((".", "!", "?")) else f"{said}."


def field_label(path: str) -> str:
    """"lines.0.source.card_id" → "Card", "starts_on" → "Starts on": the input's name in words."""
    names = [p for p in path.split(".") if p and not p.isdigit() and p != "body"]
    if not names:
        return ""
    name = names[-1].removesuffix("_id").replace("_", " ")
    return name[:1].upper() + name[1:]


def from_problem(status: int, body: object) -> ApiError:
    """The ApiError for an HTTP error response; ``body`` is its parsed JSON, if any."""
    from pydantic import ValidationError  # an answer came back: the model stack is loaded by now

    from desk_tui.contract.common import Problem

    data = body if isinstance(body, dict) else {}
    try:
        problem = Problem.model_validate({**data, "status": status})
    except ValidationError:  # not a problem+json (a proxy's page, a broken server): the status speaks
        problem = Problem(status=status)
    code = problem.code
    if not code:
        code = BY_STATUS.get(status) or (LocalCode.SERVER_ERROR if status >= 500 else "")
    kind = AuthExpired if status == 401 and code != P.INVALID_CREDENTIALS else ApiError
    return kind(code or f"http_{status}", problem.detail, status=status, fields=problem.errors,
                extra=dict(problem.model_extra or {}), field=problem.field)
