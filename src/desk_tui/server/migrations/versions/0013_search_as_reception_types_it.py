"""search as reception types it: phone numbers as digits (read in the salon's country), their
suffixes and a card number's last digits as search terms, hyphenated surnames as written

Revision ID: 0013
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

from desk_tui.server.customers.phones import stored_digits
from desk_tui.server.customers.search import customer_terms, last_digits, normalise, number_terms


revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None

_BATCH = 1000

customers = sa.table('customers', sa.column('id', sa.String), sa.column('name', sa.String),
                     sa.column('phone', sa.String), sa.column('email', sa.String),
                     sa.column('phone_digits', sa.String))
cards = sa.table('cards', sa.column('id', sa.String), sa.column('number', sa.String),
                 sa.column('customer_id', sa.String), sa.column('number_tail', sa.String))
terms = sa.table('customer_search_terms', sa.column('customer_id', sa.String), sa.column('term', sa.String))
org_settings = sa.table('org_settings', sa.column('phone_region', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_region', sa.String(length=2), server_default='HU', nullable=False))
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_digits', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_customers_phone_digits', ['phone_digits'], unique=False)
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_tail', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_cards_number_tail', ['number_tail'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    """Every existing customer is indexed the new way (and every card by its last digits)."""
    region = bind.scalar(sa.select(org_settings.c.phone_region)) or 'HU'
    numbers: dict[str, set[str]] = {}
    for card in bind.execute(
            sa.select(cards.c.id, cards.c.number, cards.c.customer_id).where(cards.c.number.is_not(None))).all():
        number = str(card.number)
        numbers.setdefault(str(card.customer_id), set()).add(number)
        tail = last_digits(normalise(number))[::-1][:40] or None
        bind.execute(cards.update().where(cards.c.id == card.id).values(number_tail=tail))
    rows = bind.execute(sa.select(customers.c.id, customers.c.name, customers.c.phone, customers.c.email)).all()
    for start in range(0, len(rows), _BATCH):
        batch = rows[start:start + _BATCH]
        bind.execute(terms.delete().where(terms.c.customer_id.in_([r.id for r in batch])))
        new_terms = []
        for r in batch:
            found = customer_terms(r.name, r.phone, r.email, region=region)
            for number in numbers.get(r.id, ()):
                found |= number_terms(number)
            new_terms += [{'customer_id': r.id, 'term': t} for t in sorted(found)]
            if r.phone:
                bind.execute(customers.update().where(customers.c.id == r.id)
                             .values(phone_digits=stored_digits(r.phone, region=region)))
        if new_terms:
            bind.execute(terms.insert(), new_terms)


def downgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_number_tail')
        batch_op.drop_column('number_tail')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_phone_digits')
        batch_op.drop_column('phone_digits')
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.drop_column('phone_region')
