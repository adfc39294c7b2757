"""PostgreSQL: writers no longer queue on one lock to commit, yet a stream still never skips an
event. Two transactions of our own: the one whose events got the lower ids commits last, and a
reader between the two commits must neither see the higher id first nor lose the lower one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from desk_tui.server.events import service as events
from tests.api.arrange_appointments import at, booked, new_customer, paid, some_day
from tests.support.api_client import login
from tests.support.event_stream import EventStream, token
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server(new_db_url):
    with LiveServer(new_db_url("postgresql"), demo=True) as live:
        yield live


def _announce(s: Session, card_id: str) -> None:
    events.record(s, kind="card.changed", location_id=None, me=None, card_id=card_id)


def _read_on(db, position: int) -> tuple[list[events.Event], int, bool]:
    """What a stream standing at ``position`` reads next, and where it then stands."""
    with db.read_session() as s:
        page = events.since(s, after=position, location_id="loc_downtown")
    return page.events, max([position, *(e.id for e in page.events)]), page.held


def test_the_lower_id_committed_last_is_neither_skipped_nor_overtaken(server):
    db = server.database
    with db.read_session() as s:
        position = events.bounds(s).newest
    heard: list[events.Event] = []
    first = db.write_session()
    try:
        first.begin()
        with first.begin_nested():  # as a request's block: its events are written now, committed with the request
            _announce(first, "crd_drew_first")
        with db.transaction() as second:
            # Writers must not wait for each other: were the first holding a lock to its commit,
            # this would fail here instead of hanging the test.
            second.execute(text("SET LOCAL lock_timeout = '20s'"))
            _announce(second, "crd_drew_second")
        between, position, held = _read_on(db, position)
        heard += between
        assert between == [] and held  # the second's event is committed, but waits for the first
        with db.read_session() as s:
            assert events.bounds(s).newest <= position  # a stream starting now stands before both
        first.commit()
    finally:
        first.close()
    after, position, held = _read_on(db, position)
    heard += after
    assert [e.card_id for e in heard] == ["crd_drew_first", "crd_drew_second"] and not held
    assert heard[0].id < heard[1].id == position


def test_a_rolled_back_transaction_between_them_leaves_no_gap_unread(server):
    db = server.database
    with db.read_session() as s:
        position = events.bounds(s).newest
    doomed = db.write_session()
    try:
        doomed.begin()
        with doomed.begin_nested():
            _announce(doomed, "crd_rolled_back")
        with db.transaction() as later:
            _announce(later, "crd_committed")
        doomed.rollback()
    finally:
        doomed.close()
    got, _, held = _read_on(db, position)
    assert [e.card_id for e in got] == ["crd_committed"] and not held


async def test_an_older_transaction_that_announces_nothing_holds_the_stream_back_only_until_it_ends(server):
    """Its end sends no NOTIFY (it wrote no event): the stream looks again on its own."""
    c = login(server.url, "reception")
    t = await token(server.url)
    customer = await asyncio.to_thread(new_customer, c)
    async with EventStream(server.url, t) as stream:
        _, _, before = await stream.next()  # ready: where a desk stood before the booking
    older = server.database.write_session()
    try:
        older.begin()
        older.execute(text("SELECT pg_current_xact_id()"))  # it has a transaction id, older than the booking's
        appt = await asyncio.to_thread(booked, c, customer, at(some_day(), 10), paid())
        # The desk reconnects after the booking's NOTIFY: nothing else will wake it.
        async with EventStream(server.url, t, last_event_id=before) as stream:
            assert [k for k, _, _ in await stream.until("ready")] == ["ready"]  # the booking waits for the older one
            older.commit()
            kind, data, _ = await stream.next()
    finally:
        older.close()
    assert (kind, data["appointment_id"]) == ("appointment.created", appt["id"])
