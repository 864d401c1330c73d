"""补正: the papers an approval post asked the holder to supply

`stages.papers`: the papers (by their names in the service's list, 一次性告知) an approval post
found missing when it sent the case back for them (outcome `supplement`); JSON, null on every
other stage. The free-text note beside them is the stage's `reason`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('papers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_column('papers')
