"""The stage machine: one zone of a ticket's walk through the hall, as pure transitions.

    held --release--> waiting --call--> called --start--> serving
                         ^                 |                 |
                         |                 +-----end(outcome)+--> ended
                         +---- (a new stage in the next zone, or a transferred one)

    called/serving --hold--> on_hold --take_back--> called/serving     (挂起 at a counter)
    ended(served) --reopen--> serving                                  (undo of a finish)

A `held` stage waits for its holder to arrive before a counter may call it: a number taken
from the phone that asks for check-in at a kiosk, or a case ready for pickup on a later day
(or to be mailed). No counter calls it and nobody counts it as waiting.

`end` is the one place a stage ends, whatever the outcome: served (`done`), on to the next zone
(`next`), `rejected`, `no_show`, `transferred`, `forwarded` (to the parent hall) or, at an
approval post, `supplement` (补正: back to the zone before for the papers missing). A stage is
any object with the stage columns as attributes (a Core record or an ORM row); the functions
set attributes and never touch a database. A refused transition is `Conflict`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from queue_server.domain.errors import Conflict
from queue_server.domain.hall import HallInfo
from queue_server.domain.workdays import Due, deadline

WAITING, CALLED, SERVING, ENDED = "waiting", "called", "serving", "ended"
HELD = "held"
ON_HOLD = "on_hold"  # a called ticket its counter put aside (挂起) until it takes it back
READY = "ready"  # the status of a ticket whose case waits, held, in the pickup zone
# 补正: an approval post sent the case back for papers (its stage ended `supplement`); the case
# waits, held, in the zone before approval for its holder to bring them, its clock stopped.
SUPPLEMENT = "supplement"
# (v1.2) a bank branch's ticket whose papers went on to the parent hall (转大厅): the branch's part
# ended there, the application is the hall's own ticket (`forwarded_to`). Before, "done".
FORWARDED = "forwarded"
# A ticket's statuses once its journey is over (nothing follows; anything else may still move).
FINAL = ("done", "rejected", "no_show", FORWARDED)
AT_COUNTER = (CALLED, SERVING)
OPEN = (WAITING, CALLED, SERVING, HELD, ON_HOLD)  # every status but ENDED: the case is not done
SERVED = ("done", "next", "rejected")  # outcomes of a stage that was served
OUTCOMES = (*SERVED, "no_show", "transferred", "forwarded", SUPPLEMENT)


class StageLike(Protocol):
    status: str
    counter: str | None
    staff_id: str | None
    target_counter: str | None
    recalls: int
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None


class ServiceLike(Protocol):
    route: Sequence[str]
    time_limit_workdays: int | None


def missed(deadline: datetime | None, journey: Sequence[Any], now: datetime) -> str | None:
    """Whether a case missed its promised date (`deadline`), from its stages (oldest first):
    "open" while it is still in approval past it, "done" when approval decided (done, next,
    rejected) after it; None otherwise."""
    if deadline is None or not journey:
        return None
    last = journey[-1]
    if last.zone == "approval" and last.status != ENDED:
        return "open" if now > deadline else None
    decided = [st for st in journey if st.zone == "approval" and st.outcome in SERVED]
    ended = decided[-1].ended_at if decided else None
    return "done" if ended is not None and ended > deadline else None


def returned(stage: Any) -> bool:
    """Whether `stage` is of a case back from 补正 before approval: it carries the approval
    deadline (set when the case was sent back), as no other stage outside approval does."""
    return stage.zone != "approval" and stage.deadline is not None


def holder_away(forwarded: bool, zone: str, returned: bool = False) -> bool:
    """Whether the holder is elsewhere while `zone` takes up the ticket: a bank branch's
    application forwarded to the hall (政银合作) is taken up from the papers the branch sent,
    its holder at the branch or at home; they come in person only to collect (pickup). Its
    calls before pickup call nobody in the hall, but when it came back from 补正 (`returned`):
    its holder brought the papers and waits in the hall."""
    return forwarded and zone != "pickup" and not returned


def met_in_person(forwarded: bool, zone: str, returned: bool = False) -> bool:
    """Whether the holder met the counter of a stage in `zone` that called them: what a
    rating from the holder's phone rates. Never a back-office approval post (it "calls" the
    case, not a person), nor a stage while the holder was away (`holder_away`)."""
    return zone != "approval" and not holder_away(forwarded, zone, returned)


def _require(stage: StageLike, states: tuple[str, ...]) -> None:
    if stage.status not in states:
        raise Conflict("no_current_ticket", "本窗口当前没有号 / no current ticket here")


def call(stage: StageLike, counter: str, staff: str | None, now: datetime) -> None:
    """A counter calls a waiting stage."""
    if stage.status != WAITING:
        raise Conflict("not_waiting", "此号不在等候中 / this ticket is not waiting")
    stage.status, stage.counter, stage.staff_id = CALLED, counter, staff
    stage.called_at, stage.target_counter = now, None


def release(stage: StageLike) -> None:
    """The holder of a held stage has arrived: it queues like any other."""
    if stage.status != HELD:
        raise Conflict("not_held", "此号不需要签到 / this ticket does not wait for check-in")
    stage.status = WAITING


def held_status(zone: str) -> str:
    """The ticket's status while its stage in `zone` is held."""
    return READY if zone == "pickup" else WAITING


def recall(stage: StageLike) -> int:
    """Announce the called stage again; answers how many recalls so far."""
    _require(stage, (CALLED,))
    stage.recalls += 1
    return stage.recalls


def start(stage: StageLike, now: datetime) -> None:
    _require(stage, (CALLED,))
    stage.status, stage.started_at = SERVING, now


def end(stage: StageLike, now: datetime, outcome: str) -> None:
    """End the stage with `outcome`. A served stage finished straight from the call counts as
    started at its call."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if stage.status == ENDED:
        raise Conflict("already_ended", "此环节已结束 / this stage has already ended")
    if outcome in SERVED and stage.started_at is None:
        stage.started_at = stage.called_at or now
    stage.status, stage.ended_at, stage.outcome = ENDED, now, outcome


def hold(stage: StageLike) -> None:
    """The counter puts its called (or served) ticket aside: nobody calls it, nobody counts it
    as waiting, until the same counter takes it back."""
    _require(stage, AT_COUNTER)
    stage.status = ON_HOLD


def take_back(stage: StageLike) -> str:
    """The counter takes a held ticket back: it is called again, or served if it was started.
    Answers the stage's new status."""
    if stage.status != ON_HOLD:
        raise Conflict("not_on_hold", "此号未挂起 / this ticket is not on hold")
    stage.status = SERVING if stage.started_at is not None else CALLED
    return stage.status


def reopen(stage: StageLike) -> None:
    """Undo a finish: the served stage is being served again."""
    if stage.status != ENDED or stage.outcome not in SERVED:
        raise Conflict("nothing_to_undo", "没有可撤销的办结 / there is no finish to undo")
    stage.status, stage.ended_at, stage.outcome = SERVING, None, None


def next_zone(route: Sequence[str], zone: str, outcome: str) -> str | None:
    """The zone a ticket queues in after a stage in `zone` ended with `outcome`, if any."""
    if outcome != "next" or zone not in route:
        return None
    later = list(route)[list(route).index(zone) + 1:]
    return later[0] if later else None


def zones_left(route: Sequence[str], zone: str) -> list[str]:
    """The zones of the route after `zone` (what 转下一环节 would still walk)."""
    return list(route)[list(route).index(zone) + 1:] if zone in route else []


def ticket_status_after(outcome: str, next_zone_: str | None) -> str:
    """The ticket's status once its stage ended with `outcome`."""
    if next_zone_ is not None or outcome == "transferred":
        return WAITING
    return {"rejected": "rejected", "no_show": "no_show", "forwarded": FORWARDED,
            SUPPLEMENT: SUPPLEMENT}.get(outcome,
                                                                                "done")


def supplement_zone(route: Sequence[str]) -> str | None:
    """Where a case sent back for papers (补正) waits for its holder to bring them: the zone
    before approval in its route (intake, 一窗受理, where the papers came in first); None when
    approval is its first zone (there is no counter to hand them to)."""
    at = list(route).index("approval") if "approval" in route else 0
    return list(route)[at - 1] if at > 0 else None


def deadline_of(hall: HallInfo, svc: ServiceLike | Any, zone: str, now: datetime
                ) -> Due | None:
    """An approval stage's promised completion (限时办结): the end of the N-th working day after
    the business day it enters approval, provisional when that rests on an unconfirmed year."""
    if zone != "approval" or svc.time_limit_workdays is None:
        return None
    return deadline(hall.day_of(now), svc.time_limit_workdays, hall.timezone, hall.calendar)


def transfer_zones(route: Sequence[str], zone: str) -> tuple[str, ...]:
    """Where a transfer from `zone` may send a ticket: a counter of the same zone, or of the
    next zone of its route (a case to a chosen approval post), but never into pickup from
    elsewhere, which only an approval's `next` reaches (the case ready, its holder told), and
    never over a zone (intake straight to pickup skipped the approval and its deadline)."""
    later = route[route.index(zone) + 1:] if zone in route else ()
    return (zone,) + ((later[0],) if later and later[0] != "pickup" else ())
