"""`desk-tui admin verify-ledger`: walk every card's ledger along its hash chain (cards/chain.py)
and name each card whose entries were edited, deleted or reordered behind the API's back — by SQL
with the append-only trigger dropped, say, or a restored file someone edited — and each card whose
figures owed (``owed_units``, ``owed_value``: what the liability report adds up) are not what its
ledger sums to.

It changes nothing, not even the schema: a database behind this version is refused rather than
migrated (the migration would chain what it finds). Everything is read in one snapshot, so a
server writing meanwhile never looks like tampering. The first problem of each card is named; what
follows it on the same card is a consequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import RowMapping, select
from sqlalchemy.orm import Session

from desk_tui.contract.problems import ProblemCode
from desk_tui.server import migrate
from desk_tui.server.cards import chain, ledger
from desk_tui.server.cards.models import Card, CardEntitlement, CardTransaction
from desk_tui.server.database import Database
from desk_tui.server.errors import DomainError

#: entries read from the database at a time: a salon's whole ledger never sits in memory
BATCH = 2000


@dataclass(frozen=True)
class Tampering:
    card_id: str
    card_number: str | None
    #: the entry where the chain breaks (a deleted entry has only its number)
    seq: int | None
    entry_id: str | None
    what: str

    def __str__(self) -> str:
        card = f"card {self.card_number} ({self.card_id})" if self.card_number else f"card {self.card_id}"
        return f"{card}: {self.what}"


@dataclass
class LedgerCheck:
    cards: int = 0
    entries: int = 0
    problems: list[Tampering] = field(default_factory=list)


@dataclass(frozen=True)
class _CardHead:
    number: str | None
    last_seq: int
    ledger_head: str
    price_paid: int
    owed: tuple[int, int]


def verify_ledger(db_url: str) -> LedgerCheck:
    db = Database(db_url)
    try:
        state = migrate.state(db.engine)
        if state.current != state.head:
            raise DomainError(ProblemCode.VALIDATION_ERROR, (
                f"the database is at revision {state.current or 'none (empty)'}, not this version's {state.head}: "
                "run `desk-tui admin --db URL migrate` first (verify-ledger changes nothing)."))
        with db.read_session() as s:
            if not db.is_sqlite:
                # one snapshot for every statement of the walk (SQLite's read transaction is one already)
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return _walk(s)
    finally:
        db.dispose()


def _walk(s: Session) -> LedgerCheck:
    check = LedgerCheck()
    cards = {row.id: _CardHead(row.number, row.last_seq, row.ledger_head, row.price_paid,
                               (row.owed_units, row.owed_value))
             for row in s.execute(select(Card.id, Card.number, Card.last_seq, Card.ledger_head, Card.price_paid,
                                         Card.owed_units, Card.owed_value))}
    check.cards = len(cards)
    # the pools' weights share a bundle's price; a card of one pool needs none (its pool has it all)
    E = CardEntitlement
    bundled = select(E.card_id).where(E.position > 0)
    weights = dict(s.execute(select(E.id, E.weight).where(E.card_id.in_(bundled))).all())
    T = CardTransaction.__table__
    rows = s.execute(select(T).order_by(T.c.card_id, T.c.seq).execution_options(yield_per=BATCH)).mappings()
    walked = set()
    for card_id, entries in groupby(rows, key=lambda row: row["card_id"]):
        walked.add(card_id)
        card = cards[card_id]  # a foreign key: every entry has its card
        balances: dict[str, list[int]] = {}
        problem = _first_break(card_id, card, _counted(check, entries, balances))
        if problem is None:
            problem = _owed_astray(card_id, card, balances, weights)
        if problem is not None:
            check.problems.append(problem)
    for card_id in sorted(cards.keys() - walked):
        card = cards[card_id]
        if card.last_seq != 0 or card.ledger_head != chain.GENESIS:
            check.problems.append(Tampering(card_id, card.number, 1, None, (
                f"all its entries are missing (it wrote {card.last_seq}): deleted")))
        elif card.owed != (0, 0):
            check.problems.append(_owed_differs(card_id, card, (0, 0)))
    return check


def _counted(check: LedgerCheck, entries: Iterator[RowMapping], balances: dict[str, list[int]]
             ) -> Iterator[RowMapping]:
    """The entries, counted, each pool's four sums added up on the way (into ``balances``)."""
    for entry in entries:
        check.entries += 1
        if entry["entitlement_id"] is not None:
            sums = balances.setdefault(entry["entitlement_id"], [0, 0, 0, 0])
            for i, column in enumerate(("initial_delta", "adjust_delta", "used_delta", "booked_delta")):
                sums[i] += entry[column]
        yield entry


def _owed_astray(card_id: str, card: _CardHead, balances: dict[str, list[int]], weights: dict[str, int]
                 ) -> Tampering | None:
    """The card's figures owed when they are not what its ledger sums to (ledger.owed_from)."""
    pools = [(weights.get(pool_id, 1), ledger.Pool(pool_id, *sums)) for pool_id, sums in sorted(balances.items())]
    expected = ledger.owed_from(card.price_paid, pools)
    return None if card.owed == expected else _owed_differs(card_id, card, expected)


def _owed_differs(card_id: str, card: _CardHead, expected: tuple[int, int]) -> Tampering:
    return Tampering(card_id, card.number, None, None, (
        f"it says it owes {card.owed[0]} units worth {card.owed[1]}, its ledger {expected[0]} worth {expected[1]}: "
        "its figures were changed behind the ledger's back"))


def _first_break(card_id: str, card: _CardHead, entries: Iterator[RowMapping]) -> Tampering | None:
    """The first place where this card's entries (in sequence order) leave its chain. Every entry is
    read (and counted) even after a break."""
    found: Tampering | None = None
    seq, head = 0, chain.GENESIS
    for entry in entries:
        if found is not None:
            continue

        def broken(what: str, entry: RowMapping = entry) -> Tampering:
            return Tampering(card_id, card.number, entry["seq"], entry["id"], f"entry #{entry['seq']} ({entry['id']}) {what}")

        if entry["seq"] != seq + 1:
            missing = f"entry #{seq + 1} is" if entry["seq"] == seq + 2 else f"entries #{seq + 1}–#{entry['seq'] - 1} are"
            found = Tampering(card_id, card.number, seq + 1, None,
                              f"{missing} missing (deleted); the next is #{entry['seq']} ({entry['id']})")
        elif chain.entry_hash(dict(entry), entry["prev_hash"]) != entry["entry_hash"]:
            found = broken("is not as it was written: edited, or moved from another place")
        elif entry["prev_hash"] != head:
            found = broken("does not follow the entry before it: an entry before it was replaced or moved")
        seq, head = entry["seq"], entry["entry_hash"]
    if found is None and (seq != card.last_seq or head != card.ledger_head):
        if seq < card.last_seq:
            what = f"its entries after #{seq} are missing (it wrote {card.last_seq}): deleted"
        else:
            what = f"its last entry #{seq} is not the one it wrote last: replaced or moved"
        found = Tampering(card_id, card.number, seq, None, what)
    return found
