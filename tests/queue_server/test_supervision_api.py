"""Supervision over HTTP on a real server process: the follow-up steps from the console's
cookie (with CSRF), an appeal from the rated staff member's counter session, 全程盯办 for the
counter pad, the live hall, 4xx with a code for bad input, and every table as CSV and XLSX
(read back with openpyxl; a citizen's comment that looks like a formula stays text)."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from tests.queue_server.conftest import PIN, Hall
from tests.queue_server.test_console_auth import console

TABLES = ("queues", "counters", "terminals", "faults", "cases", "ratings", "followups",
          "appeals")


def supervisor(hall: Hall) -> httpx.Client:
    c = console(hall)
    resp = c.post("/api/v1/console/login", json={"staff": "s003", "pin": PIN, "hall": hall.id})
    assert resp.status_code == 200, resp.text
    c.headers["X-CSRF-Token"] = resp.json()["csrf"]
    c.base_url = httpx.URL(hall.server.api("/"))
    return c


def bad_rating(hall: Hall) -> tuple[httpx.Client, dict]:
    """A general ticket served by s001 at W01, rated 1 from the pad; answers (s001's pad,
    the rating)."""
    kiosk = hall.client(hall.enrol("kiosk"))
    ticket = hall.issue(kiosk)
    pad = hall.staff("W01", "s001")
    assert pad.post("/counters/W01/call-next").status_code == 200
    assert pad.post("/counters/W01/finish", json={"outcome": "done"}).status_code == 200
    rater = hall.client(hall.enrol("pad"))
    code = ticket["track_url"].partition("?c=")[2]  # the proof in the ticket's QR link
    rated = rater.post("/evaluations", json={"ticket": ticket["id"], "level": 1,
                                            "rating_code": code, "reasons": ["attitude"],
                                            "comment": "=1+1 态度差"})
    assert rated.status_code == 201, rated.text
    return pad, rated.json()


def test_follow_up_steps_from_the_console(hall: Hall) -> None:
    _, rated = bad_rating(hall)
    c = supervisor(hall)
    item = c.get("followups").json()[0]
    assert item["step"] == "verify" and item["steps"][0]["step"] == "verify"
    fid = rated["followup"]
    wrong = c.post(f"followups/{fid}/reply", json={"note": "x"})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "wrong_step"
    empty = c.post(f"followups/{fid}/verify", json={"valid": True, "note": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid_request"
    ok = c.post(f"followups/{fid}/verify", json={"valid": True, "note": "属实"})
    assert ok.status_code == 200 and ok.json()["step"] == "rectify"
    no_csrf = httpx.post(hall.server.api(f"/followups/{fid}/rectify"), json={"note": "x"},
                         cookies=c.cookies)
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    assert c.post(f"followups/{fid}/rectify", json={"note": "已整改"}).json()["step"] == "reply"
    closed = c.post(f"followups/{fid}/reply", json={"note": "已回复群众"}).json()
    assert closed["step"] == "closed" and closed["closed_at"]
    assert c.get("followups").json() == []
    assert c.get("followups", params={"open": "false"}).json()[0]["note"] == "已回复群众"


def test_the_old_close_still_closes_the_whole_follow_up(hall: Hall) -> None:
    _, rated = bad_rating(hall)
    sup = hall.staff("W03", "s003")  # an old client: a supervisor's Bearer session
    resp = sup.post(f"/followups/{rated['followup']}/close", json={"note": "已处理"})
    assert resp.status_code == 200 and resp.json()["closed_at"] and resp.json()["note"] == "已处理"
    assert [s["step"] for s in resp.json()["steps"]] == ["verify", "rectify", "reply"]
    again = sup.post(f"/followups/{rated['followup']}/close", json={"note": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_closed"


def test_appeal_from_the_counter_pad_decided_in_the_console(hall: Hall) -> None:
    pad, rated = bad_rating(hall)
    mine = pad.get("/evaluations/mine").json()
    assert [r["id"] for r in mine] == [rated["id"]] and mine[0]["appeal"] is None
    other = hall.staff("W02", "s002")
    refused = other.post(f"/evaluations/{rated['id']}/appeal", json={"reason": "不是我"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_rating"
    filed = pad.post(f"/evaluations/{rated['id']}/appeal", json={"reason": "群众按错了"})
    assert filed.status_code == 201, filed.text
    c = supervisor(hall)
    listed = c.get("appeals", params={"status": "open"}).json()
    assert [a["id"] for a in listed] == [filed.json()["id"]]
    typo = c.get("appeals", params={"status": "opne"})  # listed nothing, as if none were filed
    assert typo.status_code == 400 and typo.json()["error"]["code"] == "bad_filter"
    decided = c.post(f"appeals/{filed.json()['id']}/decide",
                     json={"upheld": False, "note": "评价属实"})
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert pad.get("/evaluations/mine").json()[0]["appeal"] == "rejected"
    assert pad.post(f"/evaluations/{rated['id']}/appeal", json={"reason": "再申诉"}
                    ).status_code == 409


def test_cases_mine_for_the_counter_pad_and_the_cases_list(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk, "case", id_card={"number": "150102198001011234", "name": "王小明"})
    pad = hall.staff("W01", "s001")
    pad.post("/counters/W01/call-next")
    assert pad.post("/counters/W01/finish", json={"outcome": "next"}).status_code == 200
    mine = pad.get("/cases/mine").json()
    assert mine[0]["ticket"] == t["id"] and mine[0]["zone"] == "approval"
    assert mine[0]["state"] == "on_track" or mine[0]["state"] in ("soon", "due_today")
    assert pad.get("/cases").status_code == 403  # the list of all cases is a supervisor's
    rows = supervisor(hall).get("cases").json()
    assert rows[0]["number"] == t["number"] and rows[0]["intake_staff"] == "s001"
    assert "150102" not in str(rows) and "王小明" not in str(rows)


def test_live_hall_and_bad_filters(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    hall.issue(kiosk)
    c = supervisor(hall)
    body = c.get("console/live").json()
    assert body["queues"][0]["waiting"] == 1 and body["hall"] == hall.id
    for params in ({"from": "2026-13-01"}, {"level": "9"}, {"from": "2026-12-05",
                                                              "to": "2026-12-01"}):
        resp = c.get("ratings", params=params)
        assert resp.status_code == 400, params
        assert resp.json()["error"]["code"] in ("bad_filter", "bad_period")
    assert c.get("export/nothing").json()["error"]["code"] == "unknown_table"
    assert c.get("export/ratings", params={"format": "pdf"}).status_code == 400


def test_the_night_s_device_faults_are_listed_with_their_times(hall: Hall) -> None:
    """The live hall showed a terminal as it is now: a printer out of paper at night and
    refilled in the morning left no trace for the supervisor. /console/faults lists each fault
    with when it began and ended (or that it goes on), newest first; its table exports."""
    kiosk = hall.client(hall.enrol("kiosk"))
    for devices in ({"printer": "ok", "idcard": "ok"}, {"printer": "paper_out", "idcard": "ok"},
                    {"printer": "ok", "idcard": "ok"}, {"printer": "ok", "idcard": "offline"}):
        sent = kiosk.post("terminals/heartbeat", json={"devices": devices})
        assert sent.status_code == 204, sent.text
    c = supervisor(hall)
    rows = c.get("console/faults").json()
    mine = [r for r in rows if r["terminal"] == rows[0]["terminal"]]
    assert [(r["device"], r["state"], r["ended_at"] is None) for r in mine] == [
        ("idcard", "offline", True), ("printer", "paper_out", False)]
    assert mine[1]["began_at"] <= mine[1]["ended_at"] and mine[0]["kind"] == "kiosk"
    for hours in ("0", "999", "x", " 3", "+5", "1_0", "５"):
        bad = c.get("console/faults", params={"hours": hours})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_hours", hours
    text = c.get("export/faults", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "打印机缺纸" in text and "身份证读卡器离线" in text and "仍未恢复" in text
    # a loose cable: the camera comes and goes; one row, not one a flap (300 flaps pushed the
    # night's printer fault off a list of 300)
    flaky = hall.client(hall.enrol("kiosk"))
    for state in ("ok", "offline", "ok", "offline", "ok", "offline", "ok"):
        assert flaky.post("terminals/heartbeat", json={"devices": {"camera": state}}
                          ).status_code == 204
    rows = [r for r in c.get("console/faults").json() if r["device"] == "camera"]
    assert [(r["times"], r["ended_at"] is not None) for r in rows] == [(3, True)]


@pytest.mark.parametrize("name", TABLES)
def test_every_table_exports_as_csv_and_xlsx(hall: Hall, name: str) -> None:
    bad_rating(hall)
    c = supervisor(hall)
    got = c.get(f"export/{name}", params={"format": "csv"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    xlsx = c.get(f"export/{name}", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(rows) and cells[0] == rows[0] and " / " in rows[0][0]
    if name == "ratings":
        comment = rows[0].index("意见 / Comment")
        assert rows[1][comment] == "'=1+1 态度差" and cells[1][comment] == "'=1+1 态度差"
        assert rows[1][rows[0].index("评价 / Level")] == "1 非常不满意"


def test_the_counter_pads_client_lists_cases_and_ratings_and_appeals(hall: Hall) -> None:
    from kiosk.client import ApiError, QueueClient

    _, rated = bad_rating(hall)
    client = QueueClient(hall.server.url, hall.enrol("counter", "pad-client", "W01"))
    try:
        client.login("s001", PIN, "W01")
        assert [r.id for r in client.my_ratings()] == [rated["id"]]
        assert client.my_cases() == []  # a general ticket: nothing went on to approval
        out = client.appeal(rated["id"], "群众按错了")
        assert out.status == "open" and out.staff == "s001"
        with pytest.raises(ApiError) as again:
            client.appeal(rated["id"], "再次申诉")
        assert again.value.code == "already_appealed"
    finally:
        client.close()


def test_scripts_use_an_administrator_token_with_the_hall(hall: Hall) -> None:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import make_admin_token

    bad_rating(hall)
    store = Store(hall.db_url)
    try:
        admin = hall.client(make_admin_token(store))
    finally:
        store.close()
    params = {"hall": hall.id}
    assert admin.get("/console/live", params=params).json()["hall"] == hall.id
    assert len(admin.get("/ratings", params=params).json()) == 1
    fid = admin.get("/followups", params=params).json()[0]["id"]
    step = admin.post(f"/followups/{fid}/verify", json={"valid": False, "note": "误评"})
    assert step.status_code == 200 and step.json()["steps"][0]["done_by"] == "admin"
    got = admin.get("/export/followups", params={**params, "format": "csv", "open": "false"})
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert got.status_code == 200 and len(rows) == 2
    assert rows[1][rows[0].index("当前步骤 / Step")] == "回复"  # not valid: straight to reply


def test_a_bearer_session_is_told_when_it_ends(hall: Hall) -> None:
    """/console/me said `expires_at: null` to a supervisor's Bearer staff session, which ends
    12 hours after its login as the cookie's does; an administrator's token does not end."""
    sup = hall.staff("W03", "s003")
    me = sup.get("/console/me")
    assert me.status_code == 200, me.text
    assert me.json()["expires_at"] is not None
    assert hall.admin().get("/console/me", params={"hall": hall.id}).json()["expires_at"] is None
