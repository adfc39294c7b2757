"""Price overrides and staff discounts at the till: beyond the organisation's limit, a manager's.

One rule for every path that sets what a line charges (adding a line with a price, editing its
price or discount; a package or membership line like any other): how far staff took the line
below its catalogue price — the lowered price and the typed discount together — may be at most
``max_discount_percent_without_manager`` percent. Beyond that a manager or owner must approve:
signed in themselves, or with their PIN on the request (auth/approval.py). Who approved stays on
the line (``approved_by``) and in the customer's activity.

Not overrides: a membership discount from "Apply" (the plan gives it) and a line redeemed from a
credit or a card (the customer paid for those already).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server.auth.approval import Approver
from desk_tui.server.auth.principal import Principal
from desk_tui.server.errors import DomainError
from desk_tui.server.reference import service as reference
from desk_tui.server.sales.models import SaleLine

DEFAULT_LIMIT = 20


class ApprovalNeeded(DomainError):
    """403 ``manager_approval_required``: the change is beyond the limit and no approver was given
    (the client then asks a manager and sends the same change with their username and PIN, which
    sales/routes.py checks before the request writes anything)."""

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(ProblemCode.MANAGER_APPROVAL_REQUIRED, detail, **extra)


def limit(s: Session) -> int:
    return reference.settings(s).max_discount_percent_without_manager


def list_price(line: SaleLine) -> int:
    return line.unit_price if line.list_price is None else line.list_price


def staff_discount(line: SaleLine) -> int:
    """The discount percent staff typed (a membership discount is the plan's, not staff's)."""
    return line.discount_percent if line.discount_source == "staff" else 0


def beyond(line: SaleLine, limit_percent: int) -> bool:
    """Staff took more than ``limit_percent`` off the list price of one (in exact integers)."""
    listed = list_price(line)
    if listed <= 0:
        return False
    charged_x100 = line.unit_price * (100 - staff_discount(line))
    return listed * 100 - charged_x100 > limit_percent * listed


def check(s: Session, line: SaleLine, *, me: Principal, approver: Approver | None) -> str | None:
    """Call after a path changed the line's price or discount. Refuses (403
    ``manager_approval_required``) a reception edit beyond the limit without an approval; records
    who approved on the line. Returns the approver's name for the activity note, or None."""
    allowed = limit(s)
    if not beyond(line, allowed):
        line.approved_by = None
        return None
    if me.at_least("manager"):
        line.approved_by = me.staff_id
        return me.staff_name
    if approver is None:
        raise ApprovalNeeded(f"More than {allowed}% off the list price of {line.name} needs a manager's approval: "
                             "a manager or the owner enters their username and PIN.", limit_percent=allowed)
    line.approved_by = approver.staff_id
    return approver.name
