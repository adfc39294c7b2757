"""The ledger's hash chain: `desk-tui admin verify-ledger` passes a ledger written only through the
API, and names the card and entry when one was edited, deleted or reordered by SQL with the
append-only trigger set aside (and put back, as someone covering their tracks would), and the card
whose figures owed (the liability report's) are not what its ledger sums to.

The tampering happens on a database of this module's own, never the shared one, and each test
tampers with a card of its own, so each names exactly the card it changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, select, text

from desk_tui.cli import main
from desk_tui.server.cards import chain
from tests.api.arrange_cards import history, make_package, redeemed, sell, tag
from tests.api.arrange_ledger import ENTRIES, around_the_trigger, named, verify
from tests.api.arrange_races import race
from tests.support.api_client import login
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def victim(engine, new_db_url):
    """A salon whose ledger the tests of this module tamper with."""
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


@pytest.fixture
def card(victim) -> dict:
    """A card with three entries: issued (#1), redeemed (#2), redeemed again (#3)."""
    with login(victim.url, "manager") as m:
        card = sell(m, make_package(m)["id"], number=f"LT-{tag()}")
        redeemed(m, card["id"])
        redeemed(m, card["id"])
    engine = create_engine(victim.db_url)
    try:
        with engine.connect() as conn:
            card["entries"] = conn.execute(text("SELECT id, seq, kind FROM card_transactions WHERE card_id = :card "
                                                "ORDER BY seq"), {"card": card["id"]}).mappings().all()
    finally:
        engine.dispose()
    assert [(e["seq"], e["kind"]) for e in card["entries"]] == [(1, "issue"), (2, "redeem"), (3, "redeem")]
    return card


def test_a_ledger_written_through_the_api_passes(api, capsys):
    """The shared demo database, with whatever the other tests wrote to it."""
    engine = create_engine(api.db_url)
    try:
        with engine.connect() as conn:
            cards = conn.scalar(text("SELECT count(*) FROM cards"))
            entries = conn.scalar(text("SELECT count(*) FROM card_transactions"))
    finally:
        engine.dispose()
    assert cards > 0 and entries > cards
    code, lines = verify(api.db_url, capsys)
    assert (code, lines) == (0, [f"Checked {cards} cards and {entries} ledger entries: every entry is as it was "
                                 "written."])


def test_an_edited_entry_is_named(victim, card, capsys):
    second = card["entries"][1]
    with around_the_trigger(victim) as conn:
        conn.execute(text("UPDATE card_transactions SET used_delta = 0 WHERE id = :id"), {"id": second["id"]})
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): entry #2 ({second['id']}) is not as it "
                                  "was written: edited, or moved from another place"]
    assert re.fullmatch(r"Checked \d+ cards and \d+ ledger entries: \d+ cards? (was|were) changed behind the API's back\.",
                        lines[-1]), lines


def test_an_edit_that_recomputes_its_own_hash_is_named_by_the_next_entry(victim, card, capsys):
    second, third = card["entries"][1], card["entries"][2]
    with around_the_trigger(victim) as conn:
        row = conn.execute(select(ENTRIES).where(ENTRIES.c.id == second["id"])).mappings().one()
        forged = dict(row, note="never happened")
        conn.execute(text("UPDATE card_transactions SET note = :note, entry_hash = :hash WHERE id = :id"),
                     {"note": forged["note"], "hash": chain.entry_hash(forged, row["prev_hash"]), "id": second["id"]})
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): entry #3 ({third['id']}) does not follow "
                                  "the entry before it: an entry before it was replaced or moved"]


def test_a_deleted_entry_is_named(victim, card, capsys):
    second, third = card["entries"][1], card["entries"][2]
    with around_the_trigger(victim) as conn:
        conn.execute(text("DELETE FROM card_transactions WHERE id = :id"), {"id": second["id"]})
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): entry #2 is missing (deleted); the next "
                                  f"is #3 ({third['id']})"]


def test_a_deleted_last_entry_is_named(victim, card, capsys):
    with around_the_trigger(victim) as conn:
        conn.execute(text("DELETE FROM card_transactions WHERE id = :id"), {"id": card["entries"][2]["id"]})
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): its entries after #2 are missing (it "
                                  "wrote 3): deleted"]


def test_swapped_entries_are_named(victim, card, capsys):
    """The two redemptions trade places (their sequence numbers, through a spare one: (card, seq) is unique)."""
    second, third = card["entries"][1], card["entries"][2]
    with around_the_trigger(victim) as conn:
        for entry_id, seq in ((second["id"], -1), (third["id"], 2), (second["id"], 3)):
            conn.execute(text("UPDATE card_transactions SET seq = :seq WHERE id = :id"), {"seq": seq, "id": entry_id})
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): entry #2 ({third['id']}) is not as it "
                                  "was written: edited, or moved from another place"]


def test_a_card_whose_figures_owed_were_edited_is_named(victim, card, capsys):
    """The figures the liability report adds up are kept on the card row, outside the chain: one
    changed by SQL (the ledger untouched) no longer matches the ledger's sums, and shows."""
    engine = create_engine(victim.db_url)
    try:
        with engine.begin() as conn:
            units, value = conn.execute(text("SELECT owed_units, owed_value FROM cards WHERE id = :id"),
                                        {"id": card["id"]}).one()
            conn.execute(text("UPDATE cards SET owed_value = owed_value + 1000 WHERE id = :id"), {"id": card["id"]})
    finally:
        engine.dispose()
    code, lines = verify(victim.db_url, capsys)
    assert code == 1
    assert named(lines, card) == [f"card {card['number']} ({card['id']}): it says it owes {units} units worth "
                                  f"{value + 1000}, its ledger {units} worth {value}: its figures were changed behind "
                                  "the ledger's back"]


def test_a_database_behind_this_version_is_refused_not_migrated(new_db_url, capsys):
    url = new_db_url("sqlite")
    capsys.readouterr()
    assert main(["admin", "--db", url, "verify-ledger"]) == 2
    assert "run `desk-tui admin --db URL migrate` first" in capsys.readouterr().err
    assert main(["admin", "--db", url, "migrate", "--check"]) == 1  # still empty


def test_racing_redemptions_on_one_card_chain_one_after_another(served_api, capsys):
    """Twenty terminals at once (two worker processes on PostgreSQL): each entry follows the one
    before it, because the previous hash is read under the lock that orders the sequence."""
    with login(served_api.url, "manager") as m:
        card = sell(m, make_package(m, [{"units": 30, "services": [{"service_id": "svc_manicure"}]}])["id"])
        results = race(served_api.url, m.headers["Authorization"], f"/cards/{card['id']}/redemptions",
                       [{"service_id": "svc_manicure"}] * 20)
        assert [r.status_code for r in results] == [201] * 20
        assert len(history(m, card["id"])) == 21
    code, lines = verify(served_api.db_url, capsys)
    assert code == 0 and lines[-1].endswith("every entry is as it was written."), lines
