"""events: the live stream's replay window

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'events',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('location_id', sa.String(length=40), nullable=True),
        sa.Column('actor_location_id', sa.String(length=40), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_at'))
    op.drop_table('events')
