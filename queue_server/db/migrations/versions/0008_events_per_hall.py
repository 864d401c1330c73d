"""event ids per hall

Every event-writing transaction of every hall used to lock the one `event_seq` row until its
commit, so all writes of all halls and servers took turns (issue 12). Now each hall has its own
row in `hall_event_seq` and its own id sequence: `events` is keyed by (hall, id), ids grow
strictly in commit order within a hall, and halls never wait on each other. Every hall's
sequence starts at the highest id handed out so far, so a subscriber resuming with `after=` its
last id misses nothing and sees no id twice. The figures' watermark (`fig_state`) becomes one
row per hall, each starting at the old global watermark.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    top = int(conn.execute(sa.text(
        "SELECT max(v) FROM (SELECT last AS v FROM event_seq UNION ALL "
        "SELECT max(id) FROM events) AS t")).scalar() or 0)
    halls = [r[0] for r in conn.execute(sa.text(
        "SELECT id FROM halls UNION SELECT DISTINCT hall FROM events"))]
    seq = op.create_table(
        'hall_event_seq',
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hall'))
    op.bulk_insert(seq, [{"hall": h, "last": top} for h in halls])
    op.drop_table('event_seq')

    op.create_table(
        'events_by_hall',
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('hall', 'id'))
    op.execute("INSERT INTO events_by_hall (hall, id, type, at, payload) "
               "SELECT hall, id, type, at, payload FROM events")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_hall')
    op.drop_table('events')
    op.rename_table('events_by_hall', 'events')
    if conn.dialect.name == "postgresql":  # the key's name follows the table's
        op.execute("ALTER TABLE events RENAME CONSTRAINT events_by_hall_pkey TO events_pkey")

    done = int(conn.execute(sa.text("SELECT coalesce(max(last_event), 0) FROM fig_state"))
               .scalar() or 0)
    op.drop_table('fig_state')
    state = op.create_table(
        'fig_state',
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('last_event', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hall'))
    op.bulk_insert(state, [{"hall": h, "last_event": done} for h in halls])


def downgrade() -> None:
    raise NotImplementedError("event ids per hall cannot be merged back into one sequence")
