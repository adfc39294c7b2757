"""appointments and their lines

Appointments (never deleted, only cancelled) and their lines; a package line points at the
card pool it draws on and at the ledger `reserve` entry that booked its units.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:22:32.468323
"""
from alembic import op
import sqlalchemy as sa
import desk_tui.server.database


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('start_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('cancel_reason', sa.String(length=2000), nullable=True),
    sa.Column('created_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('updated_at', desk_tui.server.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_appointments_created_by_staff')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_appointments_customer_id_customers')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_appointments_location_id_locations')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_appointments_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_customer_id_start_at', ['customer_id', 'start_at'], unique=False)
        batch_op.create_index('ix_appointments_location_id_start_at', ['location_id', 'start_at'], unique=False)
        batch_op.create_index('ix_appointments_staff_id_start_at', ['staff_id', 'start_at'], unique=False)

    op.create_table('appointment_lines',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('appointment_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=40), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('card_id', sa.String(length=40), nullable=True),
    sa.Column('entitlement_id', sa.String(length=40), nullable=True),
    sa.Column('units', sa.Integer(), nullable=True),
    sa.Column('redemption', sa.String(length=20), nullable=True),
    sa.Column('reserve_tx_id', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_appointment_lines_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_appointment_lines_card_id_cards')),
    sa.ForeignKeyConstraint(['entitlement_id'], ['card_entitlements.id'], name=op.f('fk_appointment_lines_entitlement_id_card_entitlements')),
    sa.ForeignKeyConstraint(['reserve_tx_id'], ['card_transactions.id'], name=op.f('fk_appointment_lines_reserve_tx_id_card_transactions')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointment_lines_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_lines'))
    )
    with op.batch_alter_table('appointment_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_lines_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_lines_card_id'), ['card_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('appointment_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_lines_card_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_lines_appointment_id'))

    op.drop_table('appointment_lines')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_staff_id_start_at')
        batch_op.drop_index('ix_appointments_location_id_start_at')
        batch_op.drop_index('ix_appointments_customer_id_start_at')

    op.drop_table('appointments')
