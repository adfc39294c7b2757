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
    op.create_table('sales',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=True),
    sa.Column('appointment_id', sa.String(length=40), nullable=True),
    sa.Column('appointment_key', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=40), nullable=False),
    sa.Column('opened_by', sa.String(length=40), nullable=False),
    sa.Column('opened_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_change_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_by', sa.String(length=40), nullable=True),
    sa.Column('completed_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('abandoned_by', sa.String(length=40), nullable=True),
    sa.Column('abandoned_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('abandoned_reason', sa.String(length=2000), nullable=True),
    sa.Column('closed_idle', sa.Boolean(), nullable=False),
    sa.Column('receipt_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['abandoned_by'], ['staff.id'], name=op.f('fk_sales_abandoned_by_staff')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_sales_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['completed_by'], ['staff.id'], name=op.f('fk_sales_completed_by_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_sales_customer_id_customers')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_sales_location_id_locations')),
    sa.ForeignKeyConstraint(['opened_by'], ['staff.id'], name=op.f('fk_sales_opened_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales'))
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_sales_location_id_status_opened_at', ['location_id', 'status', 'opened_at', 'id'], unique=False)
        batch_op.create_index('ix_sales_status_last_change_at', ['status', 'last_change_at'], unique=False)

    op.create_table('sale_payments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('sale_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_payments_sale_id_sales')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_payments'))
    )
    with op.batch_alter_table('sale_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_payments_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('sale_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=True),
    sa.Column('product_id', sa.String(length=40), nullable=True),
    sa.Column('appointment_line_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('discount_percent', sa.Integer(), nullable=False),
    sa.Column('discount_source', sa.String(length=20), nullable=True),
    sa.Column('redeem_kind', sa.String(length=20), nullable=True),
    sa.Column('card_id', sa.String(length=40), nullable=True),
    sa.Column('entitlement_id', sa.String(length=40), nullable=True),
    sa.Column('enrollment_id', sa.String(length=40), nullable=True),
    sa.Column('reserve_tx_id', sa.String(length=40), nullable=True),
    sa.Column('source_name', sa.String(length=200), nullable=True),
    sa.Column('hold_state', sa.String(length=20), nullable=True),
    sa.Column('held_by_appointment', sa.Boolean(), nullable=False),
    sa.Column('receipt_label', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_sale_lines_card_id_cards')),
    sa.ForeignKeyConstraint(['entitlement_id'], ['card_entitlements.id'], name=op.f('fk_sale_lines_entitlement_id_card_entitlements')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_sale_lines_product_id_products')),
    sa.ForeignKeyConstraint(['reserve_tx_id'], ['card_transactions.id'], name=op.f('fk_sale_lines_reserve_tx_id_card_transactions')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_lines_sale_id_sales')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_sale_lines_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_lines'))
    )
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_lines_sale_id'), ['sale_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_lines_sale_id'))

    op.drop_table('sale_lines')
    with op.batch_alter_table('sale_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_payments_sale_id'))

    op.drop_table('sale_payments')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_status_last_change_at')
        batch_op.drop_index('ix_sales_location_id_status_opened_at')
        batch_op.drop_index(batch_op.f('ix_sales_customer_id'))
        batch_op.drop_index(batch_op.f('ix_sales_appointment_id'))

    op.drop_table('sales')
