"""The stage machine (domain/stages.py) without a database: the transitions a counter makes,
the ones it may not, where a ticket goes after each outcome, and the approval deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain import stages
from queue_server.domain.errors import Conflict
from queue_server.domain.hall import HallInfo
from queue_server.usecases.calendars import packaged_years

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
HALL = HallInfo("h", "厅", None, "Asia/Shanghai", time(0, 0), "请{number}号", "00" * 32,
                official=packaged_years())


@dataclass
class FakeStage:
    status: str = "waiting"
    counter: str | None = None
    staff_id: str | None = None
    target_counter: str | None = "W09"
    recalls: int = 0
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None


@dataclass
class Svc:
    route: tuple[str, ...]
    time_limit_workdays: int | None


def test_call_start_end_in_order() -> None:
    st = FakeStage()
    stages.call(st, "W01", "s001", NOW)
    assert (st.status, st.counter, st.staff_id, st.target_counter) == ("called", "W01", "s001",
                                                                       None)
    assert stages.recall(st) == 1 and stages.recall(st) == 2
    stages.start(st, NOW + timedelta(minutes=1))
    stages.end(st, NOW + timedelta(minutes=5), "next")
    assert (st.status, st.outcome, st.started_at) == ("ended", "next",
                                                      NOW + timedelta(minutes=1))


def test_a_stage_finished_straight_from_the_call_starts_at_its_call() -> None:
    st = FakeStage()
    stages.call(st, "W01", None, NOW)
    stages.end(st, NOW + timedelta(minutes=3), "done")
    assert st.started_at == NOW
    no_show = FakeStage()
    stages.call(no_show, "W01", None, NOW)
    stages.end(no_show, NOW, "no_show")
    assert no_show.started_at is None  # never served


@pytest.mark.parametrize("move", [
    lambda st: stages.start(st, NOW), lambda st: stages.recall(st),
    lambda st: stages.end(st, NOW, "done")])
def test_refused_transitions(move: object) -> None:
    ended = FakeStage(status="ended")
    with pytest.raises(Conflict):
        move(ended)  # type: ignore[operator]
    called = FakeStage()
    stages.call(called, "W01", None, NOW)
    with pytest.raises(Conflict):
        stages.call(called, "W02", None, NOW)
    with pytest.raises(ValueError):
        stages.end(FakeStage(), NOW, "vanished")


def test_where_the_ticket_goes() -> None:
    route = ("intake", "approval", "pickup")
    assert stages.next_zone(route, "intake", "next") == "approval"
    assert stages.next_zone(route, "pickup", "next") is None
    assert stages.next_zone(route, "intake", "done") is None
    assert stages.zones_left(route, "intake") == ["approval", "pickup"]
    assert stages.ticket_status_after("next", "approval") == "waiting"
    assert stages.ticket_status_after("next", None) == "done"
    assert stages.ticket_status_after("rejected", None) == "rejected"
    assert stages.ticket_status_after("no_show", None) == "no_show"
    assert stages.ticket_status_after("transferred", None) == "waiting"


def test_whom_a_stage_meets_in_person() -> None:
    """A bank branch's forwarded application: its holder is away until pickup (its calls are
    silent, and nothing before pickup is theirs to rate); a back-office approval post is never
    met in person, whoever holds the ticket."""
    zones = ("consult", "intake", "approval", "pickup")
    assert [stages.holder_away(True, z) for z in zones] == [True, True, True, False]
    assert not any(stages.holder_away(False, z) for z in zones)
    assert [stages.met_in_person(False, z) for z in zones] == [True, True, False, True]
    assert [stages.met_in_person(True, z) for z in zones] == [False, False, False, True]


def test_approval_deadline_in_working_days() -> None:
    due = stages.deadline_of(HALL, Svc(("intake", "approval"), 2), "approval", NOW)
    assert due is not None and due.at.date() == date(2026, 3, 4)
    local = due.at.astimezone(ZoneInfo(HALL.timezone))  # the end of the hall's working day
    assert (local.date(), local.hour, due.at.utcoffset()) == (date(2026, 3, 4), 23, timedelta(0))
    assert not due.provisional  # 2026 is packaged
    assert stages.deadline_of(HALL, Svc(("intake", "approval"), 2), "intake", NOW) is None
    assert stages.deadline_of(HALL, Svc(("intake", "approval"), None), "approval", NOW) is None
