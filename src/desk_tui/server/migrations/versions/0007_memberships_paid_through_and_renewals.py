"""memberships paid through and renewals

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 19:40:10.298932
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_through', sa.Date(), nullable=True))

    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renews_enrollment_id', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_renews_enrollment_id_membership_enrollments'), 'membership_enrollments', ['renews_enrollment_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_renews_enrollment_id_membership_enrollments'), type_='foreignkey')
        batch_op.drop_column('renews_enrollment_id')

    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.drop_column('paid_through')

