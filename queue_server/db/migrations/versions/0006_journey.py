"""the citizen's journey: appointments, deliveries, the notification outbox

Appointments (a booked slot, its code and holder kept only as HMACs), deliveries (pickup or 证照
寄送, the contact sealed with AES-GCM), the outbox of notifications (ready for pickup), the
service options of bookings and remote numbers, a counter's judgement of a self-declared
priority, a late check-in, and the number a stage is called by when it is not the ticket's
first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('masked_id', sa.String(length=32), nullable=False),
    sa.Column('masked_name', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_slot', ['hall', 'service', 'day', 'status'],
                              unique=False)
        batch_op.create_index('ix_appointment_holder', ['hall', 'id_hash', 'start'],
                              unique=False)
    op.create_table('deliveries',
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('contact', sa.LargeBinary(), nullable=True),
    sa.Column('carrier', sa.String(length=40), nullable=True),
    sa.Column('tracking', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['sent_at', 'failed_at', 'next_at'], unique=False)
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=True))
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority_confirmed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('appointment_late', sa.Boolean(), nullable=True))
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_column('number')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('appointment_late')
        batch_op.drop_column('priority_confirmed')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('options')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')
    op.drop_table('deliveries')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_holder')
        batch_op.drop_index('ix_appointment_slot')
    op.drop_table('appointments')
