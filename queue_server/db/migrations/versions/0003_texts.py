"""names in other languages

Services and counters get `texts`: their names (and a service's materials) in the hall's other
languages, {"en": {"name": ..., "materials": [...]}, "mn": {...}}. The hall's own (languages,
names, announcement, notice) live in its `options`, which needs no new column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts', sa.JSON(), nullable=True))
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('texts')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('texts')
