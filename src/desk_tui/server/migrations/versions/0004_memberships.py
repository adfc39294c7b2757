"""membership plans, enrolments and monthly session credits

Plans (never deleted) with their discounts and per-service monthly credits; customers'
enrolments; one row per session credit a sale holds or used, in the month it was taken.

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
    op.create_table('membership_plans',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_plans'))
    )
    with op.batch_alter_table('membership_plans', schema=None) as batch_op:
        batch_op.create_index('ix_membership_plans_name_id', ['name', 'id'], unique=False)

    op.create_table('membership_enrollments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('plan_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('created_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('location_id', sa.String(length=40), nullable=False),
    sa.Column('cancelled_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=40), nullable=True),
    sa.Column('cancel_reason', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by'], ['staff.id'], name=op.f('fk_membership_enrollments_cancelled_by_staff')),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_membership_enrollments_created_by_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_membership_enrollments_customer_id_customers')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_membership_enrollments_location_id_locations')),
    sa.ForeignKeyConstraint(['plan_id'], ['membership_plans.id'], name=op.f('fk_membership_enrollments_plan_id_membership_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_enrollments'))
    )
    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_membership_enrollments_customer_id_created_at', ['customer_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_enrollments_plan_id'), ['plan_id'], unique=False)

    op.create_table('membership_plan_credits',
    sa.Column('plan_id', sa.String(length=40), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('per_period', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['membership_plans.id'], name=op.f('fk_membership_plan_credits_plan_id_membership_plans')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_membership_plan_credits_service_id_services')),
    sa.PrimaryKeyConstraint('plan_id', 'service_id', name=op.f('pk_membership_plan_credits'))
    )
    op.create_table('membership_plan_discounts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('plan_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['membership_plans.id'], name=op.f('fk_membership_plan_discounts_plan_id_membership_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_plan_discounts'))
    )
    with op.batch_alter_table('membership_plan_discounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_plan_discounts_plan_id'), ['plan_id'], unique=False)

    op.create_table('membership_credits',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('enrollment_id', sa.String(length=40), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('sale_id', sa.String(length=40), nullable=False),
    sa.Column('sale_line_id', sa.String(length=40), nullable=True),
    sa.Column('held_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('staff_id', sa.String(length=40), nullable=True),
    sa.Column('location_id', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['membership_enrollments.id'], name=op.f('fk_membership_credits_enrollment_id_membership_enrollments')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_membership_credits_location_id_locations')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_membership_credits_service_id_services')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_membership_credits_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_credits'))
    )
    with op.batch_alter_table('membership_credits', schema=None) as batch_op:
        batch_op.create_index('ix_membership_credits_enrollment_id_period', ['enrollment_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_credits_sale_id'), ['sale_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('membership_credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_credits_sale_id'))
        batch_op.drop_index('ix_membership_credits_enrollment_id_period')

    op.drop_table('membership_credits')
    with op.batch_alter_table('membership_plan_discounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_plan_discounts_plan_id'))

    op.drop_table('membership_plan_discounts')
    op.drop_table('membership_plan_credits')
    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_enrollments_plan_id'))
        batch_op.drop_index('ix_membership_enrollments_customer_id_created_at')

    op.drop_table('membership_enrollments')
    with op.batch_alter_table('membership_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_plans_name_id')

    op.drop_table('membership_plans')
