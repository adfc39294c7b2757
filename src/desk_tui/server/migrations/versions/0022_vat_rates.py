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
    # Plain ADD COLUMN on both engines: SQLite's batch mode would copy each table (a default that
    # is an SQL expression, true(), asks for a copy), and a copy of a table other tables point at
    # is refused by the foreign keys of a salon's data.
    op.add_column('org_settings', sa.Column('prices_include_tax', sa.Boolean(), server_default=sa.true(),
                                            nullable=False))
    op.add_column('org_settings', sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
    for table in ('services', 'products'):
        op.add_column(table, sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
        op.add_column(table, sa.Column('tax_inclusive', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('packages', sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
    op.add_column('sale_lines', sa.Column('vat_basis_points', sa.Integer(), server_default='0', nullable=False))
    op.add_column('sale_lines', sa.Column('tax_inclusive', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('sale_lines', sa.Column('net_amount', sa.BigInteger(), nullable=True))
    op.add_column('sale_lines', sa.Column('vat_amount', sa.BigInteger(), nullable=True))
    # The line total of sales/money.py (half up, 0 when covered), in SQL both engines share.
    op.execute(
        "UPDATE sale_lines SET vat_amount = 0, net_amount = CASE "
        "WHEN redeem_kind IS NOT NULL AND hold_state IN ('held', 'redeemed') THEN 0 "
        "ELSE (quantity * unit_price * (100 - discount_percent) + 50) / 100 END "
        "WHERE sale_id IN (SELECT id FROM sales WHERE status = 'completed')")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy drops and re-creates each table, which the
    # foreign keys of a salon's data refuse (cards name their package, sales lines their service).
    for column in ('vat_amount', 'net_amount', 'tax_inclusive', 'vat_basis_points'):
        op.drop_column('sale_lines', column)
    op.drop_column('packages', 'vat_basis_points')
    for table in ('products', 'services'):
        op.drop_column(table, 'tax_inclusive')
        op.drop_column(table, 'vat_basis_points')
    op.drop_column('org_settings', 'vat_basis_points')
    op.drop_column('org_settings', 'prices_include_tax')
