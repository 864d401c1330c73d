"""What a counter's own staff session reads of its queue (v1.2), through the HTTP API of an
in-process server whose clock the test sets (SQLite and PostgreSQL): a deadline's working days
left (`workdays_left`, on the hall's calendar: weekends, holidays and its closed days) in the
counter's current ticket; the approval counter's cases due today or overdue
(`GET /counters/{code}/deadlines`: its services and its holds only, nothing of another counter
or hall), there from the first read of a pad that starts after the alerts were sent; and the
pickup counter's count of cases to mail (`GET /counters/{code}/to-mail-count`), counted without
reading a sealed address."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from server_process.hall import init_hall
from tests.queue_server.conftest import PIN, set_all_pins
from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, database, enrol, ok, refused

HALL = """
[hall]
id = "{id}"
name = "测试政务服务中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{{number}}号到{{counter}}办理"
closed_days = [{closed}]

[[services]]
code = "case"
name = "企业开办"
prefix = "B"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 2
mail_delivery = true

[[services]]
code = "permit"
name = "施工许可"
prefix = "C"
route = ["intake", "approval"]
time_limit_workdays = 1

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["case", "permit"]

[[counters]]
code = "W03"
name = "审批1"
zone = "approval"
services = ["case"]

[[counters]]
code = "W05"
name = "审批2"
zone = "approval"
services = ["case", "permit"]

[[counters]]
code = "W04"
name = "出件窗口"
zone = "pickup"
services = ["case"]
""" + "".join(f"""
[[staff]]
id = "{s}"
name = "员工{s}"
role = "staff"
""" for s in ("s001", "s002", "s003", "s004"))
STAFF_AT = {"W01": "s001", "W03": "s002", "W05": "s003", "W04": "s004"}
ADDRESS = "内蒙古巴彦淖尔市杭锦后旗陕坝镇光明街12号"
Queue = tuple[InProcServer, Clock]


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    """Hall q1 (closed on Monday 2026-03-09, besides the weekends) and hall q2 (same services,
    no closed day) on one in-process server; the clock starts Thursday 2026-03-05 10:00."""
    with database(request.param, tmp_path) as url:
        init_hall(url, HALL.format(id="q1", closed='"2026-03-09"'))
        init_hall(url, HALL.format(id="q2", closed=""))
        set_all_pins(url)
        clock = Clock(datetime(2026, 3, 5, 10, tzinfo=HALL_TZ))
        server = InProcServer(url, clock)
        yield server, clock
        server.stop()
        server.store.close()




def desk(server: InProcServer, counter: str, hall: str = "q1") -> httpx.Client:
    """A staff session at `counter`, logged in now (a session lasts hours; the test's clock
    moves days)."""
    terminal = server.client(enrol(server.store.url, "counter",
                                   f"pad-{counter}-{uuid.uuid4().hex[:6]}", counter, hall))
    out = ok(terminal.post("/auth/login", json={"staff": STAFF_AT[counter], "pin": PIN,
                                                "counter": counter}))
    terminal.headers["Authorization"] = f"Bearer {out['token']}"
    return terminal


def to_approval(server: InProcServer, hall: str = "q1", service: str = "case",
                mail: bool = False) -> dict[str, Any]:
    """A case taken in at W01 now and moved on to approval; answers its ticket."""
    kiosk = server.client(enrol(server.store.url, "kiosk", f"k-{uuid.uuid4().hex[:6]}",
                                hall=hall))
    ticket = ok(kiosk.post("/tickets", json={"service": service}), 201)
    intake = desk(server, "W01", hall)
    assert ok(intake.post("/counters/W01/call-next"))["id"] == ticket["id"]
    if mail:
        ok(intake.post(f"/tickets/{ticket['id']}/delivery", json={
            "method": "mail", "recipient": "张三", "address": ADDRESS}))
    ok(intake.post("/counters/W01/finish", json={"outcome": "next"}))
    return dict(ticket)


def listed(client: httpx.Client, counter: str) -> list[tuple[str, str, int, str | None]]:
    return [(c["number"], c["state"], c["workdays_left"], c["counter"])
            for c in ok(client.get(f"/counters/{counter}/deadlines"))]


def test_working_days_left_and_the_approval_counter_s_deadlines(queue: Queue) -> None:
    server, clock = queue
    other = to_approval(server)  # Thursday: due the 2nd working day after, Tuesday 03-10
    assert ok(desk(server, "W05").post("/counters/W05/call-next"))["id"] == other["id"]
    held = to_approval(server)
    waits = to_approval(server)
    permit = to_approval(server, service="permit")  # W05's alone: due Friday 03-06
    elsewhere = to_approval(server, hall="q2")  # another hall's: due Monday 03-09

    clock.set(2026, 3, 6, 10)  # Friday
    approval = desk(server, "W03")
    assert ok(approval.post("/counters/W03/call-next"))["id"] == held["id"]
    current = ok(approval.get("/counters/W03"))["current"]
    assert current["deadline"].startswith("2026-03-10T15:59:59")
    # Saturday, Sunday and the hall's closed Monday are no working days: 1 left, not 4
    assert current["workdays_left"] == 1
    assert ok(approval.get(f"/tickets/{held['id']}"))["workdays_left"] is None  # not there
    assert listed(approval, "W03") == []  # nothing of its queue is due yet
    assert listed(desk(server, "W05"), "W05") == [(permit["number"], "due_today", 0, None)]

    clock.set(2026, 3, 10, 9)  # Tuesday: the cases of Thursday are due today
    approval = desk(server, "W03")
    assert ok(approval.get("/counters/W03"))["current"]["workdays_left"] == 0
    assert listed(approval, "W03") == [(held["number"], "due_today", 0, "W03"),
                                       (waits["number"], "due_today", 0, None)]

    clock.set(2026, 3, 16, 9)  # the next Monday: overdue by Wed, Thu, Fri, Mon (6 days)
    approval = desk(server, "W03")
    assert ok(approval.get("/counters/W03"))["current"]["workdays_left"] == -4
    rows = ok(approval.get("/counters/W03/deadlines"))
    # its hold and the case waiting in its service; not `other` (held by W05), not the
    # permit (a service W03 does not serve), nothing of hall q2
    assert [(r["number"], r["state"], r["workdays_left"], r["counter"], r["status"])
            for r in rows] == [(held["number"], "overdue", -4, "W03", "called"),
                               (waits["number"], "overdue", -4, None, "waiting")]
    assert {other["id"], permit["id"], elsewhere["id"]}.isdisjoint(r["ticket"] for r in rows)
    assert rows[0]["deadline"].startswith("2026-03-10T15:59:59")
    assert rows[0]["deadline_provisional"] is False
    assert [r[0] for r in listed(desk(server, "W05"), "W05")] == [
        permit["number"], other["number"], waits["number"]]  # overdue by Fri; W05 holds other
    assert [r[0] for r in listed(desk(server, "W03", "q2"), "W03")] == [elsewhere["number"]]
    assert listed(desk(server, "W01"), "W01") == []  # an intake counter has none


def test_a_case_sent_to_another_counter_or_on_hold_is_listed_where_it_is(queue: Queue) -> None:
    server, clock = queue
    sent = to_approval(server)
    kept = to_approval(server)
    clock.set(2026, 3, 11, 9)  # Wednesday: both overdue by one working day
    w05 = desk(server, "W05")
    assert ok(w05.post("/counters/W05/call-next"))["id"] == sent["id"]
    ok(w05.post("/counters/W05/transfer", json={"counter": "W03"}))  # now sent to W03
    assert ok(w05.post("/counters/W05/call-next"))["id"] == kept["id"]
    ok(w05.post("/counters/W05/hold"))
    assert listed(w05, "W05") == [(kept["number"], "overdue", -1, "W05")]
    assert listed(desk(server, "W03"), "W03") == [(sent["number"], "overdue", -1, None)]


def test_only_the_counter_s_own_staff_session_reads_its_queue(queue: Queue) -> None:
    server, _clock = queue
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-auth", hall="q1"))
    terminal = server.client(enrol(server.store.url, "counter", "pad-W03-auth", "W03", "q1"))
    intake = desk(server, "W01")
    for path in ("/counters/W03/deadlines", "/counters/W04/to-mail-count"):
        refused(kiosk.get(path), 403, "staff_session_required")
        refused(terminal.get(path), 403, "staff_session_required")  # not logged in
        refused(intake.get(path), 403, "not_your_counter")
        refused(server.client().get(path), 401, "unauthorized")


def test_the_count_of_cases_to_mail_reads_no_address(queue: Queue) -> None:
    server, clock = queue
    mailed = [to_approval(server, mail=True) for _ in range(2)]
    to_approval(server)  # collected at the hall: not counted
    clock.set(2026, 3, 6, 10)
    approval = desk(server, "W03")
    for _ in range(3):
        ok(approval.post("/counters/W03/call-next"))
        ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    pickup = desk(server, "W04")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lower())

    event.listen(server.store.reader, "before_cursor_execute", seen)
    try:
        assert ok(pickup.get("/counters/W04/to-mail-count")) == {"count": 2}
        counted = list(statements)
        statements.clear()
        rows = ok(pickup.get("/deliveries/to-mail"))
    finally:
        event.remove(server.store.reader, "before_cursor_execute", seen)
    assert sorted(r["ticket"] for r in rows) == sorted(t["id"] for t in mailed)
    assert rows[0]["address"] == ADDRESS
    assert any("deliveries" in s for s in counted)  # it was counted in the database...
    assert not any("contact" in s for s in counted)  # ...without reading a sealed contact
    assert any("contact" in s for s in statements)  # (as the list must, to show it)
    ok(pickup.post(f"/tickets/{mailed[0]['id']}/dispatch", json={"tracking": "EA123456789CN"}))
    assert ok(pickup.get("/counters/W04/to-mail-count")) == {"count": 1}
    assert ok(desk(server, "W04", "q2").get("/counters/W04/to-mail-count")) == {"count": 0}
