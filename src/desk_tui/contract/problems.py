"""The problems the API can answer with: one ``code`` per problem, the same word on both sides.

The server raises ``DomainError(ProblemCode.X, detail)`` and answers problem+json
(:class:`desk_tui.contract.common.Problem`); the client maps the code to a sentence for the
desk. Plain enum and dicts, no pydantic: the client's first frame imports this.
"""

from __future__ import annotations

from enum import StrEnum


class ProblemCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    UNAUTHENTICATED = "unauthenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    FORBIDDEN_ROLE = "forbidden_role"
    MANAGER_APPROVAL_REQUIRED = "manager_approval_required"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    VERSION_CONFLICT = "version_conflict"
    REQUEST_IN_PROGRESS = "request_in_progress"
    DUPLICATE = "duplicate"
    INSUFFICIENT_UNITS = "insufficient_units"
    CARD_EXPIRED = "card_expired"
    CARD_NOT_ACTIVE = "card_not_active"
    SERVICE_NOT_IN_PACKAGE = "service_not_in_package"
    SERVICE_NOT_OFFERED_HERE = "service_not_offered_here"
    CARD_EXPIRES_BEFORE_APPOINTMENT = "card_expires_before_appointment"
    CREDIT_EXHAUSTED = "credit_exhausted"
    MEMBERSHIP_FROZEN = "membership_frozen"
    MEMBERSHIP_UNPAID = "membership_unpaid"
    ALREADY_UNDONE = "already_undone"
    STAFF_DOUBLE_BOOKED = "staff_double_booked"
    SALE_NOT_BALANCED = "sale_not_balanced"
    INSUFFICIENT_STORE_CREDIT = "insufficient_store_credit"
    PACKAGE_INACTIVE = "package_inactive"
    INVALID_TRANSITION = "invalid_transition"
    APPOINTMENT_NOT_YET = "appointment_not_yet"
    SALE_OF_ANOTHER_CUSTOMER = "sale_of_another_customer"
    CARD_NOT_SHARED = "card_not_shared"
    CARD_OWNER_ONLY = "card_owner_only"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INTERNAL_ERROR = "internal_error"
    SERVER_BUSY = "server_busy"
    DATABASE_UNAVAILABLE = "database_unavailable"
    INVALID_VAT_RATE = "invalid_vat_rate"


P = ProblemCode

#: code → (HTTP status, title). Titles are stable; a problem's ``detail`` says what happened this time.
STATUS_AND_TITLE: dict[ProblemCode, tuple[int, str]] = {
    P.VALIDATION_ERROR: (422, "The request is not valid"),
    P.IDEMPOTENCY_KEY_REUSED: (422, "This Idempotency-Key was used for a different request"),
    P.UNAUTHENTICATED: (401, "Sign-in required"),
    P.INVALID_CREDENTIALS: (401, "Wrong username or PIN"),
    P.FORBIDDEN_ROLE: (403, "Your role does not allow this"),
    P.MANAGER_APPROVAL_REQUIRED: (403, "A manager's approval is needed"),
    P.NOT_FOUND: (404, "Not found"),
    P.METHOD_NOT_ALLOWED: (405, "Not allowed"),
    P.VERSION_CONFLICT: (412, "Someone else changed this first"),
    P.REQUEST_IN_PROGRESS: (409, "The same request is still being processed"),
    P.DUPLICATE: (409, "Already exists"),
    P.INSUFFICIENT_UNITS: (409, "Not enough units left"),
    P.CARD_EXPIRED: (409, "The card has expired"),
    P.CARD_NOT_ACTIVE: (409, "The card is not active"),
    P.SERVICE_NOT_IN_PACKAGE: (409, "The service is not part of this package"),
    P.SERVICE_NOT_OFFERED_HERE: (409, "The service is not offered at this location"),
    P.CARD_EXPIRES_BEFORE_APPOINTMENT: (409, "The card expires before the appointment"),
    P.CREDIT_EXHAUSTED: (409, "No credit left this period"),
    P.MEMBERSHIP_FROZEN: (409, "The membership is frozen"),
    P.MEMBERSHIP_UNPAID: (409, "The membership's benefits are suspended until it is paid"),
    P.ALREADY_UNDONE: (409, "Already undone"),
    P.STAFF_DOUBLE_BOOKED: (409, "The staff member is already booked then"),
    P.SALE_NOT_BALANCED: (409, "Payments do not add up to the total"),
    P.INSUFFICIENT_STORE_CREDIT: (409, "Not enough store credit"),
    P.PACKAGE_INACTIVE: (409, "The package is not for sale"),
    P.INVALID_TRANSITION: (409, "Not possible in the current state"),
    P.APPOINTMENT_NOT_YET: (409, "The appointment's day has not come yet"),
    P.SALE_OF_ANOTHER_CUSTOMER: (409, "The sale is not the card holder's"),
    P.CARD_NOT_SHARED: (409, "The card is not shared with this customer"),
    P.CARD_OWNER_ONLY: (409, "Only the card's owner can do this"),
    P.TOO_MANY_ATTEMPTS: (429, "Too many attempts"),
    P.PAYLOAD_TOO_LARGE: (413, "The request is too large"),
    P.INTERNAL_ERROR: (500, "Something went wrong on the server"),
    P.SERVER_BUSY: (503, "The server is busy"),
    P.DATABASE_UNAVAILABLE: (503, "The database cannot be reached"),
    P.INVALID_VAT_RATE: (422, "Not a VAT rate"),
}

#: The code of an error answer that names none (the framework's own 404 or 405, a proxy, an
#: older server), by HTTP status. Other statuses are each side's call (the server answers a
#: 4xx as validation_error; the client says "the server refused this").
BY_STATUS: dict[int, ProblemCode] = {
    401: P.UNAUTHENTICATED, 403: P.FORBIDDEN_ROLE, 404: P.NOT_FOUND, 405: P.METHOD_NOT_ALLOWED,
    412: P.VERSION_CONFLICT, 413: P.PAYLOAD_TOO_LARGE, 422: P.VALIDATION_ERROR, 429: P.TOO_MANY_ATTEMPTS,
}
