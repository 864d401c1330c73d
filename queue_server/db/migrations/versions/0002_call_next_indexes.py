"""call-next indexes

Call-next looked for a counter's next ticket with `ORDER BY` the counter's rank of services,
which no index could answer: every call scanned all waiting stages of the zone (three times).
`ix_stage_call` puts priority before service, so the priority candidates are one short range
and each service's first normal ticket is one index seek; `ix_stage_target` finds the tickets
transferred to a counter without scanning the hall.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.create_index('ix_stage_call',
                              ['hall', 'zone', 'status', 'priority', 'service', 'sort_at'],
                              unique=False)
        batch_op.create_index('ix_stage_target', ['hall', 'target_counter', 'status', 'sort_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_target')
        batch_op.drop_index('ix_stage_call')
