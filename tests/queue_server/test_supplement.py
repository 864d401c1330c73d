"""补正 through the HTTP API (in-process server, injected clock, SQLite and PostgreSQL): an
approval post sends a case back for the papers missing, told at once (一次性告知); the case
waits in intake for its holder with its time limit stopped, and goes back into approval with
its promised date moved on by the working days it waited."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from queue_server.api.track_bands import MN
from queue_server.db.models import Hall, OutboxRow
from queue_server.usecases import cases, halls, remote
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
from tests.queue_server.test_back_office import _in_approval, _view

PAPERS = ('materials = ["营业执照申请书", "法定代表人身份证明", "公司章程", "住所使用证明"]\n'
          'materials_en = ["Application", "Proof of the legal representative", '
          '"Articles of association", "Proof of the address"]\n')


def _hall(kind: str, tmp_path: Path, period: int = 0) -> Any:
    """The journey's hall with the papers lists and a supervisor (and `period`: the hall's
    补正期限, `supplement_workdays`), on a clock set to Monday 2026-03-09 09:00."""
    text = JOURNEY_HALL.read_text(encoding="utf-8").replace(
        'mail_delivery = true\n', 'mail_delivery = true\n' + PAPERS, 1)
    if period:  # and a second approval post, of another service
        text = text.replace("priority_age = 70\n", f"priority_age = 70\nsupplement_workdays = "
                            f"{period}\n", 1)
        text += ('\n[[services]]\ncode = "permit"\nname = "许可"\nprefix = "P"\n'
                 'route = ["intake", "approval"]\n\n[[counters]]\ncode = "W05"\n'
                 'name = "审批2"\nzone = "approval"\nservices = ["permit"]\n')
    text += '\n[[staff]]\nid = "s002"\nname = "李强"\nrole = "supervisor"\n'
    config = tmp_path / "supplement.toml"
    config.write_text(text, encoding="utf-8")
    with database(kind, tmp_path) as url:
        clock = Clock(datetime(2026, 3, 9, 9, tzinfo=HALL_TZ))  # Monday
        server = InProcServer(journey_db(tmp_path, config=config, url=url), clock)
        yield server, clock
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    yield from _hall(request.param, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall_with_period(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    yield from _hall(request.param, tmp_path, period=3)


def _local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(HALL_TZ)


def test_papers_sent_back_stop_the_clock_and_move_the_promised_date(hall: Any) -> None:
    server, clock = hall
    ticket, post = _in_approval(server, 1)
    promised = _local(_view(server, ticket["id"])["deadline"])
    assert promised.date().isoformat() == "2026-03-11"  # two working days after Monday
    sent = ok(post.post("/counters/W03/supplement", json={
        "papers": ["公司章程", "住所使用证明"], "note": "章程须全体股东签字"}))
    assert sent["status"] == "supplement" and sent["zone"] == "intake"
    asked = sent["journey"][-2]
    assert (asked["zone"], asked["outcome"]) == ("approval", "supplement")
    assert asked["papers"] == ["公司章程", "住所使用证明"] and asked["reason"] == "章程须全体股东签字"
    assert ok(post.get("/counters/W03"))["current"] is None  # the post is free
    assert post.post("/counters/W03/call-next").status_code == 204  # nothing left in approval
    intake = staff_client(server, "W01")
    assert intake.post("/counters/W01/call-next").status_code == 204  # waits for its holder
    page = httpx.get(f"{server.url}/t/{ticket['id']}").text
    assert "待补正" in page and "公司章程" in page and "Articles of association" in page
    assert "章程须全体股东签字" in page and "补正期间暂停计时" in page
    with server.store.read() as s:  # the holder is told (the hall's gateway), papers named
        told = s.execute(select(OutboxRow.kind, OutboxRow.payload).where(
            OutboxRow.ticket_id == ticket["id"])).all()
    assert [(k, p["papers"]) for k, p in told] == [("case.supplement", ["公司章程", "住所使用证明"])]
    assert "章程须全体股东签字" not in str(told)  # the note stays on the holder's own pages

    clock.set(2026, 3, 12, 10)  # Thursday: past the first promise, the clock stopped
    remote.expire_unclaimed(server.store)  # the rollover's sweep of unclaimed numbers
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-thursday"))
    again = kiosk.post("/tickets", json={"service": "case", "id_card": person(61)})
    refused(again, 409, "papers_due")  # no second application beside the one waiting
    assert again.json()["error"]["number"] == ticket["number"]
    view = _view(server, ticket["id"])
    assert view["status"] == "supplement" and view["late"] is None
    supervisor = staff_client(server, "W03", "s002")
    rows = [r for r in ok(supervisor.get("/cases")) if r["ticket"] == ticket["id"]]
    assert [(r["state"], r["status"]) for r in rows] == [("supplement", "supplement")]
    kpi = ok(supervisor.get("/reports/kpi", params={"from": "2026-03-09", "to": "2026-03-12"}))
    assert kpi["overdue_open"] == 0, kpi  # not overdue while the papers are missing
    found = ok(kiosk.post("/tickets/lookup", json={"id_card": person(61)}))
    assert [t["id"] for t in found] == [ticket["id"]]
    back = ok(kiosk.post(f"/tickets/{ticket['id']}/arrive"))
    assert back["number"] == "B001" and not back["arrival_required"]  # Thursday's first
    rows = [r for r in ok(supervisor.get("/cases")) if r["ticket"] == ticket["id"]]
    assert [(r["state"], r["status"]) for r in rows] == [("supplement", "papers_in")]
    assert _view(server, ticket["id"])["supplement"]["checked_in"]  # its page keeps the list
    intake = staff_client(server, "W01")
    called = ok(intake.post("/counters/W01/call-next"))
    assert called["id"] == ticket["id"] and called["status"] == "called"
    ok(intake.post("/counters/W01/recall"))
    ok(intake.post("/counters/W01/recall"))
    missed = ok(intake.post("/counters/W01/no-show"))  # stepped out: the case is not lost
    assert missed["status"] == "supplement" and missed["arrival_required"]
    ok(kiosk.post(f"/tickets/{ticket['id']}/arrive"))  # back again, the same day
    assert ok(intake.post("/counters/W01/call-next"))["id"] == ticket["id"]
    for outcome in ("done", "rejected"):  # accepted days ago: approval decides it, not intake
        refused(intake.post("/counters/W01/finish", json={"outcome": outcome,
                                                          "reason": "材料不全"}), 409,
                "back_to_approval")
    ok(intake.post("/counters/W01/finish", json={"outcome": "next"}))
    view = _view(server, ticket["id"])
    # Tuesday, Wednesday and Thursday waited for the papers: three working days more
    assert view["zone"] == "approval" and view["late"] is None
    assert _local(view["deadline"]).date().isoformat() == "2026-03-16"
    post = staff_client(server, "W03", "s002")
    assert ok(post.post("/counters/W03/call-next"))["id"] == ticket["id"]
    refused(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}), 409,
            "supplement_once")  # told at once: decide on what the case has
    ok(post.post("/counters/W03/finish", json={"outcome": "next"}))
    kpi = ok(post.get("/reports/kpi", params={"from": "2026-03-09", "to": "2026-03-12"}))
    assert kpi["on_time_rate"] == 1.0, kpi  # decided on Thursday, within the moved date
    # its holder waited at home, not at the counter: the intake wait is from the check-in
    # (the p90 of the waits was three days)
    assert kpi["wait_s"]["p90"] is not None and kpi["wait_s"]["p90"] < 3600, kpi


def test_a_papers_request_pressed_by_mistake_is_taken_back_untold(hall: Any) -> None:
    """补正 pressed by mistake: within the undo window the post serves the case again, its
    holder never told (the message waits out the window) and the once-a-case rule unspent."""
    server, clock = hall
    ticket, post = _in_approval(server, 4)
    ok(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}))
    with server.store.read() as s:
        due = s.execute(select(OutboxRow.next_at).where(
            OutboxRow.ticket_id == ticket["id"])).scalar_one()
    assert due > clock.now  # not sent before the undo window ends
    back = ok(post.post("/counters/W03/undo-finish"))
    assert back["status"] == "serving" and back["zone"] == "approval"
    assert back["journey"][-1]["outcome"] is None and back["journey"][-1]["papers"] is None
    with server.store.read() as s:
        assert s.execute(select(OutboxRow.id).where(
            OutboxRow.ticket_id == ticket["id"])).all() == []  # never told
    ok(post.post("/counters/W03/supplement", json={"papers": ["住所使用证明"]}))  # unspent
    clock.advance(seconds=20)
    refused(post.post("/counters/W03/undo-finish"), 409, "nothing_to_undo")


def test_a_case_whose_papers_never_came_is_taken_back_by_the_post(hall: Any) -> None:
    """逾期未补正: nothing closed a case whose holder never came back. The approval post calls
    it by its number (叫指定号), its clock running again with the days waited added, and
    decides on what it has: here it rejects it with its reason."""
    server, clock = hall
    ticket, post = _in_approval(server, 5)
    ok(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}))
    clock.set(2026, 3, 20, 10)  # the Friday after: nobody came
    post = staff_client(server, "W03", "s002")
    called = ok(post.post("/counters/W03/call", json={"number": ticket["number"]}))
    assert called["id"] == ticket["id"] and called["zone"] == "approval"
    assert called["status"] == "called"
    # sent back Monday the 9th: the nine working days to Friday the 20th added to Wednesday's
    assert _local(called["deadline"]).date().isoformat() == "2026-03-24"
    ok(post.post("/counters/W03/finish", json={"outcome": "rejected",
                                               "reason": "逾期未补正,视为撤回申请"}))
    view = _view(server, ticket["id"])
    assert view["status"] == "rejected" and view["supplement"] is None
    assert "逾期未补正" in httpx.get(f"{server.url}/t/{ticket['id']}").text


def test_an_overdue_case_is_not_sent_back(hall: Any) -> None:
    """Sent back once late, an overdue case left the overdue list and the figures: the clock
    stops within the time limit only."""
    server, clock = hall
    _ticket, post = _in_approval(server, 3)
    clock.set(2026, 3, 13, 10)  # Friday: past Wednesday's promise
    post = staff_client(server, "W03", "s002")
    assert ok(post.get("/counters/W03"))["current"] is not None
    refused(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}), 409,
            "past_deadline")
    kpi = ok(post.get("/reports/kpi", params={"from": "2026-03-09", "to": "2026-03-13"}))
    assert kpi["overdue_open"] == 1, kpi


def test_papers_back_the_same_day_move_nothing_and_bad_requests_lose_nothing(
        hall: Any) -> None:
    server, _clock = hall
    ticket, post = _in_approval(server, 2)
    promised = _view(server, ticket["id"])["deadline"]
    for body, code in (({}, "papers_needed"), ({"papers": [" "], "note": " "}, "papers_needed")):
        answer = post.post("/counters/W03/supplement", json=body)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    assert post.post("/counters/W03/supplement", json={"papers": ["x"], "what": 1}
                     ).status_code == 422
    too_long = post.post("/counters/W03/supplement", json={"papers": ["x" * 101]})
    assert too_long.status_code == 422 and "100 characters" in too_long.text
    assert ok(post.get("/counters/W03"))["current"]["id"] == ticket["id"]  # still here
    intake = staff_client(server, "W01")
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-other"))
    other = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(90)}), 201)
    assert ok(intake.post("/counters/W01/call-next"))["id"] == other["id"]
    refused(intake.post("/counters/W01/supplement", json={"papers": ["公司章程"]}), 409,
            "not_in_approval")
    ok(intake.post("/counters/W01/finish", json={"outcome": "done"}))
    ok(post.post("/counters/W03/supplement", json={"note": "申请书缺少签字"}))
    ok(kiosk.post(f"/tickets/{ticket['id']}/arrive"))
    assert ok(intake.post("/counters/W01/call-next"))["number"] == ticket["number"]
    # call-next with the papers taken in hands the case back to approval: never `done`
    later = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    assert ok(intake.post("/counters/W01/call-next"))["id"] == later["id"]
    view = _view(server, ticket["id"])
    assert view["zone"] == "approval" and view["status"] == "waiting"
    assert view["deadline"] == promised


def test_papers_not_brought_in_the_halls_period_are_listed_for_the_post(
        hall_with_period: Any) -> None:
    """补正期限: the hall gives three working days. The holder is told the date (pages,
    message); past it without the papers the case is 逾期未补正 on the console and on the
    approval post's deadline list, with one alert, until its holder checks in or the post
    calls it back by its number."""
    server, clock = hall_with_period
    first, post = _in_approval(server, 6)
    sent = ok(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}))
    asked = sent["journey"][-2]
    assert asked["outcome"] == "supplement"
    assert _local(asked["papers_by"]).isoformat() == "2026-03-12T23:59:59+08:00"  # Thursday
    second, post = _in_approval(server, 7)
    ok(post.post("/counters/W03/supplement", json={"papers": ["住所使用证明"]}))
    with server.store.write() as tx:  # the hall's period changed since: a date told stays
        hall = tx.session.get(Hall, "j1")  # (and it lists Mongolian now: the date's band)
        hall.options = {**hall.options, "supplement_workdays": 10, "languages": ["zh", "mn"]}
    halls.forget_halls()  # (the server's cache of the hall's settings: read them again)
    view = _view(server, first["id"])["supplement"]
    assert _local(view["bring_by"]).date().isoformat() == "2026-03-12" and not view["lapsed"]
    page = httpx.get(f"{server.url}/t/{first['id']}").text
    assert "请于 <b>3月12日(含)</b>前递交" in page
    assert escape(MN["papers_by"].mn.replace("{d}", "2026\u2060-\u206003\u2060-\u206012")) in page  # its band
    with server.store.read() as s:
        told = s.execute(select(OutboxRow.payload).where(
            OutboxRow.ticket_id == first["id"])).scalar_one()
    assert _local(told["bring_by"]).date().isoformat() == "2026-03-12"

    clock.set(2026, 3, 12, 20)  # Thursday evening: still within it
    post = staff_client(server, "W03", "s002")
    assert ok(post.get("/counters/W03/deadlines")) == []
    assert cases.scan_alerts(server.store) == 0
    # the holder was promised Thursday: the post may not take the case back before it ends
    refused(post.post("/counters/W03/call", json={"number": first["number"]}), 409,
            "papers_not_due")

    clock.set(2026, 3, 13, 9)  # Friday: past it, nobody came
    view = _view(server, first["id"])["supplement"]
    assert view["lapsed"]
    page = httpx.get(f"{server.url}/t/{first['id']}").text
    assert "补正期限(3月12日)已过" in page
    assert escape(MN["papers_by_passed"].mn.replace(
        "{d}", "2026\u2060-\u206003\u2060-\u206012")) in page
    post = staff_client(server, "W03", "s002")
    due = ok(post.get("/counters/W03/deadlines"))
    assert {(d["number"], d["state"], d["status"], d["workdays_left"]) for d in due} == {
        (first["number"], "papers_overdue", "supplement", -1),
        (second["number"], "papers_overdue", "supplement", -1)}
    assert cases.scan_alerts(server.store) == 2
    assert cases.scan_alerts(server.store) == 0  # once a case
    alerts = [e for e in server.store.fetch_events("j1", 0, 1000) if e["type"] == "case.alert"]
    assert {(a["number"], a["kind"], a["zone"], a["counter"]) for a in alerts} == {
        (first["number"], "papers_overdue", "intake", None),
        (second["number"], "papers_overdue", "intake", None)}
    rows = {r["number"]: r for r in ok(post.get("/cases"))}
    row = rows[first["number"]]
    assert (row["state"], row["lapsed"], row["asked_by"], row["papers"]) == (
        "supplement", True, "W03", ["公司章程"])
    assert _local(row["bring_by"]).date().isoformat() == "2026-03-12"
    table = list(csv.reader(io.StringIO(post.get("/export/cases", params={"format": "csv"})
                                        .content.decode("utf-8-sig"))))
    line = next(r for r in table[1:] if r[0] == first["number"])
    assert line[table[0].index("补正材料 / Papers")] == "公司章程"
    assert line[table[0].index("逾期未补正 / Papers late")] == "是"

    other = staff_client(server, "W05", "s002")  # an approval post of another service
    assert ok(other.get("/counters/W05/deadlines")) == []
    refused(other.post("/counters/W05/call", json={"number": second["number"]}), 409,
            "counter_does_not_serve")

    kiosk = server.client(enrol(server.store.url, "kiosk", "k-friday"))
    ok(kiosk.post(f"/tickets/{first['id']}/arrive"))  # late, but the papers came
    assert [d["number"] for d in ok(post.get("/counters/W03/deadlines"))] == [second["number"]]
    intake = staff_client(server, "W01")
    assert ok(intake.post("/counters/W01/call-next"))["id"] == first["id"]
    ok(intake.post("/counters/W01/recall"))
    ok(intake.post("/counters/W01/recall"))
    assert ok(intake.post("/counters/W01/no-show"))["status"] == "supplement"  # stepped out
    assert {d["number"] for d in ok(post.get("/counters/W03/deadlines"))} == {
        first["number"], second["number"]}
    assert cases.scan_alerts(server.store) == 0  # told once a case, whatever its stages
    ok(kiosk.post(f"/tickets/{first['id']}/arrive"))  # back with the papers
    called = ok(post.post("/counters/W03/call", json={"number": second["number"]}))
    assert called["id"] == second["id"] and called["zone"] == "approval"
    assert ok(post.get("/counters/W03/deadlines")) == []
    rows = {r["ticket"]: r for r in ok(post.get("/cases"))}
    assert (rows[first["id"]]["status"], rows[first["id"]]["lapsed"]) == ("papers_in", False)
    assert rows[second["id"]]["state"] != "supplement"  # back in approval, its clock running


def test_a_number_repeated_on_another_day_is_called_by_its_case(hall_with_period: Any) -> None:
    """Numbers start again each day: Monday's C001 sent back and never brought in, and
    Friday's C001 waiting in approval, read alike, and `call {"number"}` took Friday's. The
    post's list gives each case's day, and (v1.4) `call {"number", "ticket"}` calls that very
    case."""
    server, clock = hall_with_period
    monday, post = _in_approval(server, 8)
    ok(post.post("/counters/W03/supplement", json={"papers": ["公司章程"]}))
    clock.set(2026, 3, 13, 9)  # Friday: Monday's period (to Thursday) has passed
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-friday"))
    friday = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(90)}), 201)
    assert friday["number"] == monday["number"]
    intake = staff_client(server, "W01")
    assert ok(intake.post("/counters/W01/call-next"))["id"] == friday["id"]
    ok(intake.post("/counters/W01/finish", json={"outcome": "next"}))  # waits in approval

    post = staff_client(server, "W03", "s002")
    [row] = ok(post.get("/counters/W03/deadlines"))
    assert (row["ticket"], row["day"], row["state"]) == (monday["id"], "2026-03-09",
                                                         "papers_overdue")
    assert cases.scan_alerts(server.store) == 1
    [alert] = [e for e in server.store.fetch_events("j1", 0, 1000) if e["type"] == "case.alert"]
    assert (alert["ticket"], alert["day"]) == (monday["id"], "2026-03-09")

    number = monday["number"]
    refused(post.post("/counters/W03/call", json={"number": "C999", "ticket": monday["id"]}),
            404, "unknown_ticket")  # the line's number and case must agree
    refused(post.post("/counters/W03/call", json={"number": number, "ticket": "nope"}), 404,
            "unknown_ticket")
    refused(post.post("/counters/W03/call", json={"number": number, "ticket": ""}), 422,
            "invalid_request")
    refused(post.post("/counters/W03/call", json={"number": number, "ticket": 7}), 422,
            "invalid_request")
    called = ok(post.post("/counters/W03/call", json={"number": number,
                                                      "ticket": monday["id"]}))
    assert (called["id"], called["zone"], called["status"]) == (monday["id"], "approval",
                                                                 "called")
    assert ok(post.get("/counters/W03/deadlines")) == []
    ok(post.post("/counters/W03/finish", json={"outcome": "rejected",
                                               "reason": "逾期未补正,视为撤回申请"}))
    # by its number alone, the one waiting in approval, as before
    assert ok(post.post("/counters/W03/call", json={"number": number}))["id"] == friday["id"]
    refused(post.post("/counters/W03/call", json={"number": number, "ticket": monday["id"]}),
            409, "counter_busy")
