"""login failures per terminal and staff id

Five wrong PINs from any counter terminal locked a staff member out everywhere for five minutes
(`staff.failures`, `staff.locked_until`, no longer used). Failures now count per (client, staff
id): a counter terminal (`terminal:ID`) or a browser of the console (`console:ADDRESS`), unknown
ids included, with growing delays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_failures',
        sa.Column('hall', sa.String(length=40), nullable=False),
        sa.Column('client', sa.String(length=80), nullable=False),
        sa.Column('staff_id', sa.String(length=32), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['hall'], ['halls.id']),
        sa.PrimaryKeyConstraint('hall', 'client', 'staff_id'),
    )


def downgrade() -> None:
    op.drop_table('login_failures')
