"""Stages: queueing a ticket in a zone (its place kept by issue time) and the deadline of an
approval stage in working days (限时办结)."""

from __future__ import annotations

from datetime import datetime

from queue_server.halls import HallInfo
from queue_server.models import Service, Stage, Ticket
from queue_server.store import Tx
from queue_server.workdays import deadline


def stage_deadline(hall: HallInfo, svc: Service, zone: str, now: datetime) -> datetime | None:
    if zone != "approval" or svc.time_limit_workdays is None:
        return None
    return deadline(now, svc.time_limit_workdays, hall.timezone, hall.closed_days)


def queue_stage(tx: Tx, ticket: Ticket, svc: Service, zone: str, hall: HallInfo,
                target: str | None = None) -> Stage:
    """Queue `ticket` in `zone`, keeping its place by issue time."""
    stage = Stage(hall=ticket.hall, ticket_id=ticket.id, zone=zone, service=svc.code,
                  status="waiting", priority=ticket.priority, target_counter=target,
                  sort_at=ticket.issued_at, recalls=0, rated=False,
                  deadline=stage_deadline(hall, svc, zone, tx.now))
    tx.session.add(stage)
    tx.session.flush()
    ticket.stage, ticket.zone, ticket.status = stage.id, zone, "waiting"
    if stage.deadline is not None:
        ticket.deadline = stage.deadline
    return stage


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
