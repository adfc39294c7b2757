"""family cards: the customers a card's owner lets use it, and who used a card on each entry

``card_members`` lists them; ``card_transactions.used_by_customer_id`` names the family member who
booked or redeemed (null for the owner, and for every entry already on file). It is added with a
plain ADD COLUMN — no foreign key, which SQLite could only add by copying the table and losing
its append-only triggers — and, being null on every old entry, leaves their hashes as they were
(cards/chain.py covers it only when it is set). ``cards.member_count`` keeps the list's length,
so a card view looks names up only for cards that have members.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'card_members',
        sa.Column('card_id', sa.String(length=40), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('added_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('added_by', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_members_card_id_cards')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_card_members_customer_id_customers')),
        sa.ForeignKeyConstraint(['added_by'], ['staff.id'], name=op.f('fk_card_members_added_by_staff')),
        sa.PrimaryKeyConstraint('card_id', 'customer_id', name=op.f('pk_card_members')),
    )
    op.create_index('ix_card_members_customer_id', 'card_members', ['customer_id'], unique=False)
    op.add_column('cards', sa.Column('member_count', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('card_transactions', sa.Column('used_by_customer_id', sa.String(length=40), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its triggers.
    op.drop_column('card_transactions', 'used_by_customer_id')
    op.drop_column('cards', 'member_count')
    op.drop_index('ix_card_members_customer_id', table_name='card_members')
    op.drop_table('card_members')
