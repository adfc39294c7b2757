"""The demo's cards are dated on the salon's clock, whatever hour (UTC) the demo is seeded at.

Between midnight in Budapest and midnight UTC the two dates differ; a card the module docstring
says "expires in 12 days" must still expire twelve salon days after the day it was seeded, and
its sale stand at the salon's 10:00.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

import desk_tui.server.cards.demo  # noqa: F401  (loaded, so its clock is pinned below)
import desk_tui.server.database as database
from desk_tui.server.cards.models import Card, CardTransaction
from desk_tui.server.serve import prepare

BUDAPEST = ZoneInfo("Europe/Budapest")
#: 23:30 UTC on 2 March is 00:30 on 3 March in the salon
LATE = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


def test_demo_cards_count_days_on_the_salons_clock(tmp_path, monkeypatch):
    real = database.utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("desk_tui.server") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", lambda: LATE)
    db = prepare(f"sqlite:///{tmp_path / 'demo.db'}", demo=True)
    try:
        with db.engine.connect() as c:
            expiring = c.execute(select(Card.expires_on).where(Card.id == "crd_demo_0501")).scalar_one()
            sold = c.execute(select(CardTransaction.at).where(CardTransaction.card_id == "crd_demo_0501",
                                                              CardTransaction.kind == "issue")).scalar_one()
    finally:
        db.dispose()
    salon_today = date(2026, 3, 3)
    assert (expiring - salon_today).days == 12
    assert sold.replace(tzinfo=sold.tzinfo or UTC).astimezone(BUDAPEST).hour == 10

