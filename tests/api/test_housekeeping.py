"""The server's own background work (server/housekeeping.py), on both engines.

These tests have a salon of their own: a housekeeping round closes every idle cart and records
every expired card in its database, which must not touch what the shared server's tests arrange.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from desk_tui.server import housekeeping
from desk_tui.server.database import utcnow
from desk_tui.server.sales.models import Sale
from tests.api.arrange_appointments import balance, new_customer, sell
from tests.api.arrange_cards import history
from tests.api.arrange_sales import HOLD, add, last_line, opened, redeem
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def own_salon(engine, new_db_url):
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


def cart_holding_a_card_session(c) -> tuple[dict, dict]:
    """A cart whose manicure is covered by the customer's card: one session held."""
    customer = new_customer(c)
    card = sell(c, customer)
    sale = add(c, opened(c, customer_id=customer)["id"], "svc_manicure")
    r = redeem(c, sale["id"], last_line(sale)["id"], card_id=card["id"])
    assert r.status_code == 200, r.text
    assert balance(c, card["id"])["booked"] == 1
    return r.json(), card


def status_of(server: LiveServer, sale_id: str) -> str:
    with server.database.read_session() as s:
        return s.get(Sale, sale_id).status


def test_a_round_closes_idle_carts_and_gives_their_holds_back(own_salon):
    with login(own_salon.url, "reception") as c:
        sale, card = cart_holding_a_card_session(c)
        _busy, _ = cart_holding_a_card_session(c)
        # Not idle yet: a round now leaves both carts alone.
        assert housekeeping.run_once(own_salon.database, hold_timeout=HOLD).carts_closed == 0
        assert status_of(own_salon, sale["id"]) == "open"

        later = utcnow() + HOLD + timedelta(minutes=1)
        chores = housekeeping.run_once(own_salon.database, hold_timeout=HOLD, now=later)
        assert chores.carts_closed == 2
        done = c.get(f"/sales/{sale['id']}").json()
        assert (done["status"], done["abandoned_reason"]) == ("abandoned", "left idle for 30 minutes")
        assert balance(c, card["id"])["booked"] == 0, "the held session went back to the card"
        assert housekeeping.run_once(own_salon.database, hold_timeout=HOLD, now=later).carts_closed == 0


def test_a_round_records_each_expired_card_once(own_salon):
    with login(own_salon.url, "manager") as m:
        card = sell(m, new_customer(m))
        past = (utcnow() - timedelta(days=3)).date().isoformat()
        assert m.patch(f"/cards/{card['id']}", json={"expires_on": past}, headers=key()).status_code == 200
        first = housekeeping.run_once(own_salon.database, hold_timeout=HOLD)
        assert first.cards_expired >= 1  # the demo salon has an expired card of its own
        assert housekeeping.run_once(own_salon.database, hold_timeout=HOLD).cards_expired == 0
        expired = [t for t in history(m, card["id"]) if t["kind"] == "expire"]
        assert [(t["units"], t["staff_name"]) for t in expired] == [(5, None)]


class _Heard(logging.Handler):
    """Sets ``done`` when housekeeping reports that it closed idle carts (the server runs in this
    process, in a thread): the test waits on that, not on the clock."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.done = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "closed" in record.getMessage() and record.args and record.args[0]:
            self.done.set()


def test_the_running_server_closes_an_idle_cart_without_any_request(engine, new_db_url):
    # A three-second hold (room for the requests that make the cart on a busy machine) and a
    # round every 50 ms: the cart is then closed by the server itself.
    heard = _Heard()
    logger = logging.getLogger(housekeeping.__name__)
    level = logger.level
    logger.addHandler(heard)
    logger.setLevel(logging.INFO)
    try:
        with LiveServer(new_db_url(engine), demo=True, lifespan=True, sale_hold_timeout=timedelta(seconds=3),
                        housekeeping_every=timedelta(milliseconds=50)) as server, \
                login(server.url, "reception") as c:
            sale, card = cart_holding_a_card_session(c)
            assert heard.done.wait(timeout=20), "the server never closed the idle cart"
            assert status_of(server, sale["id"]) == "abandoned"  # read from the database: no sales request
            assert balance(c, card["id"])["booked"] == 0
            r = c.post(f"/sales/{sale['id']}/lines", json={"product_id": "prd_hand_cream"}, headers=key())
            assert r.status_code == 409 and "idle" in r.json()["detail"]
    finally:
        logger.removeHandler(heard)
        logger.setLevel(level)


def test_the_expiry_check_reads_only_cards_still_to_record(api):
    """The every-minute check can walk the partial index of cards whose expiry is not recorded yet,
    instead of every card that ever expired. PostgreSQL is told to avoid a plain scan (it would
    take one on a table this small) and must choose the index; SQLite, without statistics, prefers
    (status, expires_on), so it is asked to use the partial one, which it refuses to do ("no query
    solution") unless the index's terms cover the check's WHERE."""
    from desk_tui.server.cards.lifecycle import overdue

    engine = api.database.engine
    statement = str(overdue(utcnow().date()).compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if api.database.is_sqlite:
            forced = statement.replace("FROM cards", "FROM cards INDEXED BY ix_cards_expiry_unrecorded")
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {forced}"))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}"))
        conn.rollback()
    assert "ix_cards_expiry_unrecorded" in plan, plan
