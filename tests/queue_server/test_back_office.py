"""The back office (后台审批) as an approval officer works it, through the HTTP API (in-process
server, injected clock, SQLite and PostgreSQL): what an outside check of an approval officer's week found.
Nobody waits at an approval post, so nobody is recalled or passed there; pressing call-next
while a case is open hands it on to pickup rather than closing it; a case moved to another
service keeps the deadline promised; and 按时办结率 counts each approval decision once, not
each hand-over."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.queue_server.inproc import (
    HALL_TZ,
    JOURNEY_HALL,
    Clock,
    InProcServer,
    database,
    enrol,
    journey_db,
    ok,
    refused,
    staff_client,
)
from tests.queue_server.test_appointment_day import person

# the journey hall, a second service through approval with a longer limit, and a second
# officer (a supervisor, who reads the figures too)
SECOND = '''
[[services]]
code = "permit"
name = "施工许可"
prefix = "P"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 5
'''


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    text = JOURNEY_HALL.read_text(encoding="utf-8").replace(
        '[[counters]]', SECOND + '\n[[counters]]', 1).replace(
        'services = ["case"]', 'services = ["case", "permit"]')
    config = tmp_path / "back-office.toml"
    text += '\n[[staff]]\nid = "s002"\nname = "李强"\nrole = "supervisor"\n'
    config.write_text(text, encoding="utf-8")
    with database(request.param, tmp_path) as url:
        clock = Clock(datetime(2026, 3, 9, 9, tzinfo=HALL_TZ))  # Monday
        server = InProcServer(journey_db(tmp_path, config=config, url=url), clock)
        yield server, clock
        server.stop()


def _in_approval(server: InProcServer, n: int) -> tuple[dict[str, Any], httpx.Client]:
    """A case taken at the kiosk, served at intake (W01) and called at the approval post
    W03; the ticket and W03's staff client."""
    kiosk = server.client(enrol(server.store.url, "kiosk", f"k{n}"))
    ticket = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(60 + n)}), 201)
    intake = staff_client(server, "W01")
    assert ok(intake.post("/counters/W01/call-next"))["id"] == ticket["id"]
    ok(intake.post("/counters/W01/finish", json={"outcome": "next"}))
    post = staff_client(server, "W03", "s002")  # W01's officer stays signed in
    assert ok(post.post("/counters/W03/call-next"))["id"] == ticket["id"]
    return ticket, post


def _view(server: InProcServer, ticket: str) -> dict[str, Any]:
    return dict(ok(server.client().get(f"/track/{ticket}")))


def test_nobody_is_recalled_or_passed_at_an_approval_post(hall: Any) -> None:
    """重呼 was announced in the hall and 过号 ended the application (the holder's page read
    过号): a back-office post calls a case, not a person."""
    server, _clock = hall
    ticket, post = _in_approval(server, 1)
    for action in ("recall", "no-show"):
        answer = post.post(f"/counters/W03/{action}")
        refused(answer, 409, "not_in_person")
        assert "后台审批" in answer.json()["error"]["message"]
    assert _view(server, ticket["id"])["status"] == "called"


def test_call_next_hands_an_open_case_on_to_pickup(hall: Any) -> None:
    """call-next at an approval post with a case still open closed it `done`: approved, never
    handed out. It goes on along its route, as 转下一环节 would."""
    server, _clock = hall
    first, post = _in_approval(server, 2)
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-next"))
    second = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(70)}), 201)
    intake = staff_client(server, "W01")
    ok(intake.post("/counters/W01/call-next"))
    ok(intake.post("/counters/W01/finish", json={"outcome": "next"}))
    assert ok(post.post("/counters/W03/call-next"))["id"] == second["id"]
    moved = _view(server, first["id"])
    assert moved["zone"] == "pickup" and moved["status"] not in ("done", "called"), moved
    assert [s["outcome"] for s in moved["journey"]][:2] == ["next", "next"]


def test_a_case_moved_to_another_service_keeps_its_deadline(hall: Any) -> None:
    """An overdue case moved to another service in approval came out with a fresh time limit
    and left the overdue list."""
    server, clock = hall
    ticket, post = _in_approval(server, 3)
    promised = _view(server, ticket["id"])["deadline"]
    assert promised is not None
    clock.set(2026, 3, 13, 10)  # Friday: past the two working days
    post = staff_client(server, "W03", "s002")  # a new day's sign-in
    ok(post.post("/counters/W03/transfer", json={"service": "permit"}))
    moved = _view(server, ticket["id"])
    assert moved["deadline"] == promised and moved["zone"] == "approval"
    assert ok(post.post("/counters/W03/call-next"))["id"] == ticket["id"]
    ok(post.post("/counters/W03/transfer", json={"counter": "W03"}))  # to itself, again
    assert _view(server, ticket["id"])["deadline"] == promised


def test_on_time_counts_each_decision_once(hall: Any) -> None:
    """Each hand-over within approval counted as one more case finished on time (72.7 % for
    4 cases of 7 on time): a case on time after two hand-overs is one on time; a late one
    handed on before its deadline is one late."""
    server, clock = hall
    early, post = _in_approval(server, 4)
    for _ in range(2):
        ok(post.post("/counters/W03/transfer", json={"counter": "W03"}))
        assert ok(post.post("/counters/W03/call-next"))["id"] == early["id"]
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))  # Monday: on time
    late, post = _in_approval(server, 5)
    ok(post.post("/counters/W03/transfer", json={"counter": "W03"}))  # Monday: before it
    clock.set(2026, 3, 13, 10)  # Friday: past its deadline
    post = staff_client(server, "W03", "s002")  # a new day's sign-in
    assert ok(post.post("/counters/W03/call-next"))["id"] == late["id"]
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))
    kpi = ok(post.get("/reports/kpi", params={"from": "2026-03-09", "to": "2026-03-13"}))
    assert kpi["on_time_rate"] == 0.5, kpi


def test_an_overdue_case_of_an_earlier_day_is_called_by_its_number(hall: Any) -> None:
    """叫指定号 at an approval post looked for today's number only: an overdue B001 of
    Monday was "今天没有 B001 号" on Friday, when today's B001 was a new case at intake."""
    server, clock = hall
    monday, post = _in_approval(server, 6)
    ok(post.post("/counters/W03/transfer", json={"counter": "W03"}))  # back in the queue
    clock.set(2026, 3, 13, 10)  # Friday
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-friday"))
    friday = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(71)}), 201)
    assert friday["number"] == monday["number"]  # numbers run per day
    post = staff_client(server, "W03", "s002")
    called = ok(post.post("/counters/W03/call", json={"number": monday["number"]}))
    assert called["id"] == monday["id"]
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))
    refused(post.post("/counters/W03/call", json={"number": monday["number"]}), 409,
            "not_waiting_here")  # today's B001 waits at intake, not here


def test_the_holder_is_told_when_the_promised_date_was_missed(hall: Any) -> None:
    """The holder's page said 承诺办结时间 09-30 on 10-12 as if all were well, and a case
    approved three days late read as one on time: `late` says which, and both pages say it."""
    server, clock = hall
    ticket, post = _in_approval(server, 7)
    assert _view(server, ticket["id"])["late"] is None  # Monday: within its time
    clock.set(2026, 3, 13, 10)  # Friday: past it, still in approval
    assert _view(server, ticket["id"])["late"] == "open"
    page = httpx.get(f"{server.url}/t/{ticket['id']}").text
    assert "已超过承诺办结时间" in page and "Past the promised date" in page
    post = staff_client(server, "W03", "s002")
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))  # approved, late
    assert _view(server, ticket["id"])["late"] == "done"
    assert "晚于承诺时间办结" in httpx.get(f"{server.url}/t/{ticket['id']}").text
    on_time, post = _in_approval(server, 8)
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))
    assert _view(server, on_time["id"])["late"] is None
    assert "承诺" in httpx.get(f"{server.url}/t/{on_time['id']}").text
    assert "晚于承诺" not in httpx.get(f"{server.url}/t/{on_time['id']}").text


def test_a_paused_post_answers_what_it_holds_and_a_served_case_is_not_recalled(
        hall: Any) -> None:
    """The pause answer listed `held: []` while the post held a case (GET said it held one);
    a recall while a case was being served said 本窗口当前没有号 beside it."""
    server, _clock = hall
    ticket, post = _in_approval(server, 9)
    ok(post.post("/counters/W03/start"))
    answer = post.post("/counters/W03/recall")
    refused(answer, 409, "no_current_ticket")
    assert "正在办理中" in answer.json()["error"]["message"]
    ok(post.post("/counters/W03/hold"))
    paused = ok(post.post("/counters/W03/pause", json={"reason": "等待补正材料"}))
    assert [h["id"] for h in paused["held"]] == [ticket["id"]]
    assert [h["id"] for h in ok(post.get("/counters/W03"))["held"]] == [ticket["id"]]
