"""VAT rates: kept in hundredths of a percent (2700 = 27 %, 550 = 5.5 %), so a rate is exact
and the arithmetic on money stays in integers (sales/money.py). The wire speaks percent
(``vat_rate: 27`` or ``5.5``); a rate is 0–100 with at most two decimals, anything else is
422 ``invalid_vat_rate`` naming the field.

Which rate and which pricing an item gets when it does not say: the organisation's
(``OrgSettings.vat_basis_points``, ``prices_include_tax``).
"""

from __future__ import annotations

import math

from desk_tui.contract.problems import ProblemCode
from desk_tui.contract.reference import Settings
from desk_tui.server.errors import DomainError

#: 100 % in hundredths of a percent
WHOLE = 10_000


def basis_points(rate: float, *, field: str = "vat_rate") -> int:
    """The rate as stored, or 422 ``invalid_vat_rate`` (negative, above 100, finer than 0.01 %)."""
    if isinstance(rate, bool) or not math.isfinite(rate) or not 0 <= rate <= 100:
        raise DomainError(ProblemCode.INVALID_VAT_RATE, "A VAT rate is a percentage from 0 to 100.", field=field)
    stored = round(rate * 100)
    if abs(stored - rate * 100) > 1e-6:
        raise DomainError(ProblemCode.INVALID_VAT_RATE,
                          "A VAT rate has at most two decimals (27, 5.5 or 7.75).", field=field)
    return stored


def percent(points: int) -> float:
    return points / 100


def defaults(org: Settings, rate: float | None, inclusive: bool | None) -> tuple[int, bool]:
    """What a new item gets: the rate and pricing it names, else the organisation's."""
    points = basis_points(org.vat_rate if rate is None else rate)
    return points, org.prices_include_tax if inclusive is None else inclusive
