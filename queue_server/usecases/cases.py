"""限时办结: the tickets in approval with their deadlines (who holds each, who took it in, and
where it stands: overdue, due today, soon, on track); the cases a staff member took in at
intake and where they are now (全程盯办); and the alerts: `scan_alerts` (run every minute by
the server) writes one `case.alert` event per approval stage and state (soon, due today,
overdue), remembered in `case_alerts` so each is sent once. The event names the counter that
holds the case (null while it waits in the approval queue), so that counter's pad can show it.
An approval counter's own staff session lists its queue's cases due today or overdue
(`counter_cases`), so a pad that starts knows the alerts sent before it did."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server.db.models import CaseAlert, Counter, Hall, Service, Staff, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain.clock import iso
from queue_server.domain.deadlines import (
    DUE_TODAY,
    ON_TRACK,
    OVERDUE,
    PAPERS_OVERDUE,
    case_state,
    workdays_left,
)
from queue_server.domain.errors import Forbidden, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.stages import AT_COUNTER, HELD, ON_HOLD, OPEN, SUPPLEMENT, WAITING
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.usecases.live import staffed_counters
from queue_server.wire import ZONES
from queue_server.wire_console import CaseRow, MyCaseRow

MINE_DAYS = 30


def _open_approval(s: Session, hall: str) -> list[tuple[Stage, Ticket]]:
    return list(s.execute(
        select(Stage, Ticket).join(Ticket, Ticket.id == Stage.ticket_id)
        .where(Stage.hall == hall, Stage.zone == "approval", Stage.status.in_(OPEN))
        .order_by(Stage.deadline, Stage.id)).all())


TAKEN_IN = ("next", "transferred")  # how an intake stage hands a case on past intake
PAST_INTAKE = ("approval", "pickup")  # the zones after intake (a transfer reaches approval)


def _accepted(stages: list[tuple[int, str, str, str | None, str | None, datetime | None]]
              ) -> dict[str, tuple[str | None, datetime | None]]:
    """Who accepted (受理) each ticket, and when: the intake stage that handed it on past
    intake, finished `next` or transferred straight to a post of a later zone (an approval
    post); a transfer to another intake counter accepted nothing. `stages`: (id, ticket,
    zone, outcome, staff, ended) of whole tickets, in id order."""
    out: dict[str, tuple[str | None, datetime | None]] = {}
    for i, (_, ticket, zone, outcome, staff, ended) in enumerate(stages):
        after = stages[i + 1] if i + 1 < len(stages) else None
        if zone != "intake" or outcome not in TAKEN_IN:
            continue
        if outcome == "transferred" and (after is None or after[1] != ticket
                                         or after[2] not in PAST_INTAKE):
            continue
        out[ticket] = (staff, ended)
    return out


def _stages_of(s: Session, ticket_ids: list[str]
               ) -> list[tuple[int, str, str, str | None, str | None, datetime | None]]:
    if not ticket_ids:
        return []
    return [tuple(r) for r in s.execute(  # type: ignore[misc]
        select(Stage.id, Stage.ticket_id, Stage.zone, Stage.outcome, Stage.staff_id,
               Stage.ended_at).where(Stage.ticket_id.in_(ticket_ids))
        .order_by(Stage.ticket_id, Stage.id))]


def _intake_of(s: Session, ticket_ids: list[str]) -> dict[str, tuple[str | None, datetime | None]]:
    """Who accepted each ticket at intake, and when that stage ended."""
    return _accepted(_stages_of(s, ticket_ids))


def _names(s: Session, hall: str) -> tuple[dict[str, str], dict[str, str]]:
    services = dict(s.execute(select(Service.code, Service.name).where(Service.hall == hall))
                    .all())
    staff = dict(s.execute(select(Staff.id, Staff.name).where(Staff.hall == hall)).all())
    return services, staff


def _state(info: HallInfo, deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return ON_TRACK
    return case_state(deadline, now, info.timezone, info.case_soon_workdays, info.calendar)


def counter_cases(store: Store, who: Principal, code: str) -> list[wire.CounterCase]:
    """限时办结 at an approval counter, for its own staff session: the open approval stages of
    its hall that it may call (waiting in its services, not sent to another counter) or holds
    (called, being served or on hold there) whose deadline is today or past, overdue first and
    soonest deadline first. Another zone's counter has none."""
    if who.kind != "staff" or who.hall is None:
        raise Forbidden("staff_session_required", "请先登录 / a staff session is required")
    if who.counter != code:
        raise Forbidden("not_your_counter", f"只能查看本窗口 {who.counter} / you may look only "
                        f"at counter {who.counter}")
    with store.read() as s:
        counter, info = s.get(Counter, (who.hall, code)), load_hall(s, who.hall)
        if counter is None or not counter.active or info is None:
            raise NotFound("unknown_counter", f"没有窗口 {code} / no counter {code}")
        if counter.zone != "approval" or not counter.services:
            return []
        now = store.clock()
        mine = or_(Stage.status == WAITING,
                   Stage.status.in_((*AT_COUNTER, ON_HOLD)) & (Stage.counter == code))
        rows = s.execute(
            select(Stage, Ticket.number, Ticket.day).join(Ticket, Ticket.id == Stage.ticket_id)
            .where(Stage.hall == who.hall, Stage.zone == "approval", mine,
                   Stage.service.in_(list(counter.services)), Stage.deadline.is_not(None),
                   Stage.deadline < _end_of_today(now, info.timezone),
                   or_(Stage.status != WAITING, Stage.target_counter.is_(None),
                       Stage.target_counter == code))
            .order_by(Stage.deadline, Stage.id)).all()
        out = []
        for stage, number, day in rows:
            assert stage.deadline is not None
            state = _state(info, stage.deadline, now)
            if state not in (OVERDUE, DUE_TODAY):
                continue
            out.append(wire.CounterCase(
                ticket=stage.ticket_id, number=number, day=day, service=stage.service,
                state=state,  # type: ignore[arg-type]
                deadline=stage.deadline, deadline_provisional=bool(stage.deadline_provisional),
                workdays_left=workdays_left(stage.deadline, now, info.timezone, info.calendar),
                status=stage.status, counter=code if stage.status != WAITING else None))
        out += _lapsed(s, info, list(counter.services), now)
        rank = {OVERDUE: 0, DUE_TODAY: 1, PAPERS_OVERDUE: 2}
        return sorted(out, key=lambda c: (rank[c.state], c.deadline))


def _lapsed(s: Session, info: HallInfo, services: list[str], now: datetime
            ) -> list[wire.CounterCase]:
    """逾期未补正: the cases of `services` sent back for papers whose holder has not brought
    them by the hall's period: the approval post calls one back by its number (叫指定号) to
    decide on what it has. None where the hall gave no date."""
    return [wire.CounterCase(
        ticket=ticket.id, number=ticket.number, day=ticket.day, service=ticket.service,
        state=PAPERS_OVERDUE,
        deadline=by, workdays_left=workdays_left(by, now, info.timezone, info.calendar),
        status=SUPPLEMENT) for _, ticket, by, _ in _papers_lapsed(s, info, now)
        if ticket.service in services]


def _papers_lapsed(s: Session, info: HallInfo, now: datetime
                   ) -> list[tuple[Stage, Ticket, datetime, Stage]]:
    """The cases of the hall waiting for their holder's papers past the hall's period, with
    the stage they wait in (held before approval), the end of the period and the approval
    stage that sent them back (its `papers_by`, fixed when the holder was told it): a short
    range of the queue index (ix_stage_queue)."""
    pairs = list(s.execute(
        select(Stage, Ticket).join(Ticket, Ticket.id == Stage.ticket_id)
        .where(Stage.hall == info.id, Stage.zone.in_(ZONES[:ZONES.index("approval")]),
               Stage.status == HELD, Ticket.status == SUPPLEMENT)).all())
    asked = _asked(s, [t.id for _, t in pairs])
    out = []
    for stage, ticket in pairs:
        post = asked.get(ticket.id)
        by = post.papers_by if post is not None else None
        if post is not None and by is not None and now > by:
            out.append((stage, ticket, by, post))
    return out


def _end_of_today(now: datetime, tz: str) -> datetime:
    """The first instant of the hall's tomorrow (local dates): deadlines before it are due today
    or past."""
    local = now.astimezone(ZoneInfo(tz))
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                            tzinfo=local.tzinfo)


def approval_cases(store: Store, who: Principal, hall: str) -> list[CaseRow]:
    require_supervisor(who)
    with store.read() as s:
        info = load_hall(s, hall)
        if info is None:
            return []
        now = store.clock()
        pairs = _open_approval(s, hall)
        intake = _intake_of(s, [t.id for _, t in pairs])
        services, staff = _names(s, hall)
        staffed = staffed_counters(s, hall, now)
        # the services some signed-in approval post calls: a case in the queue of none of them
        # waits for nobody (C001 waited all week with nobody at any post of its service, and
        # the console said 窗口无人 0; an approval officer's week, an outside check)
        posts = [list(services or []) for code, services in s.execute(
            select(Counter.code, Counter.services).where(
                Counter.hall == hall, Counter.zone == "approval", Counter.active))
            if code in staffed]

        def nobody_calls(service: str) -> bool:  # a post of no services list calls them all
            return not any(not services or service in services for services in posts)
        out = []
        for stage, ticket in pairs:
            took, entered = intake.get(ticket.id, (None, None))
            holder = stage.staff_id if stage.status != "waiting" else None
            # the post it is at: held there, or sent there (transferred) and waiting for it
            post = stage.counter if holder else stage.target_counter
            out.append(CaseRow(
                ticket=ticket.id, number=ticket.number, service=ticket.service,
                service_name=services.get(ticket.service, ticket.service),
                masked_name=ticket.masked_name, entered_at=entered or stage.sort_at,
                deadline=stage.deadline, deadline_provisional=bool(stage.deadline_provisional),
                state=_state(info, stage.deadline, now),  # type: ignore[arg-type]
                status=stage.status, counter=stage.counter if holder else None, staff=holder,
                staff_name=staff.get(holder or ""), intake_staff=took,
                intake_staff_name=staff.get(took or ""),
                waiting_at=stage.target_counter if not holder else None,
                unstaffed=(post not in staffed) if post is not None
                else stage.status == WAITING and nobody_calls(stage.service)))
        return out + _sent_back(s, info, services, staff, now)


def _asked(s: Session, ticket_ids: list[str]) -> dict[str, Stage]:
    """The approval stage that sent each case back for papers (补正: once a case)."""
    if not ticket_ids:
        return {}
    return {st.ticket_id: st for st in s.scalars(select(Stage).where(
        Stage.ticket_id.in_(ticket_ids), Stage.outcome == SUPPLEMENT).order_by(Stage.id))}


def _sent_back(s: Session, info: HallInfo, services: dict[str, str], staff: dict[str, str],
               now: datetime) -> list[CaseRow]:
    """The cases sent back for papers (补正): still the hall's to decide, their time limit
    stopped (state `supplement`: never overdue while the papers are missing), waiting for
    their holder (status `supplement`) or back at intake with the papers (`papers_in`: it
    left the list from its check-in until intake handed it on; an outside check). Open stages
    before approval that carry its deadline (`stages.returned`): a short range of the queue
    index. Each says when and by which post it was sent back, the papers, the date to bring
    them by and whether that passed without them (`lapsed`, 逾期未补正)."""
    pairs = list(s.execute(
        select(Stage, Ticket).join(Ticket, Ticket.id == Stage.ticket_id)
        .where(Stage.hall == info.id, Stage.zone.in_(ZONES[:ZONES.index("approval")]),
               Stage.status.in_(OPEN), Stage.deadline.is_not(None))
        .order_by(Stage.deadline, Stage.id)).all())
    intake = _intake_of(s, [t.id for _, t in pairs])
    asked = _asked(s, [t.id for _, t in pairs])
    rows = []
    for stage, ticket in pairs:
        took, entered = intake.get(ticket.id, (None, None))
        holder = stage.staff_id if stage.status in (*AT_COUNTER, ON_HOLD) else None
        post = asked.get(ticket.id)
        by = post.papers_by if post is not None else None
        rows.append(CaseRow(
            ticket=ticket.id, number=ticket.number, service=ticket.service,
            service_name=services.get(ticket.service, ticket.service),
            masked_name=ticket.masked_name, entered_at=entered, deadline=ticket.deadline,
            deadline_provisional=bool(ticket.deadline_provisional), state=SUPPLEMENT,
            status=SUPPLEMENT if ticket.status == SUPPLEMENT else "papers_in",
            counter=stage.counter if holder else None, staff=holder,
            staff_name=staff.get(holder or ""), intake_staff=took,
            intake_staff_name=staff.get(took or ""),
            asked_at=post.ended_at if post is not None else None,
            asked_by=post.counter if post is not None else None,
            papers=list(post.papers or []) if post is not None else None, bring_by=by,
            lapsed=ticket.status == SUPPLEMENT and by is not None and now > by))
    return rows


def my_cases(store: Store, who: Principal) -> list[MyCaseRow]:
    """全程盯办: the tickets this staff member took in (moved on from intake, or transferred
    from intake straight to a post of a later zone) in the last 30 days, newest first, with
    where each is now."""
    if not who.is_staff or who.staff_id is None or who.hall is None:
        raise Forbidden("staff_session_required", "需要窗口登录 / a staff session is required")
    with store.read() as s:
        info = load_hall(s, who.hall)
        assert info is not None
        now = store.clock()
        candidates = list(s.execute(
            select(Stage.ticket_id, Stage.id).where(  # ix_stage_staff
                Stage.hall == who.hall, Stage.staff_id == who.staff_id, Stage.zone == "intake",
                Stage.outcome.in_(TAKEN_IN), Stage.ended_at >= now - timedelta(days=MINE_DAYS))
            .order_by(Stage.ended_at.desc()).limit(300)).all())
        accepted = _accepted(_stages_of(s, list({t for t, _ in candidates})))
        taken = [(t, accepted[t][1]) for t in dict.fromkeys(t for t, _ in candidates)
                 if accepted.get(t, (None, None))[0] == who.staff_id]
        services, _ = _names(s, who.hall)
        return [_my_row(s, info, ticket_id, at, services, now) for ticket_id, at in taken]


def _my_row(s: Session, info: HallInfo, ticket_id: str, taken_at: datetime | None,
            services: dict[str, str], now: datetime) -> MyCaseRow:
    ticket = s.get(Ticket, ticket_id)
    assert ticket is not None
    stage = s.get(Stage, ticket.stage) if ticket.stage is not None else None
    open_ = stage is not None and stage.status in OPEN
    approval = stage if open_ and stage is not None and stage.zone == "approval" else None
    deadline = approval.deadline if approval is not None else ticket.deadline
    return MyCaseRow(
        ticket=ticket.id, number=ticket.number, service=ticket.service,
        service_name=services.get(ticket.service, ticket.service), taken_at=taken_at,
        status=ticket.status, zone=ticket.zone,
        counter=stage.counter if open_ and stage is not None else None, deadline=deadline,
        state=_state(info, deadline, now) if approval is not None else None,  # type: ignore[arg-type]
        ended_at=None if open_ or stage is None else stage.ended_at)


def scan_alerts(store: Store) -> int:
    """Send the alerts due now in every hall; answers how many were sent."""
    with store.read() as s:
        halls = list(s.scalars(select(Hall.id).where(Hall.active)))
    return sum(_scan_hall(store, hall) for hall in halls)


def _scan_hall(store: Store, hall: str) -> int:
    sent = 0
    with store.write() as tx:
        s, now = tx.session, tx.now
        info = load_hall(s, hall)
        if info is None:
            return 0
        # (the stage an alert is kept by, the stage it is about, its ticket, kind, what differs)
        due: list[tuple[Stage, Stage, Ticket, str, dict[str, Any]]] = [
            (stage, stage, ticket, kind, {}) for stage, ticket, kind in (
                (stage, ticket, _state(info, stage.deadline, now))
                for stage, ticket in _open_approval(s, hall) if stage.deadline is not None)
            if kind != ON_TRACK]
        # 逾期未补正 (v1.3): once a case (kept by the stage that sent it back: a missed call at
        # intake makes a new held stage), for the approval posts of its service; `zone` is
        # where it waits for its holder, `deadline` the end of the period for papers
        due += [(post, stage, ticket, PAPERS_OVERDUE, {"deadline": iso(by), "zone": stage.zone,
                                                      "counter": None, "staff": None})
                for stage, ticket, by, post in _papers_lapsed(s, info, now)]
        if not due:
            return 0
        seen = {(int(i), str(k)) for i, k in s.execute(select(CaseAlert.stage_id, CaseAlert.kind)
                .where(CaseAlert.stage_id.in_([kept.id for kept, *_ in due])))}
        for kept, stage, ticket, kind, differs in due:
            if (kept.id, kind) in seen:
                continue
            s.add(CaseAlert(stage_id=kept.id, kind=kind, hall=hall, at=now))
            tx.emit(hall, "case.alert", **{**_alert(stage, ticket, kind), **differs})
            sent += 1
    return sent


def _alert(stage: Stage, ticket: Ticket, kind: str) -> dict[str, Any]:
    held = stage.status != "waiting"
    return {"ticket": ticket.id, "number": ticket.number, "day": ticket.day.isoformat(),
            "service": ticket.service, "kind": kind,
            "deadline": iso(stage.deadline) if stage.deadline else None, "zone": "approval", "counter": stage.counter if held else None,
            "staff": stage.staff_id if held else None}
