"""Stages: queueing a ticket in a zone (its place kept by issue time) and the deadline of an
approval stage in working days (限时办结)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from queue_server.halls import HallInfo
from queue_server.models import Service, Stage, Ticket
from queue_server.records import Record
from queue_server.store import Tx
from queue_server.workdays import deadline

_STAGES = cast(Table, Stage.__table__)
INSERT_STAGE = insert(_STAGES).returning(_STAGES.c.id)


def stage_deadline(hall: HallInfo, svc: Service | Record, zone: str, now: datetime
                   ) -> datetime | None:
    if zone != "approval" or svc.time_limit_workdays is None:
        return None
    return deadline(now, svc.time_limit_workdays, hall.timezone, hall.closed_days)


def insert_stage(conn: Connection, hall: str, ticket_id: str, zone: str, service: str,
                 priority: bool, sort_at: datetime, deadline: datetime | None,
                 target: str | None = None) -> int:
    """A new waiting stage (Core: the hot path writes it); answers its id."""
    return int(conn.execute(INSERT_STAGE, {
        "hall": hall, "ticket_id": ticket_id, "zone": zone, "service": service,
        "status": "waiting", "priority": priority, "target_counter": target,
        "sort_at": sort_at, "counter": None, "staff_id": None, "recalls": 0,
        "called_at": None, "started_at": None, "ended_at": None, "outcome": None,
        "deadline": deadline, "rated": False}).scalar_one())


def queue_stage(tx: Tx, ticket: Record, svc: Service | Record, zone: str, hall: HallInfo,
                target: str | None = None) -> int:
    """Queue `ticket` in `zone`, keeping its place by issue time; answers the stage's id.
    The ticket's record is updated, not saved."""
    due = stage_deadline(hall, svc, zone, tx.now)
    stage_id = insert_stage(tx.session.connection(), ticket.hall, ticket.id, zone, svc.code,
                            ticket.priority, ticket.issued_at, due, target)
    ticket.stage, ticket.zone, ticket.status = stage_id, zone, "waiting"
    if due is not None:
        ticket.deadline = due
    return stage_id


def end_current(s: object, ticket: Ticket, now: datetime, outcome: str) -> None:
    """End the ticket's current stage (waiting or not) and the ticket with it; a counter that
    held it lets go."""
    from queue_server.models import Counter

    stage = s.get(Stage, ticket.stage) if ticket.stage else None  # type: ignore[attr-defined]
    if stage is not None and stage.status != "ended":
        if stage.counter and stage.status in ("called", "serving"):
            counter = s.get(Counter, (ticket.hall, stage.counter))  # type: ignore[attr-defined]
            if counter is not None and counter.current_stage == stage.id:
                counter.current_stage = None
        stage.status, stage.ended_at, stage.outcome = "ended", now, outcome
    ticket.status = "done"
