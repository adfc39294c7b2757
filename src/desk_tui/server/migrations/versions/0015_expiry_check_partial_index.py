"""expiry check partial index: the every-minute check reads only the cards whose expiry is still
to be recorded, not every card that ever expired

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01 05:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

# as in cards/models.py (EXPIRY_UNRECORDED); written out so the migration stays as it was
_UNRECORDED = sa.text("status = 'active' AND (expire_recorded_for IS NULL OR expire_recorded_for <> expires_on)")


def upgrade() -> None:
    op.create_index('ix_cards_expiry_unrecorded', 'cards', ['expires_on'], unique=False,
                    sqlite_where=_UNRECORDED, postgresql_where=_UNRECORDED)


def downgrade() -> None:
    op.drop_index('ix_cards_expiry_unrecorded', table_name='cards')
