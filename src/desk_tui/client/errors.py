"""Typed errors the UI turns into notifications, each with a sentence a receptionist understands.

The server's problem+json ``detail`` is written for people and is often more specific than
anything the client could say ("4 tries left", "Anna is booked 10:00–11:00"), so it wins for
the codes whose details the server composes by hand. For the machine-flavoured codes
(validation, method, size, idempotency bookkeeping) the table's sentence wins and the detail
stays on the exception for logs and support.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the contract imports pydantic, which the first frame must not wait for
    from desk_tui.contract.common import JSONObject

OFFLINE_SENTENCE = ("The booking server cannot be reached. Nothing was saved; what you typed is kept — "
                    "try again when the connection is back.")

SENTENCES: dict[str, str] = {
    "offline": OFFLINE_SENTENCE,
    "timeout": ("The booking server is taking too long to answer. What you typed is kept; trying again "
                "is safe — the same request is never applied twice."),
    "server_error": "The booking server had a problem and nothing was changed. Try again in a moment.",
    "internal_error": "The booking server had a problem and nothing was changed. Try again in a moment.",
    "server_busy": "The booking server is busy right now and nothing was changed. Try again in a moment.",
    "validation_error": "Some of what was entered is not accepted. Check the highlighted fields and try again.",
    "idempotency_key_reused": ("This form was already sent with different contents. Open it again and re-enter "
                               "the change."),
    "request_in_progress": "The same request is still being processed. Wait a moment, then check before retrying.",
    "unauthenticated": "Your session has ended. Please sign in again.",
    "invalid_credentials": "That username and PIN do not match.",
    "forbidden_role": "Your role does not allow this. Ask a manager or the owner.",
    "manager_approval_required": ("This price or discount needs a manager's approval: a manager or the owner "
                                  "enters their username and PIN."),
    "not_found": "This record no longer exists. It may have been removed on another terminal.",
    "method_not_allowed": "This cannot be done here: records are cancelled or made inactive, never deleted.",
    "version_conflict": "Someone else changed this first. The screen shows the latest version; make your change again.",
    "duplicate": "This already exists.",
    "insufficient_units": "Not enough sessions are left on this package.",
    "card_expired": "This package has expired, so it cannot be used.",
    "card_not_active": "This package is not active (used up, refunded or void), so it cannot be used.",
    "service_not_in_package": "This service is not part of this package.",
    "service_not_offered_here": "This service is not offered at this location.",
    "card_expires_before_appointment": "This package expires before the appointment date.",
    "credit_exhausted": "This membership credit is already used up for this month.",
    "already_undone": "This was already undone.",
    "staff_double_booked": "The staff member is already booked at that time.",
    "sale_not_balanced": "The payments do not add up to the total.",
    "insufficient_store_credit": "There is not enough store credit for this payment.",
    "package_inactive": "This package is no longer sold.",
    "invalid_transition": "This is not possible in the record's current state. Refresh and check.",
    "appointment_not_yet": "This appointment is on a later day: check-in and no-show are for its day.",
    "sale_of_another_customer": "That sale is not this card holder's; a package pays only for its holder.",
    "too_many_attempts": "Too many wrong PINs. Wait a few minutes and try again.",
    "payload_too_large": "This is too large to send. Shorten the text or split the file.",
}

#: Codes whose server ``detail`` is a composed sentence worth showing as is.
_DETAIL_WINS = set(SENTENCES) - {"offline", "timeout", "server_error", "internal_error", "server_busy",
                                 "validation_error",
                                 "idempotency_key_reused", "method_not_allowed", "payload_too_large",
                                 "request_in_progress"}

_GENERIC = "The booking server refused this."


class ApiError(Exception):
    """Anything that went wrong talking to the booking API, already explained."""

    def __init__(self, code: str, detail: str = "", *, status: int | None = None,
                 fields: list[JSONObject] | None = None, extra: JSONObject | None = None,
                 field: str | None = None) -> None:
        self.status = status
        self.code = code
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
        super().__init__("offline", detail)


class AuthExpired(ApiError):
    """The token is missing, expired or revoked: the UI shows the sign-in screen."""


class RequestTimeout(ApiError):
    """Sent, but no answer in time; a write may or may not have happened, so retry with the same key."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("timeout", detail)


def sentence_for(code: str, detail: str, status: int | None, *, fields: list[JSONObject] | None = None) -> str:
    if code in _DETAIL_WINS and detail and detail.strip():
        return detail.strip()
    if code == "validation_error":
        said = refusal_words(detail, fields or [])
        if said:
            return said
    if code in SENTENCES:
        return SENTENCES[code]
    if status is not None and status >= 500:
        return SENTENCES["server_error"]
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
    data = body if isinstance(body, dict) else {}
    detail = str(data.get("detail") or "")
    code = str(data.get("code") or "")
    if not code:
        code = {401: "unauthenticated", 403: "forbidden_role", 404: "not_found", 405: "method_not_allowed",
                412: "version_conflict", 413: "payload_too_large", 422: "validation_error",
                429: "too_many_attempts"}.get(status, "server_error" if status >= 500 else "")
    fields = data.get("errors") if isinstance(data.get("errors"), list) else None
    if status == 401 and code != "invalid_credentials":
        return AuthExpired(code, detail, status=status, fields=fields)
    extra = {k: v for k, v in data.items() if k not in _PROBLEM_MEMBERS}
    field = data.get("field") if isinstance(data.get("field"), str) else None
    return ApiError(code or f"http_{status}", detail, status=status, fields=fields, extra=extra, field=field)


#: the members every problem has; anything else is an extra of that code
_PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code", "errors", "field"}
