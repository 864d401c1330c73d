"""补正期限: the date a case's holder was told to bring the papers by

`stages.papers_by`: on a stage that ended `supplement`, the end of the hall's period for the
papers (`supplement_workdays` working days after the business day it was sent back), fixed when
the holder was told it: a later change of the hall's setting does not move a date already
told. Null on every other stage and where the hall set no period.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('papers_by', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_column('papers_by')
