"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 17:37:39.158107
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    event_seq = op.create_table('event_seq',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # The one row every event-writing transaction locks (ids visible in commit order).
    op.bulk_insert(event_seq, [{"id": 1, "last": 0}])
    op.create_table('events',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_hall'), ['hall'], unique=False)

    op.create_table('halls',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('day_starts', sa.String(length=5), nullable=False),
    sa.Column('announce', sa.String(length=200), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('idempotency_keys',
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'key')
    )
    op.create_table('number_counters',
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'prefix', 'day')
    )
    op.create_table('counters',
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('zone', sa.String(length=16), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('pause_reason', sa.String(length=100), nullable=True),
    sa.Column('staff_id', sa.String(length=32), nullable=True),
    sa.Column('current_stage', sa.Integer(), nullable=True),
    sa.Column('priority_streak', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'code')
    )
    op.create_table('services',
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('route', sa.JSON(), nullable=False),
    sa.Column('time_limit_workdays', sa.Integer(), nullable=True),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('requires_id_card', sa.Boolean(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'code')
    )
    op.create_table('staff',
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('hall', 'id')
    )
    op.create_table('terminals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.String(length=16), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('devices', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('tickets',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.String(length=16), nullable=True),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('masked_id', sa.String(length=32), nullable=True),
    sa.Column('masked_name', sa.String(length=64), nullable=True),
    sa.Column('appointment', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('zone', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('forwarded_from', sa.String(length=32), nullable=True),
    sa.Column('forwarded_to', sa.String(length=32), nullable=True),
    sa.Column('print_failed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'prefix', 'day', 'seq', name='uq_ticket_number')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_id_hash'), ['id_hash'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.String(length=32), nullable=False),
    sa.Column('counter', sa.String(length=16), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], ),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('zone', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('target_counter', sa.String(length=16), nullable=True),
    sa.Column('sort_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counter', sa.String(length=16), nullable=True),
    sa.Column('staff_id', sa.String(length=32), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.create_index('ix_stage_queue', ['hall', 'zone', 'status', 'service', 'sort_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stages_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('counter', sa.String(length=16), nullable=True),
    sa.Column('staff_id', sa.String(length=32), nullable=True),
    sa.Column('terminal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stage_id')
    )
    op.create_table('followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id')
    )


def downgrade() -> None:
    op.drop_table('followups')
    op.drop_table('evaluations')
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stages_ticket_id'))
        batch_op.drop_index('ix_stage_queue')

    op.drop_table('stages')
    op.drop_table('staff_sessions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_ticket_id'))

    op.drop_table('documents')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_id_hash'))

    op.drop_table('tickets')
    op.drop_table('terminals')
    op.drop_table('staff')
    op.drop_table('services')
    op.drop_table('counters')
    op.drop_table('number_counters')
    op.drop_table('idempotency_keys')
    op.drop_table('halls')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_hall'))

    op.drop_table('events')
    op.drop_table('event_seq')
    op.drop_table('admin_tokens')
