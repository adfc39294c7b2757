"""Reading and tampering with the card ledger behind the API's back, for the hash-chain tests
(this module holds no tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine

from desk_tui.cli import main
from desk_tui.server.cards.models import CardTransaction
from tests.support.live_server import LiveServer

#: the ledger's table with its column types (SQLite hands raw SQL its times as strings)
ENTRIES = CardTransaction.__table__
APPEND_ONLY = "card_transactions is append-only: write a compensating entry instead"


def verify(url: str, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["admin", "--db", url, "verify-ledger"])
    return code, capsys.readouterr().out.splitlines()


@contextmanager
def around_the_trigger(server: LiveServer) -> Iterator[Connection]:
    """A connection that may change the ledger: the append-only trigger dropped, and created
    again when the block ends, in one transaction."""
    engine = create_engine(server.db_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER card_transactions_no_update")
                conn.exec_driver_sql("DROP TRIGGER card_transactions_no_delete")
            else:
                conn.exec_driver_sql("DROP TRIGGER card_transactions_append_only ON card_transactions")
            yield conn
            if conn.dialect.name == "sqlite":
                for action in ("UPDATE", "DELETE"):
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER card_transactions_no_{action.lower()} BEFORE {action} ON card_transactions "
                        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
            else:
                conn.exec_driver_sql("CREATE TRIGGER card_transactions_append_only BEFORE UPDATE OR DELETE ON "
                                     "card_transactions FOR EACH ROW EXECUTE FUNCTION card_transactions_append_only()")
    finally:
        engine.dispose()


def named(lines: list[str], card: dict) -> list[str]:
    return [line for line in lines if f"({card['id']})" in line]
