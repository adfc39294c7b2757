"""Migration 0018 chains the entries already on file: a salon that upgrades gets, for every entry
the older version wrote, exactly the hashes this version would have written, its ledger passes
verify-ledger, and the ledger is append-only again once the migration is done."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from desk_tui.cli import main
from desk_tui.server import migrate
from desk_tui.server.serve import prepare
from tests.conftest import ENGINES
from tests.support.demo_copy import fill_with_demo

REVISION = "0018"
APPEND_ONLY = "card_transactions is append-only: write a compensating entry instead"


def _chain(conn, leave_out: set[str]) -> tuple[list, list]:
    entries = conn.execute(text("SELECT card_id, id, prev_hash, entry_hash FROM card_transactions ORDER BY id")).all()
    heads = conn.execute(text("SELECT id, ledger_head FROM cards ORDER BY id")).all()
    return [e for e in entries if e[0] not in leave_out], [h for h in heads if h[0] not in leave_out]


def _used_by_a_family_member(conn) -> set[str]:
    """Cards with an entry a family member made: no version before family cards (0021) could write
    one, and walking down to 0015 forgets who used them, so their hashes are not an older version's."""
    return set(conn.execute(text("SELECT DISTINCT card_id FROM card_transactions "
                                 "WHERE used_by_customer_id IS NOT NULL")).scalars())


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_upgrade_chains_existing_entries_as_the_server_would_and_keeps_the_ledger_append_only(
        engine_name, new_db_url, capsys):
    url = new_db_url(engine_name)
    fill_with_demo(url)  # the demo salon as its seeding wrote it, copied (demo_copy.py), not seeded again
    db = prepare(url, demo=True)  # the demo salon's cards: issues, redemptions, an undo, an adjustment
    try:
        with db.engine.connect() as conn:
            family = _used_by_a_family_member(conn)
            written = _chain(conn, family)
            kinds = set(conn.execute(text("SELECT DISTINCT kind FROM card_transactions")).scalars())
        assert len(written[0]) > 10 and {"issue", "redeem", "undo", "adjust"} <= kinds

        # as an older version left it: the same entries, no hashes
        migrate.downgrade(db.engine, "0015")
        assert "entry_hash" not in {c["name"] for c in inspect(db.engine).get_columns("card_transactions")}
        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        with db.engine.connect() as conn:
            assert _chain(conn, family) == written

        for statement in ("UPDATE card_transactions SET units = units + 1",
                          "DELETE FROM card_transactions WHERE seq = 1"):
            with pytest.raises(DBAPIError, match=APPEND_ONLY), db.engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        db.dispose()
    capsys.readouterr()
    assert main(["admin", "--db", url, "verify-ledger"]) == 0
    assert capsys.readouterr().out.endswith("every entry is as it was written.\n")
