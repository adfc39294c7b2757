"""VAT rates: per service, product and package (and the organisation's default); per sale line
the rate copied when it was added and, once the sale completes, its net and VAT

Completed sales from before this revision are given rate 0 and their line totals as net, so the
sales report can read every completed sale the same way (they were sold before rates existed).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prices_include_tax', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
    for table in ('services', 'products'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('tax_inclusive', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tax_inclusive', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('net_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('vat_amount', sa.BigInteger(), nullable=True))
    # The line total of sales/money.py (half up, 0 when covered), in SQL both engines share.
    op.execute(
        "UPDATE sale_lines SET vat_amount = 0, net_amount = CASE "
        "WHEN redeem_kind IS NOT NULL AND hold_state IN ('held', 'redeemed') THEN 0 "
        "ELSE (quantity * unit_price * (100 - discount_percent) + 50) / 100 END "
        "WHERE sale_id IN (SELECT id FROM sales WHERE status = 'completed')")


def downgrade() -> None:
    with op.batch_alter_table('sale_lines', schema=None) as batch_op:
        batch_op.drop_column('vat_amount')
        batch_op.drop_column('net_amount')
        batch_op.drop_column('tax_inclusive')
        batch_op.drop_column('vat_basis_points')
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_column('vat_basis_points')
    for table in ('products', 'services'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('tax_inclusive')
            batch_op.drop_column('vat_basis_points')
    with op.batch_alter_table('org_settings', schema=None) as batch_op:
        batch_op.drop_column('vat_basis_points')
        batch_op.drop_column('prices_include_tax')
