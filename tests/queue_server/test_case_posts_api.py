"""The console's cases, live hall and exports over real HTTP on a server process (an outside
check of a supervisor's day): a case a counter pad transfers from intake to an approval post
keeps its 受理人, stays in 全程盯办 and, with nobody signed in at that post, is flagged in
GET /cases, the live hall and the cases export; the follow-ups export has each record once."""

from __future__ import annotations

import csv
import io

import httpx

from tests.queue_server.conftest import Hall
from tests.queue_server.test_supervision_api import bad_rating, supervisor


def read_csv(resp: httpx.Response) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def test_a_case_transferred_to_an_approval_post(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    ticket = hall.issue(kiosk, "case", id_card={"number": "150102198001011234",
                                                "name": "王小明"})
    pad = hall.staff("W01", "s001")
    assert pad.post("/counters/W01/call-next").json()["id"] == ticket["id"]
    assert pad.post("/counters/W01/start").status_code == 200
    moved = pad.post("/counters/W01/transfer", json={"counter": "W03"})
    assert moved.status_code == 200 and moved.json()["zone"] == "approval", moved.text

    mine = pad.get("/cases/mine").json()
    assert [(m["ticket"], m["zone"]) for m in mine] == [(ticket["id"], "approval")]
    c = supervisor(hall)
    [row] = c.get("cases").json()
    assert (row["intake_staff"], row["intake_staff_name"]) == ("s001", "王丽")
    assert (row["waiting_at"], row["unstaffed"]) == ("W03", True)
    w03 = next(x for x in c.get("console/live").json()["counters"] if x["code"] == "W03")
    assert (w03["state"], w03["held"]) == ("closed", 1)
    rows = read_csv(c.get("export/cases", params={"format": "csv"}))
    header = rows[0]
    assert rows[1][header.index("受理人 / Taken in by")] == "王丽"
    assert rows[1][header.index("待办窗口 / Waiting at")] == "W03"
    assert rows[1][header.index("窗口无人值守 / Post unstaffed")] == "是"

    hall.staff("W03", "s002")  # someone signs in at the post
    [row] = c.get("cases").json()
    assert (row["waiting_at"], row["unstaffed"]) == ("W03", False)


def test_the_follow_ups_export_has_each_record_once(hall: Hall) -> None:
    _, rated = bad_rating(hall)
    c = supervisor(hall)
    fid = rated["followup"]
    for step, body in (("verify", {"valid": True, "note": "属实"}),
                       ("rectify", {"note": "已整改"}), ("reply", {"note": "已回复群众"})):
        assert c.post(f"followups/{fid}/{step}", json=body).status_code == 200
    rows = read_csv(c.get("export/followups", params={"format": "csv", "open": "false"}))
    header = rows[0]
    assert len(header) == len(set(header))
    labels = [h.split(" / ")[0] for h in header]
    assert len(labels) == len(set(labels)), header
    assert rows[1].count("已回复群众") == 1, rows
    assert rows[1][header.index("回复情况 / Reply note")] == "已回复群众"


def test_the_console_asks_who_is_signed_in_without_a_401(hall: Hall) -> None:
    """The login page asked GET /console/me first and logged a 401 before anyone signed in;
    it asks GET /console/session, which answers 200 either way. /console/me is as before."""
    from tests.queue_server.test_console_auth import console

    c = console(hall)
    fresh = c.get("/api/v1/console/session")
    assert fresh.status_code == 200 and fresh.json() == {"signed_in": False, "me": None}
    assert c.get("/api/v1/console/me").status_code == 401  # old clients: unchanged
    c.cookies.set("kb_console", "kbc_ended")  # a session that ended
    ended = c.get("/api/v1/console/session")
    assert ended.status_code == 200 and ended.json()["signed_in"] is False
    assert "kb_console=" in ended.headers.get("set-cookie", "")  # the dead cookie cleared
    c.cookies.clear()
    login = c.post("/api/v1/console/login", json={"staff": "s003", "pin": "1234",
                                                  "hall": hall.id})
    assert login.status_code == 200, login.text
    state = c.get("/api/v1/console/session").json()
    assert state["signed_in"] is True and state["me"] == c.get("/api/v1/console/me").json()
    assert state["me"]["csrf"] == login.json()["csrf"]
    bad = httpx.get(hall.server.api("/console/session"), headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401  # a script's wrong token is still refused
