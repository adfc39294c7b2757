"""membership freezes, credit rollover per plan, the organisation's grace for unpaid memberships

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'membership_freezes',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('enrollment_id', sa.String(length=40), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=2000), nullable=False),
        sa.Column('created_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('ended_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['enrollment_id'], ['membership_enrollments.id'],
                                name=op.f('fk_membership_freezes_enrollment_id_membership_enrollments')),
        sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_membership_freezes_created_by_staff')),
        sa.ForeignKeyConstraint(['ended_by'], ['staff.id'], name=op.f('fk_membership_freezes_ended_by_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_freezes')),
    )
    with op.batch_alter_table('membership_freezes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_freezes_enrollment_id'), ['enrollment_id'], unique=False)
    with op.batch_alter_table('membership_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rollover_months', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_grace_days', sa.Integer(), server_default='14', nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy re-creates the table, which the enrolments'
    # foreign keys to their plan refuse once a salon has members.
    op.drop_column('org_settings', 'membership_grace_days')
    op.drop_column('membership_plans', 'rollover_months')
    with op.batch_alter_table('membership_freezes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_freezes_enrollment_id'))
    op.drop_table('membership_freezes')
