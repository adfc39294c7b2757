"""sales sell packages and memberships

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:00:50.504465
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('package_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('card_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('issued_card_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('plan_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('issued_enrollment_id', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_issued_card_id_cards'), 'cards', ['issued_card_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_issued_enrollment_id_membership_enrollments'), 'membership_enrollments', ['issued_enrollment_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_plan_id_membership_plans'), 'membership_plans', ['plan_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_package_id_packages'), 'packages', ['package_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_package_id_packages'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_plan_id_membership_plans'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_issued_enrollment_id_membership_enrollments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_issued_card_id_cards'), type_='foreignkey')
        batch_op.drop_column('issued_enrollment_id')
        batch_op.drop_column('plan_id')
        batch_op.drop_column('issued_card_id')
        batch_op.drop_column('expires_on')
        batch_op.drop_column('card_number')
        batch_op.drop_column('package_id')

