"""what each card still owes kept on its row (the liability report), and the customer's sort name
on each search term (a name search walks the term index in result order and stops at a page)

Every card's ``owed_units`` and ``owed_value`` are worked out from its ledger here: a card with one
pool in one UPDATE of both engines' SQL, a bundle (a pool past position 0; its value is a sum of
fractions rounded down once) in Python, with this revision's own copy of the rule
(cards/ledger.py ``owed``), as the chain's migration 0018 keeps its own copy of the hash's form.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 16:30:00.000000
"""
from fractions import Fraction

from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# A one-pool card: units = max(left − booked, 0) + booked; value = price × min(left, initial) ÷
# initial, rounded down (integer division of non-negatives on both engines), when anything is left.
_ONE_POOL = """
UPDATE cards SET owed_units = sums.units, owed_value = sums.value FROM (
  SELECT l.card_id,
         CASE WHEN l.left_ - l.booked > 0 THEN l.left_ - l.booked ELSE 0 END + l.booked AS units,
         CASE WHEN l.initial > 0 AND l.left_ > 0 AND c.price_paid > 0
                   AND (CASE WHEN l.left_ - l.booked > 0 THEN l.left_ - l.booked ELSE 0 END + l.booked) > 0
              THEN c.price_paid * (CASE WHEN l.left_ < l.initial THEN l.left_ ELSE l.initial END) / l.initial
              ELSE 0 END AS value
  FROM (SELECT card_id, sum(initial_delta) AS initial, sum(booked_delta) AS booked,
               sum(initial_delta) + sum(adjust_delta) - sum(used_delta) AS left_
        FROM card_transactions WHERE entitlement_id IS NOT NULL GROUP BY card_id) l
  JOIN cards c ON c.id = l.card_id
  WHERE l.card_id NOT IN (SELECT card_id FROM card_entitlements WHERE position > 0)) sums
WHERE cards.id = sums.card_id
"""

_BUNDLE_POOLS = """
SELECT c.id, c.price_paid, e.weight,
       coalesce(sum(t.initial_delta), 0), coalesce(sum(t.adjust_delta), 0),
       coalesce(sum(t.used_delta), 0), coalesce(sum(t.booked_delta), 0)
FROM cards c JOIN card_entitlements e ON e.card_id = c.id
LEFT JOIN card_transactions t ON t.card_id = c.id AND t.entitlement_id = e.id
WHERE c.id IN (SELECT card_id FROM card_entitlements WHERE position > 0)
GROUP BY c.id, c.price_paid, e.id, e.weight, e.position ORDER BY c.id, e.position
"""


def _bundle_owed(price: int, pools: list[tuple[int, int, int, int, int]]) -> tuple[int, int]:
    """(units, value) of a bundle from its pools (weight, initial, adjustments, used, booked)."""
    units = sum(max(i + a - u - b, 0) + b for _, i, a, u, b in pools)
    if units <= 0 or price <= 0:
        return units, 0
    weights = [max(w, 0) for w, *_ in pools]
    if sum(weights) == 0:
        weights = [1] * len(pools)
    value = Fraction(0)
    for (_, i, a, u, _b), weight in zip(pools, weights, strict=True):
        left = i + a - u
        if i > 0 and left > 0:
            value += Fraction(price * weight, sum(weights)) * min(Fraction(left, i), Fraction(1))
    return units, int(value)


def upgrade() -> None:
    # Plain ADD COLUMN with constant defaults on both engines: SQLite's batch mode would copy the
    # tables, which the foreign keys of a salon's data refuse (see 0022).
    op.add_column('cards', sa.Column('owed_units', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('cards', sa.Column('owed_value', sa.BigInteger(), server_default='0', nullable=False))
    bind = op.get_bind()
    bind.execute(sa.text(_ONE_POOL))
    cards: dict[str, tuple[int, list[tuple[int, int, int, int, int]]]] = {}
    for row in bind.execute(sa.text(_BUNDLE_POOLS)):
        card_id, price, weight, initial, adjust, used, booked = (str(row[0]), *(int(x) for x in row[1:]))
        cards.setdefault(card_id, (price, []))[1].append((weight, initial, adjust, used, booked))
    for card_id, (price, pools) in cards.items():
        units, value = _bundle_owed(price, pools)
        bind.execute(sa.text("UPDATE cards SET owed_units = :units, owed_value = :value WHERE id = :id"),
                     {"units": units, "value": value, "id": card_id})

    op.add_column('customer_search_terms', sa.Column('sort_name', sa.String(length=200), server_default='',
                                                     nullable=False))
    bind.execute(sa.text("UPDATE customer_search_terms SET sort_name = customers.sort_name FROM customers "
                         "WHERE customers.id = customer_search_terms.customer_id"))
    op.create_index('ix_customer_search_terms_term_sort', 'customer_search_terms',
                    ['term', 'sort_name', 'customer_id'], unique=False)
    # the new index starts with the term as the old one did, and covers what it covered
    op.drop_index('ix_customer_search_terms_term', table_name='customer_search_terms')


def downgrade() -> None:
    op.create_index('ix_customer_search_terms_term', 'customer_search_terms', ['term', 'customer_id'], unique=False)
    op.drop_index('ix_customer_search_terms_term_sort', table_name='customer_search_terms')
    # Plain DROP COLUMN (SQLite 3.35+), as 0022: no batch copy
    op.drop_column('customer_search_terms', 'sort_name')
    op.drop_column('cards', 'owed_value')
    op.drop_column('cards', 'owed_units')
