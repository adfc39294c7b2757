"""value only through a sale or a manager: given without a sale, complimentary memberships,
list prices and manager approvals on sale lines, the till's discount limit

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0009'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('given_without_sale',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('at', desk_tui.server.database.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=True),
    sa.Column('enrollment_id', sa.String(length=40), nullable=True),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('complimentary', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=False),
    sa.Column('location_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_given_without_sale_card_id_cards')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_given_without_sale_customer_id_customers')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['membership_enrollments.id'], name=op.f('fk_given_without_sale_enrollment_id_membership_enrollments')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_given_without_sale_location_id_locations')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_given_without_sale_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_given_without_sale'))
    )
    with op.batch_alter_table('given_without_sale', schema=None) as batch_op:
        batch_op.create_index('ix_given_without_sale_at_id', ['at', 'id'], unique=False)

    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complimentary', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_discount_percent_without_manager', sa.Integer(), server_default='20',
                                      nullable=False))

    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sale_lines_approved_by_staff'), 'staff', ['approved_by'], ['id'])
    # Lines of carts already open: what they charge now is their list price (no edit is undone).
    op.execute("UPDATE sale_lines SET list_price = unit_price")


def downgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_lines_approved_by_staff'), type_='foreignkey')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('list_price')

    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.drop_column('max_discount_percent_without_manager')

    with op.batch_alter_table('membership_enrollments', schema=None) as batch_op:
        batch_op.drop_column('complimentary')

    with op.batch_alter_table('given_without_sale', schema=None) as batch_op:
        batch_op.drop_index('ix_given_without_sale_at_id')

    op.drop_table('given_without_sale')
