"""A writer's row lock queues the row's other writers, not the writes that merely refer to it.

Every lock the server takes before changing a row (the stylist a booking is for, a card, a
customer) is ``FOR NO KEY UPDATE`` on PostgreSQL: none of them changes the row's key. A plain
``FOR UPDATE`` also blocks the ``FOR KEY SHARE`` that PostgreSQL's foreign-key check takes on the
row an insert refers to, so a sale line naming the stylist, or a ledger entry of another desk's
redemption by the same receptionist, waited for the whole booking (issue 17's bench: 119 of 542
bookings waited on stylists' rows at saturation).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desk_tui.server.appointments.booked import STAFF_LOCKED
from desk_tui.server.cards.ledger import lock_card
from desk_tui.server.customers.service import get_customer
from tests.support.live_server import LiveServer

LOCKS: list[tuple[str, Callable[[Session], object], str, str]] = [
    ("a booking's stylist",
     lambda s: s.execute(STAFF_LOCKED, {"staff_id": "stf_anna", "location_id": "loc_downtown"}).one(),
     "staff", "stf_anna"),
    ("a card being redeemed", lambda s: lock_card(s, "crd_demo_0101"), "cards", "crd_demo_0101"),
    ("a customer being changed", lambda s: get_customer(s, "cus_demo0001", for_update=True),
     "customers", "cus_demo0001"),
]


@pytest.fixture(scope="module")
def pg_server(new_db_url):
    with LiveServer(new_db_url("postgresql"), demo=True) as server:
        yield server


@pytest.mark.parametrize(("what", "lock", "table", "row_id"), LOCKS, ids=[x[0] for x in LOCKS])
def test_a_lock_lets_references_through_and_queues_writers(pg_server, what, lock, table, row_id):
    engine = pg_server.database.engine
    with engine.connect() as writer, engine.connect() as other, Session(writer) as locked:
        lock(locked)
        # What the foreign-key check of an insert referring to the row takes: granted at once.
        assert other.execute(text(f"SELECT 1 FROM {table} WHERE id = :id FOR KEY SHARE NOWAIT"),
                             {"id": row_id}).scalar() == 1
        # Another writer of the same row still queues behind the lock.
        with pytest.raises(OperationalError, match="could not obtain lock"):
            other.execute(text(f"SELECT 1 FROM {table} WHERE id = :id FOR NO KEY UPDATE NOWAIT"), {"id": row_id})
        locked.rollback()
