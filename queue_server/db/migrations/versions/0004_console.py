"""the supervisor's console

Console sessions (a browser cookie, token stored as sha256); the steps of a bad rating's
follow-up (核实 → 整改 → 回复), each with its own deadline, and the follow-up's current step;
staff appeals (申诉) against a rating; the alerts already sent for approval deadlines; an
index to read a hall's ratings by date, and one for the stages a staff member served (全程盯办). Open follow-ups get their verify step with the
deadline they had; closed ones are `closed`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('staff_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hall'], ['halls.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'))
    op.create_table(
        'followup_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('followup_id', sa.Integer(), nullable=False),
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('done_by', sa.String(length=32), nullable=True),
        sa.Column('valid', sa.Boolean(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['followup_id'], ['followups.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_followup_steps_followup_id', 'followup_steps', ['followup_id'])
    op.create_table(
        'appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=32), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('evaluation_id'))
    op.create_index('ix_appeals_hall', 'appeals', ['hall'])
    op.create_table(
        'case_alerts',
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('stage_id', 'kind'))
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=16), nullable=False,
                                      server_default='verify'))
    op.execute("UPDATE followups SET step = 'closed' WHERE closed_at IS NOT NULL")
    op.execute("INSERT INTO followup_steps (followup_id, hall, step, due_at) "
               "SELECT id, hall, 'verify', due_at FROM followups WHERE closed_at IS NULL")
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_hall_at', ['hall', 'created_at'], unique=False)
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.create_index('ix_stage_staff', ['hall', 'staff_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_staff')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_hall_at')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_column('step')
    op.drop_table('case_alerts')
    op.drop_index('ix_appeals_hall', table_name='appeals')
    op.drop_table('appeals')
    op.drop_index('ix_followup_steps_followup_id', table_name='followup_steps')
    op.drop_table('followup_steps')
    op.drop_table('console_sessions')
