"""Migration 0023 works out what every card owes from its ledger (the figures the ledger keeps on
the card from then on) and copies each customer's sort name onto their search terms: walked down
to 0022 and up again over the demo salon (one-pool cards, a bundle, used and booked units), every
figure and term is what the server itself wrote."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desk_tui.server import migrate
from desk_tui.server.cards.models import Card
from desk_tui.server.customers.models import CustomerSearchTerm
from desk_tui.server.database import Database
from desk_tui.server.reports.liability import liability
from tests.conftest import ENGINES
from tests.support.demo_copy import fill_with_demo


def _state(db: Database) -> tuple[dict, dict, object]:
    with db.read_session() as s:
        owed = {c.id: (c.owed_units, c.owed_value) for c in s.scalars(select(Card))}
        terms = {(t.customer_id, t.term): t.sort_name for t in s.scalars(select(CustomerSearchTerm))}
        return owed, terms, liability(s)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_owed_figures_and_sort_names_are_filled_in_as_the_server_writes_them(engine_name, new_db_url):
    url = new_db_url(engine_name)
    fill_with_demo(url)  # the demo salon as its seeding wrote it, copied (demo_copy.py), at head
    db = Database(url)
    try:
        written = _state(db)
        owed, terms, report = written
        assert any(units for units, _ in owed.values()) and report.total_value > 0
        assert all(terms.values())
        migrate.downgrade(db.engine, "0022")
        migrate.upgrade(db.engine)
        assert _state(db) == written
    finally:
        db.dispose()
