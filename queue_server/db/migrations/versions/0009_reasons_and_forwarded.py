"""a stage's reason, and forwarded tickets in the figures

`stages.reason`: why a stage ended as it did, in the staff's words. A rejection's reason (不予受理)
was asked for by the counter pad and the API but thrown away; the citizen's own view of the case
shows it now.

A bank branch's (政银合作) ticket whose papers went on to its parent hall (转大厅) ended with the
status `done`, and the branch's figures counted it as done. Its status is `forwarded` now (the
application is the parent hall's own ticket), and `fig_tickets.forwarded` counts such tickets
apart from `done`. Tickets forwarded before this migration change status, and move from `done` to
`forwarded` in the figures, from the facts the figures keep of each ticket (the same keys
`domain.figures.ticket_keys` gives: each stage's zone, service, counter and staff, each or "*").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import json
from itertools import product

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ANY = "*"


def _keys(stage_rows: list[list[object]]) -> set[tuple[str, str, str, str]]:
    keys: set[tuple[str, str, str, str]] = set()
    for row in stage_rows:
        zone, service, counter, staff = (str(v or "") for v in row[1:5])
        keys.update(product((zone, ANY), (service, ANY), (counter, ANY) if counter else (ANY,),
                            (staff, ANY) if staff else (ANY,)))
    return keys or {(ANY, ANY, ANY, ANY)}


def upgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
    with op.batch_alter_table('fig_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forwarded', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('fig_tickets', schema=None) as batch_op:
        batch_op.alter_column('forwarded', server_default=None)

    conn = op.get_bind()
    conn.execute(sa.text("UPDATE tickets SET status = 'forwarded' WHERE forwarded_to IS NOT NULL "
                         "AND status = 'done'"))
    rows = conn.execute(sa.text(
        "SELECT f.ticket_id, f.hall, f.day, f.facts FROM fig_facts f JOIN tickets t "
        "ON t.id = f.ticket_id WHERE t.forwarded_to IS NOT NULL")).all()
    move = sa.text("UPDATE fig_tickets SET done = done - 1, forwarded = forwarded + 1 "
                   "WHERE hall = :hall AND "
                   "day = :day AND zone = :zone AND service = :service AND counter = :counter "
                   "AND staff = :staff")
    mark = sa.text("UPDATE fig_facts SET facts = :facts WHERE ticket_id = :ticket")
    for ticket_id, hall, day, facts in rows:
        facts = json.loads(facts) if isinstance(facts, str) else dict(facts)
        stage_rows = facts.get("st") or []
        if facts.get("s") != "done" or not stage_rows or stage_rows[-1][5] != "forwarded":
            continue
        for zone, service, counter, staff in _keys(stage_rows):
            conn.execute(move, {"hall": hall, "day": day, "zone": zone, "service": service,
                                "counter": counter, "staff": staff})
        facts["s"] = "forwarded"
        conn.execute(mark.bindparams(sa.bindparam("facts", type_=sa.JSON())),
                     {"facts": facts, "ticket": ticket_id})


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE fig_tickets SET done = done + forwarded"))
    conn.execute(sa.text("UPDATE tickets SET status = 'done' WHERE status = 'forwarded'"))
    mark = sa.text("UPDATE fig_facts SET facts = :facts WHERE ticket_id = :ticket")
    for ticket_id, facts in conn.execute(sa.text(
            "SELECT f.ticket_id, f.facts FROM fig_facts f JOIN tickets t ON t.id = f.ticket_id "
            "WHERE t.forwarded_to IS NOT NULL")).all():
        facts = json.loads(facts) if isinstance(facts, str) else dict(facts)
        if facts.get("s") == "forwarded":
            facts["s"] = "done"
            conn.execute(mark.bindparams(sa.bindparam("facts", type_=sa.JSON())),
                         {"facts": facts, "ticket": ticket_id})
    with op.batch_alter_table('fig_tickets', schema=None) as batch_op:
        batch_op.drop_column('forwarded')
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_column('reason')
