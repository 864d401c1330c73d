"""A ticket's walk in rows: queueing a ticket in a zone (a new waiting stage, its place kept by
issue time, an approval stage with its deadline) and ending its current stage. The transitions
themselves are `domain.stages`; this is the one place their rows are written."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection

from queue_server.db import lean
from queue_server.db.models import Counter, Stage
from queue_server.db.records import Record
from queue_server.db.unit import Tx
from queue_server.domain import stages
from queue_server.domain.deadlines import resumed
from queue_server.domain.hall import HallInfo
from queue_server.domain.workdays import Due

_STAGES, _COUNTERS = cast(Table, Stage.__table__), cast(Table, Counter.__table__)
STAGE = lean.hot(select(_STAGES).where(_STAGES.c.id == bindparam("id")))
# Row locks on PostgreSQL (nothing on SQLite, where the unit holds the write lock).
COUNTER = lean.hot(select(_COUNTERS).where(_COUNTERS.c.hall == bindparam("hall"),
                                           _COUNTERS.c.code == bindparam("code"))
                   .with_for_update())


def one(conn: Connection, table: Table, query: Any, **where: Any) -> Record | None:
    row = lean.first(conn, query, where)  # on the driver's cursor where `query` is hot
    return Record(table, row) if row is not None else None


def insert_stage(conn: Connection, hall: str, ticket_id: str, zone: str, service: str,
                 priority: bool, sort_at: datetime, due: Due | None,
                 target: str | None = None, held: bool = False) -> int:
    """A new waiting (or held) stage (Core: the hot path writes it); answers its id."""
    row = stage_row(hall, ticket_id, zone, service, priority, sort_at, due, target, held)
    return int(lean.scalar(conn, _INSERT_STAGE, row))


def stage_row(hall: str, ticket_id: str, zone: str, service: str, priority: bool,
              sort_at: datetime, due: Due | None, target: str | None = None,
              held: bool = False) -> dict[str, Any]:
    """The columns of a new waiting (or held) stage, but its id."""
    return {
        "hall": hall, "ticket_id": ticket_id, "zone": zone, "service": service,
        "status": stages.HELD if held else stages.WAITING, "priority": priority,
        "target_counter": target,
        "sort_at": sort_at, "counter": None, "staff_id": None, "recalls": 0,
        "called_at": None, "started_at": None, "ended_at": None, "outcome": None,
        "deadline": due.at if due else None,
        "deadline_provisional": bool(due and due.provisional), "rated": False}


# Made at import, so that a fresh server's warm-up builds its plan (`lean.build_plans`).
_INSERT_STAGE = lean.insert_of(_STAGES, stage_row("", "", "", "", False, datetime.min, None),
                               ("id",))


def queue_stage(tx: Tx, ticket: Any, svc: Any, zone: str, hall: HallInfo,
                target: str | None = None, held: bool = False, due: Due | None = None) -> int:
    """Queue `ticket` (a record, updated but not saved) in `zone`, keeping its place by issue
    time (`held`: until its holder arrives); answers the stage's id. `due`: the deadline the
    stage keeps (a case handed on within approval), else the zone's own from now."""
    due = due or stages.deadline_of(hall, svc, zone, tx.now)
    stage_id = insert_stage(tx.conn, ticket.hall, ticket.id, zone, svc.code, ticket.priority,
                            ticket.issued_at, due, target, held)
    ticket.stage, ticket.zone = stage_id, zone
    ticket.status = stages.held_status(zone) if held else stages.WAITING
    if due is not None:
        ticket.deadline, ticket.deadline_provisional = due.at, due.provisional
    return stage_id


_SENT_BACK = select(_STAGES.c.ended_at).where(
    _STAGES.c.ticket_id == bindparam("ticket"), _STAGES.c.outcome == stages.SUPPLEMENT
).order_by(_STAGES.c.id.desc()).limit(1)


def carried_due(conn: Connection, stage: Any, zone: str, hall: HallInfo, now: datetime
                ) -> Due | None:
    """The deadline a ticket's next stage in `zone` keeps from `stage`, the one it leaves; None:
    the zone's own from now (`queue_stage`). Within approval the case keeps the deadline it got
    on entering it (a transfer, a change of service, a requeue). A case back from 补正 carries
    its approval deadline through the zones before approval (that stage's own, set when it was
    sent back) and takes it into approval again moved on by the working days it waited for its
    papers, up to its holder's check-in (`deadlines.resumed`)."""
    if stage.deadline is None:
        return None
    due = Due(stage.deadline, bool(stage.deadline_provisional))
    if stage.zone == "approval":
        return due if zone == "approval" else None
    if zone != "approval":
        return due
    since = conn.execute(_SENT_BACK, {"ticket": stage.ticket_id}).scalar()
    if since is None:
        return due
    # the papers were in when their holder checked in (the stage queued from then), though
    # intake took them the next morning; a stage moved within intake since: from now
    papers_in = stage.sort_at if stage.sort_at > since else now
    return resumed(due, since, papers_in, hall.timezone, hall.calendar)


def end_stage(stage: Record, counter: Record | None, now: datetime, outcome: str) -> None:
    """End `stage` with `outcome` (records updated, not saved); the counter that held it lets
    go."""
    stages.end(stage, now, outcome)
    if counter is not None and counter.current_stage == stage.id:
        counter.current_stage = None


def end_current(tx: Tx, ticket: Any, outcome: str) -> None:
    """End the ticket's current stage, wherever it is (waiting or at a counter), and the
    ticket's walk with it (`ticket` is updated, not saved)."""
    conn = tx.conn
    stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket.stage else None
    if stage is not None and stage.status != stages.ENDED:
        counter = (one(conn, _COUNTERS, COUNTER, hall=ticket.hall, code=stage.counter)
                   if stage.counter and stage.status in stages.AT_COUNTER else None)
        end_stage(stage, counter, tx.now, outcome)
        stage.save(conn)
        if counter is not None:
            counter.save(conn)
    ticket.status = stages.ticket_status_after(outcome, None)
