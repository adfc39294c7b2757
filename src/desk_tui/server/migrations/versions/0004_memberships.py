"""membership plans, enrolments and monthly session credits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:10:00
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
