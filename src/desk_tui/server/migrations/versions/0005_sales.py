"""sales: carts, lines, holds and payments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:10:00
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
