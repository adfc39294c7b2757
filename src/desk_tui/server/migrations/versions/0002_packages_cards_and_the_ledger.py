"""packages, cards and the ledger

Package templates and their entitlements; cards with the entitlements they copied at sale; the
append-only card ledger. The ledger's append-only rule is enforced by triggers (autogenerate
does not see triggers, so they are written by hand below): an UPDATE or DELETE of a ledger row
is an error on both engines, whatever code path tries it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:19:07.889445
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('packages',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('tax_inclusive', sa.Boolean(), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages'))
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index('ix_packages_name_id', ['name', 'id'], unique=False)

    op.create_table('cards',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('number_key', sa.String(length=40), nullable=True),
    sa.Column('package_id', sa.String(length=40), nullable=False),
    sa.Column('package_name', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('issued_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=40), nullable=False),
    sa.Column('issued_location_id', sa.String(length=40), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('price_paid', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('last_used_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('expire_recorded_for', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_cards_customer_id_customers')),
    sa.ForeignKeyConstraint(['issued_by'], ['staff.id'], name=op.f('fk_cards_issued_by_staff')),
    sa.ForeignKeyConstraint(['issued_location_id'], ['locations.id'], name=op.f('fk_cards_issued_location_id_locations')),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_cards_package_id_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('number_key', name=op.f('uq_cards_number_key'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index('ix_cards_customer_id_issued_at', ['customer_id', 'issued_at'], unique=False)
        batch_op.create_index('ix_cards_issued_at_id', ['issued_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_package_id'), ['package_id'], unique=False)
        batch_op.create_index('ix_cards_status_expires_on', ['status', 'expires_on'], unique=False)

    op.create_table('package_entitlements',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('package_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_entitlements_package_id_packages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_entitlements'))
    )
    with op.batch_alter_table('package_entitlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_entitlements_package_id'), ['package_id'], unique=False)

    op.create_table('card_entitlements',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('weight', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_entitlements_card_id_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_entitlements'))
    )
    with op.batch_alter_table('card_entitlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_entitlements_card_id'), ['card_id'], unique=False)

    op.create_table('package_entitlement_services',
    sa.Column('entitlement_id', sa.String(length=40), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=False),
    sa.Column('unit_cost', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entitlement_id'], ['package_entitlements.id'], name=op.f('fk_package_entitlement_services_entitlement_id_package_entitlements')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_package_entitlement_services_service_id_services')),
    sa.PrimaryKeyConstraint('entitlement_id', 'service_id', name=op.f('pk_package_entitlement_services'))
    )
    op.create_table('card_entitlement_services',
    sa.Column('card_entitlement_id', sa.String(length=40), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=False),
    sa.Column('unit_cost', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_entitlement_id'], ['card_entitlements.id'], name=op.f('fk_card_entitlement_services_card_entitlement_id_card_entitlements')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_card_entitlement_services_service_id_services')),
    sa.PrimaryKeyConstraint('card_entitlement_id', 'service_id', name=op.f('pk_card_entitlement_services'))
    )
    op.create_table('card_transactions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('entitlement_id', sa.String(length=40), nullable=True),
    sa.Column('service_id', sa.String(length=40), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('initial_delta', sa.Integer(), nullable=False),
    sa.Column('adjust_delta', sa.Integer(), nullable=False),
    sa.Column('used_delta', sa.Integer(), nullable=False),
    sa.Column('booked_delta', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=True),
    sa.Column('location_id', sa.String(length=40), nullable=True),
    sa.Column('appointment_id', sa.String(length=40), nullable=True),
    sa.Column('sale_id', sa.String(length=40), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('ref_id', sa.String(length=40), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('old_value', sa.String(length=40), nullable=True),
    sa.Column('new_value', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_transactions_card_id_cards')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_card_transactions_customer_id_customers')),
    sa.ForeignKeyConstraint(['entitlement_id'], ['card_entitlements.id'], name=op.f('fk_card_transactions_entitlement_id_card_entitlements')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_card_transactions_location_id_locations')),
    sa.ForeignKeyConstraint(['ref_id'], ['card_transactions.id'], name=op.f('fk_card_transactions_ref_id_card_transactions')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_card_transactions_service_id_services')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_card_transactions_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_transactions')),
    sa.UniqueConstraint('card_id', 'seq', name='uq_card_transactions_card_id_seq'),
    sa.UniqueConstraint('ref_id', name=op.f('uq_card_transactions_ref_id'))
    )
    with op.batch_alter_table('card_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_transactions_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index('ix_card_transactions_at_id', ['at', 'id'], unique=False)
        batch_op.create_index('ix_card_transactions_card_id_entitlement_id', ['card_id', 'entitlement_id'], unique=False)

    _append_only_triggers()


APPEND_ONLY = "card_transactions is append-only: write a compensating entry instead"


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER card_transactions_no_{action.lower()} BEFORE {action} ON card_transactions "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
        return
    op.execute(f"""CREATE FUNCTION card_transactions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
    op.execute("CREATE TRIGGER card_transactions_append_only BEFORE UPDATE OR DELETE ON card_transactions "
               "FOR EACH ROW EXECUTE FUNCTION card_transactions_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS card_transactions_no_update")
        op.execute("DROP TRIGGER IF EXISTS card_transactions_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS card_transactions_append_only ON card_transactions")
        op.execute("DROP FUNCTION IF EXISTS card_transactions_append_only()")
    with op.batch_alter_table('card_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_card_transactions_card_id_entitlement_id')
        batch_op.drop_index('ix_card_transactions_at_id')
        batch_op.drop_index(batch_op.f('ix_card_transactions_appointment_id'))

    op.drop_table('card_transactions')
    op.drop_table('card_entitlement_services')
    op.drop_table('package_entitlement_services')
    with op.batch_alter_table('card_entitlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_entitlements_card_id'))

    op.drop_table('card_entitlements')
    with op.batch_alter_table('package_entitlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_entitlements_package_id'))

    op.drop_table('package_entitlements')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index('ix_cards_status_expires_on')
        batch_op.drop_index(batch_op.f('ix_cards_package_id'))
        batch_op.drop_index('ix_cards_issued_at_id')
        batch_op.drop_index('ix_cards_customer_id_issued_at')

    op.drop_table('cards')
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index('ix_packages_name_id')

    op.drop_table('packages')
