"""reminders sent: one row per reminded event (a card's expiry date, a membership's month due)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 06:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminders_sent',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.String(length=40), nullable=False),
        sa.Column('event_on', sa.Date(), nullable=False),
        sa.Column('customer_id', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_reminders_sent_customer_id_customers')),
        sa.PrimaryKeyConstraint('kind', 'subject_id', 'event_on', name=op.f('pk_reminders_sent')),
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_sent_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_sent_customer_id'))
    op.drop_table('reminders_sent')
