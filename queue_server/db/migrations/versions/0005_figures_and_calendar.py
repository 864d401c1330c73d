"""figures and the work calendar

The supervision figures (CONTRACT.md §5) kept up to date from committed events: the fold's
watermark (`fig_state`), each ticket's last folded contribution (`fig_facts`), tickets by
business day and key (`fig_tickets`), stages by business day (`fig_stages`) and every wait and
service time in whole seconds (`fig_durations`). Imported calendar years (`calendar_years`),
and `deadline_provisional` on tickets and stages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

HOURS = [f"h{h:02d}" for h in range(24)]
TICKET_COUNTS = ["tickets", "done", "rejected", "no_show", "lv1", "lv2", "lv3", "lv4", "lv5",
                 "appr_due", "appr_on_time", *HOURS]
STAGE_COUNTS = ["called", "served", "done", "next", "rejected", "no_show", "transferred",
                "lv1", "lv2", "lv3", "lv4", "lv5"]


def _key() -> list[sa.Column]:
    return [sa.Column('hall', sa.String(length=40), nullable=False),
            sa.Column('day', sa.Date(), nullable=False),
            sa.Column('zone', sa.String(length=16), nullable=False),
            sa.Column('service', sa.String(length=40), nullable=False),
            sa.Column('counter', sa.String(length=16), nullable=False),
            sa.Column('staff', sa.String(length=32), nullable=False)]


def _counts(names: list[str]) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    state = op.create_table('fig_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_event', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # Nothing folded yet: the first reading of the figures folds the events already there.
    op.bulk_insert(state, [{"id": 1, "last_event": 0}])
    op.create_table('fig_facts',
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('hall', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_table('fig_tickets', *_key(), *_counts(TICKET_COUNTS),
                    sa.PrimaryKeyConstraint('hall', 'day', 'zone', 'service', 'counter', 'staff'))
    op.create_table('fig_stages', *_key(), *_counts(STAGE_COUNTS),
                    sa.PrimaryKeyConstraint('hall', 'day', 'zone', 'service', 'counter', 'staff'))
    key = _key()
    op.create_table('fig_durations', *key[:2],
                    sa.Column('kind', sa.String(length=8), nullable=False), *key[2:],
                    sa.Column('n', sa.Integer(), nullable=False),
                    sa.Column('data', sa.LargeBinary(), nullable=False),
                    sa.PrimaryKeyConstraint('hall', 'day', 'kind', 'zone', 'service', 'counter',
                                            'staff'))
    for table in ('tickets', 'stages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('deadline_provisional', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))


def downgrade() -> None:
    for table in ('stages', 'tickets'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('deadline_provisional')
    for table in ('fig_durations', 'fig_stages', 'fig_tickets', 'fig_facts', 'fig_state',
                  'calendar_years'):
        op.drop_table(table)
