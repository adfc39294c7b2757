"""tamper-evident ledger: every entry carries the hash of the card's previous entry and its own,
and the card the hash of its last; the entries already written are chained here

The backfill has to write to card_transactions, which the append-only triggers of 0002 refuse:
they are set aside for this transaction only (PostgreSQL: disabled and enabled again; SQLite has
no such switch: dropped and created again with 0002's very text), so no other writer ever sees
the ledger without them. The canonical form is written out here as chain.py has it today, so the
migration stays as it was; tests check that a backfilled ledger passes verify-ledger.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-01 05:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import hashlib
import json
from datetime import UTC
from typing import Any

from desk_tui.server.database import UTCDateTime


revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
CONTENT = ("id", "card_id", "seq", "at", "kind", "entitlement_id", "service_id", "units", "initial_delta",
           "adjust_delta", "used_delta", "booked_delta", "customer_id", "staff_id", "location_id",
           "appointment_id", "sale_id", "note", "ref_id", "amount", "old_value", "new_value")
#: as in 0002
APPEND_ONLY = "card_transactions is append-only: write a compensating entry instead"
#: cards chained per round: bounded memory, and no cursor left open over rows being updated
CARDS_PER_ROUND = 500

_entries = sa.table('card_transactions', *(sa.column(name) for name in CONTENT if name != "at"),
                    sa.column('at', UTCDateTime()), sa.column('prev_hash'), sa.column('entry_hash'))
_cards = sa.table('cards', sa.column('id'), sa.column('ledger_head'))


def _hash(row: dict[str, Any], prev_hash: str) -> str:
    content = {name: row[name] for name in CONTENT}
    content["at"] = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["prev_hash"] = prev_hash
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    # NOT NULL needs a default for the rows already there; the backfill below replaces it, and
    # every entry written from now on carries its hashes (one inserted by hand without them fails
    # verify-ledger). Plain ADD COLUMN, not a batch copy of the table, which would lose its triggers.
    op.add_column('cards', sa.Column('ledger_head', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('card_transactions', sa.Column('prev_hash', sa.String(length=64), nullable=False,
                                                 server_default=''))
    op.add_column('card_transactions', sa.Column('entry_hash', sa.String(length=64), nullable=False,
                                                 server_default=''))
    conn = op.get_bind()
    _set_triggers_aside(conn.dialect.name)
    card_ids: list[str] = list(conn.execute(sa.select(_cards.c.id).order_by(_cards.c.id)).scalars())
    for start in range(0, len(card_ids), CARDS_PER_ROUND):
        _chain(conn, card_ids[start:start + CARDS_PER_ROUND])
    _put_triggers_back(conn.dialect.name)


def _chain(conn: sa.Connection, card_ids: list[str]) -> None:
    heads = dict.fromkeys(card_ids, GENESIS)
    hashes = []
    rows = conn.execute(sa.select(_entries).where(_entries.c.card_id.in_(card_ids))
                        .order_by(_entries.c.card_id, _entries.c.seq)).mappings().all()
    for row in rows:
        prev_hash = heads[row["card_id"]]
        heads[row["card_id"]] = entry_hash = _hash(dict(row), prev_hash)
        hashes.append({"the_id": row["id"], "the_prev": prev_hash, "the_hash": entry_hash})
    if hashes:
        conn.execute(_entries.update().where(_entries.c.id == sa.bindparam("the_id"))
                     .values(prev_hash=sa.bindparam("the_prev"), entry_hash=sa.bindparam("the_hash")), hashes)
    conn.execute(_cards.update().where(_cards.c.id == sa.bindparam("the_id"))
                 .values(ledger_head=sa.bindparam("the_head")),
                 [{"the_id": card_id, "the_head": head} for card_id, head in heads.items()])


def _set_triggers_aside(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER card_transactions_no_update")
        op.execute("DROP TRIGGER card_transactions_no_delete")
    else:
        op.execute("ALTER TABLE card_transactions DISABLE TRIGGER card_transactions_append_only")


def _put_triggers_back(dialect: str) -> None:
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER card_transactions_no_{action.lower()} BEFORE {action} ON card_transactions "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    else:
        op.execute("ALTER TABLE card_transactions ENABLE TRIGGER card_transactions_append_only")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its triggers.
    op.drop_column('card_transactions', 'entry_hash')
    op.drop_column('card_transactions', 'prev_hash')
    op.drop_column('cards', 'ledger_head')
