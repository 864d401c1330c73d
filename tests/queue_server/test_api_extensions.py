"""The extensions on a real server: look-up by ID card, scanned pages, forwarding a bank
outpost's ticket to the parent hall, print failures, heartbeats and the tracking page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.queue_server.conftest import Hall

CARD = {"number": "150102198001011234", "name": "王小明"}
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
PDF = b"%PDF-1.7\n" + b"\0" * 100


def test_lookup_by_id_card_finds_only_the_holders_tickets(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    mine = hall.issue(kiosk, "case", id_card=CARD)
    hall.issue(kiosk, "case", id_card={"number": "150102198001015678", "name": "李四"})
    hall.issue(kiosk)
    found = kiosk.post("/tickets/lookup", json={"id_card": {"number": CARD["number"]}}).json()
    assert [t["id"] for t in found] == [mine["id"]]
    assert found[0]["masked_id"] == "150***********1234"
    display = hall.client(hall.enrol("display"))
    assert display.post("/tickets/lookup", json={"id_card": CARD}).status_code == 403


def test_documents_by_magic_bytes_with_limits(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk, "case")
    for data, kind in ((JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf")):
        resp = kiosk.post(f"/tickets/{t['id']}/documents", content=data,
                          headers={"Content-Type": "application/octet-stream"})
        assert resp.status_code == 201 and resp.json()["content_type"] == kind
    bad = kiosk.post(f"/tickets/{t['id']}/documents", content=b"GIF89a" + b"\0" * 10)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unsupported_document"
    huge = kiosk.post(f"/tickets/{t['id']}/documents", content=JPEG + b"\0" * (8 * 2**20))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    listed = kiosk.get(f"/tickets/{t['id']}/documents").json()
    assert [d["page"] for d in listed] == [1, 2, 3]
    assert kiosk.get(f"/documents/{listed[0]['id']}").status_code == 403  # kiosks never read back
    staff = hall.staff("W01")
    got = staff.get(f"/documents/{listed[1]['id']}")
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    assert kiosk.get(f"/tickets/{t['id']}").json()["documents"] == 3
    for _ in range(17):
        kiosk.post(f"/tickets/{t['id']}/documents", content=JPEG)
    full = kiosk.post(f"/tickets/{t['id']}/documents", content=JPEG)
    assert full.status_code == 409 and full.json()["error"]["code"] == "too_many_pages"


def test_forward_from_the_bank_outpost_to_the_parent_intake(hall: Hall) -> None:
    bank = hall.client(hall.enrol("bank"))
    assert bank.get("/hall").json()["parent"] == hall.id
    t = hall.issue(bank, "case", channel="bank", id_card=CARD)
    assert t["number"] == "B001" and t["hall"] == hall.outpost
    bank.post(f"/tickets/{t['id']}/documents", content=JPEG)
    fwd = bank.post(f"/tickets/{t['id']}/forward", json={})
    assert fwd.status_code == 201
    remote = fwd.json()
    assert remote["hall"] == hall.id and remote["zone"] == "intake" and remote["number"] == "B001"
    again = bank.post(f"/tickets/{t['id']}/forward", json={})
    assert again.status_code == 200 and again.json()["id"] == remote["id"]
    handed = bank.get(f"/tickets/{t['id']}").json()
    assert handed["journey"][-1]["outcome"] == "forwarded" and handed["status"] == "forwarded"
    assert handed["forwarded_to"] == {
        "ticket": remote["id"], "number": "B001", "hall": hall.id,
        "hall_name": handed["forwarded_to"]["hall_name"], "track_url": remote["track_url"]
        .split("?")[0], "hall_name_en": None, "hall_name_mn": None}  # the test hall gives none
    # the QR printed at the branch leads to the case in the hall
    page = httpx.get(t["track_url"], follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/t/{remote['id']}"
    w02 = hall.staff("W02")
    # waiting at intake: work for the counters, nobody on a seat (boards counted it as one)
    state = next(c for c in w02.get("/counters").json() if c["code"] == "W02")
    assert state["waiting"]["case"] >= 1 and state["waiting_away"] == {"case": 1}
    called = w02.post("/counters/W02/call-next").json()
    assert called["id"] == remote["id"] and called["masked_id"] == "150***********1234"
    assert (called["channel"], called["forwarded_from"]) == ("remote", t["id"])
    # its holder is at home, the papers came from the branch: nobody to say it to, recall or
    # pass (the board said "请B001号到2号窗口", and a no-show told them 过号 on their phone)
    for action in ("recall", "no-show"):
        refused = w02.post(f"/counters/W02/{action}")
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_in_person"
    from queue_server.db.store import Store

    store = Store(hall.db_url)
    try:
        said = [e for e in store.fetch_events(hall.id, 0, 100_000)
                if e["type"] == "ticket.called" and e["ticket"] == remote["id"]]
    finally:
        store.close()
    assert len(said) == 1 and said[0]["in_person"] is False and "text" not in said[0]
    status = httpx.get(remote["track_url"].split("?")[0]).text  # what its holder's phone says
    assert "大厅受理中" in status and "请到窗口" not in status
    pages = w02.get(f"/tickets/{remote['id']}/documents").json()
    assert len(pages) == 1 and w02.get(f"/documents/{pages[0]['id']}").content == JPEG
    kiosk = hall.client(hall.enrol("kiosk"))
    main_ticket = hall.issue(kiosk)
    refused = kiosk.post(f"/tickets/{main_ticket['id']}/forward", json={})
    assert refused.status_code == 403
    staff = hall.staff("W01", "s002")
    assert staff.post(f"/tickets/{main_ticket['id']}/forward", json={}).json()["error"][
        "code"] == "not_an_outpost_ticket"


def test_a_forwarded_case_sent_back_for_papers_calls_its_holder_in_the_hall(hall: Hall
                                                                            ) -> None:
    """补正 of a bank branch's application: its holder brings the papers to the hall, checks in
    with the branch's ticket (its QR code) at the hall's kiosk, and is called aloud there (the
    call was silent, "not in person", and the branch's ticket was 此号无需签到)."""
    bank = hall.client(hall.enrol("bank"))
    t = hall.issue(bank, "case", channel="bank", id_card=CARD)
    remote = bank.post(f"/tickets/{t['id']}/forward", json={}).json()
    w02, post = hall.staff("W02"), hall.staff("W03", "s002")
    assert w02.post("/counters/W02/call-next").json()["id"] == remote["id"]
    assert w02.post("/counters/W02/finish", json={"outcome": "next"}).status_code == 200
    assert post.post("/counters/W03/call", json={"number": remote["number"]}).status_code == 200
    sent = post.post("/counters/W03/supplement", json={"papers": ["申请书"]})
    assert sent.status_code == 200 and sent.json()["status"] == "supplement"
    kiosk = hall.client(hall.enrol("kiosk"))
    back = kiosk.post(f"/tickets/{t['id']}/arrive")  # the branch's ticket, at the hall
    assert back.status_code == 200 and back.json()["id"] == remote["id"]
    called = w02.post("/counters/W02/call-next").json()
    assert called["id"] == remote["id"]
    assert w02.post("/counters/W02/recall").status_code == 200  # somebody is here to recall
    from queue_server.db.store import Store

    store = Store(hall.db_url)
    try:
        said = [e for e in store.fetch_events(hall.id, 0, 100_000)
                if e["type"] in ("ticket.called", "ticket.recalled") and e["ticket"] == remote["id"]]
    finally:
        store.close()
    assert [e.get("in_person", True) for e in said] == [False, False, True, True]
    assert "text" in said[-1]  # the board says it


def test_a_forwarded_branch_ticket_is_counted_as_forwarded_not_done(hall: Hall) -> None:
    """The branch's part ended by handing the papers on (转大厅): its ticket's status is
    `forwarded` and the branch's figures count it so, not as done (the outside check found one
    application done at the branch and open in the hall); it is open in the parent hall as a
    ticket of its own."""
    bank = hall.client(hall.enrol("bank"))
    handed = hall.issue(bank, "case", channel="bank", id_card=CARD)
    bank.post(f"/tickets/{handed['id']}/forward", json={})
    hall.issue(bank, "case", channel="bank")  # still at the branch: open
    admin = hall.admin()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    days = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    resp = admin.get("/reports/kpi", params={"hall": hall.outpost, **days})
    assert resp.status_code == 200, resp.text
    branch = resp.json()
    assert (branch["tickets"], branch["done"], branch["forwarded"], branch["open"]) == (2, 0, 1, 1)
    parent = admin.get("/reports/kpi", params={"hall": hall.id, **days}).json()
    assert (parent["tickets"], parent["done"], parent["forwarded"], parent["open"]) == (1, 0, 0, 1)
    series = admin.get("/reports/series", params={"hall": hall.outpost, **days}).json()
    assert [r["forwarded"] for r in series["by"]["service"]] == [1]  # the console's breakdown


def test_next_at_a_branch_without_approval_counters_forwards_to_the_hall(hall: Hall) -> None:
    """转下一环节 at a bank branch's intake put the case into the branch's own approval queue,
    which no counter serves: it stayed there. The branch's part ends where its counters end:
    the papers go on to the parent hall's intake."""
    bank = hall.client(hall.enrol("bank"))
    t = hall.issue(bank, "case", channel="bank", id_card=CARD)
    n01 = hall.staff("N01", hall=hall.outpost)
    assert n01.post("/counters/N01/call-next").json()["id"] == t["id"]
    out = n01.post("/counters/N01/finish", json={"outcome": "next"})
    assert out.status_code == 200, out.text
    done = out.json()
    assert done["status"] == "forwarded" and done["journey"][-1]["outcome"] == "forwarded"
    remote = done["forwarded_to"]
    assert remote["hall"] == hall.id and remote["number"] == "B001"
    from queue_server.db.store import Store

    store = Store(hall.db_url)  # the branch's stream: the stage's end, then where it went
    try:
        said = [(e["type"], e.get("next_zone")) for e in store.fetch_events(hall.outpost, 0, 1000)
                if e.get("ticket") == t["id"] and e["type"] in ("ticket.finished",
                                                                  "ticket.forwarded")]
    finally:
        store.close()
    assert said == [("ticket.finished", None), ("ticket.forwarded", None)]
    w02 = hall.staff("W02")
    called = w02.post("/counters/W02/call-next").json()
    assert called["id"] == remote["ticket"] and called["forwarded_from"] == t["id"]
    assert n01.post("/counters/N01/call-next").status_code == 204  # nothing left at the branch
    general = hall.issue(bank, "general", channel="bank")  # a route the branch ends itself
    assert n01.post("/counters/N01/call-next").json()["id"] == general["id"]
    assert n01.post("/counters/N01/finish", json={"outcome": "next"}).json()["status"] == "done"


def test_a_rejection_s_reason_is_kept_for_the_citizen_and_never_in_an_event(hall: Hall) -> None:
    """不予受理 with a reason: the ticket's journey and its status page give the reason (an ID
    number typed into it is masked); no event carries it; undoing the finish drops it."""
    from queue_server.db.store import Store

    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk)
    w01 = hall.staff("W01")
    assert w01.post("/counters/W01/call-next").json()["id"] == t["id"]
    why = "缺少户口簿原件;身份证 150102198001011234 已过期"
    out = w01.post("/counters/W01/finish", json={"outcome": "rejected", "reason": why})
    assert out.status_code == 200, out.text
    masked = "缺少户口簿原件;身份证 150***********1234 已过期"
    assert out.json()["journey"][-1]["reason"] == masked
    page = httpx.get(t["track_url"]).text
    assert "不予受理:缺少户口簿原件" in page and "150102198001011234" not in page
    assert kiosk.get(f"/tickets/{t['id']}").json()["journey"][-1]["reason"] == masked
    store = Store(hall.db_url)
    try:
        events = str(store.fetch_events(hall.id, 0, 1000))
    finally:
        store.close()
    assert "ticket.finished" in events and "户口簿" not in events
    undone = w01.post("/counters/W01/undo-finish")
    assert undone.status_code == 200 and undone.json()["journey"][-1]["reason"] is None
    done = w01.post("/counters/W01/finish", json={"outcome": "done", "reason": "看错了"})
    assert done.json()["journey"][-1]["reason"] is None  # a reason belongs to a rejection


def test_print_failed_and_heartbeat_become_events(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk", "kiosk-3"))
    t = hall.issue(kiosk)
    assert kiosk.post(f"/tickets/{t['id']}/print-failed", json={"reason": "paper_out"}
                      ).status_code == 204
    assert kiosk.post("/terminals/heartbeat", json={"devices": {"printer": "paper_out"}}
                      ).status_code == 204
    assert kiosk.post("/terminals/heartbeat", json={"devices": {"printer": "paper_out"}}
                      ).status_code == 204
    me = kiosk.get("/terminals/me").json()
    assert me == {"name": "kiosk-3", "kind": "kiosk", "hall": hall.id,
                  "hall_name": "测试政务服务中心", "counter": None}
    types: list[str] = []
    with kiosk.stream("GET", "/events", params={"after": 0}, timeout=5.0) as resp:
        for line in resp.iter_lines():
            if line.startswith("data:"):
                types.append(line)
                if "terminal.health" in line:
                    break
    assert any("ticket.print_failed" in x for x in types)
    assert sum("terminal.health" in x for x in types) == 1  # only the change
    # and in the server's log, with the time, for the administrator's morning (only the
    # event stream had them; the 24-hour room, an outside check)
    assert kiosk.post("/terminals/heartbeat", json={"devices": {"printer": "online"}}
                      ).status_code == 204
    log = hall.server.log_tail(20_000)
    assert f"kiosk-3 did not print {t['number']} (paper_out)" in log
    assert "terminal kiosk-3: printer - -> paper_out" in log
    assert "terminal kiosk-3: printer paper_out -> online" in log


def test_tracking_page_is_public_and_shows_little(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk, "case", id_card=CARD)
    page = httpx.get(t["track_url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "B001" in page.text and "等候中" in page.text and "一窗受理" in page.text
    for secret in ("王", "1234", "150", CARD["number"]):
        assert secret not in page.text
    assert httpx.get(hall.server.url + "/t/nonexistent").status_code == 404


def test_supervisors_see_terminal_health(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk", "kiosk-7"))
    kiosk.post("/terminals/heartbeat", json={"devices": {"printer": "paper_low"}})
    bank = hall.client(hall.enrol("bank", "bank-kiosk"))
    bank.post("/terminals/heartbeat", json={"devices": {"idcard": "online"}})
    assert kiosk.get("/terminals").status_code == 403
    assert hall.staff("W01").get("/terminals").status_code == 403
    listed = {t["name"]: t for t in hall.staff("W02", "s003").get("/terminals").json()}
    assert listed["kiosk-7"]["devices"] == {"printer": "paper_low"}
    assert listed["kiosk-7"]["last_seen"] is not None
    assert listed["bank-kiosk"]["hall"] == hall.outpost


def _first_events(client: httpx.Client, params: dict[str, str], want: int) -> list[int]:
    got: list[int] = []
    with client.stream("GET", "/events", params=params, timeout=10) as resp:
        assert resp.status_code == 200, resp.read()
        for line in resp.iter_lines():
            if line.startswith("id: "):
                got.append(int(line[4:]))
                if len(got) >= want:
                    break
    return got


def test_events_since_today_start_at_the_business_day(hall: Hall) -> None:
    """`since=today` (what terminals use when they start) replays today's events only; a
    subscriber without `after` or `since` still gets every event from the first."""
    display = hall.client(hall.enrol("display"))
    kiosk = hall.client(hall.enrol("kiosk"))
    issued = hall.issue(kiosk)
    everything = _first_events(display, {}, 1)
    today = _first_events(display, {"since": "today"}, 1)
    assert everything[0] <= today[0]  # the module's hall made all its events today
    with display.stream("GET", "/events", params={"since": "today"}, timeout=10) as resp:
        for line in resp.iter_lines():  # the catch-up comes at once; ours is in it
            if issued["id"] in line:
                break
    bad = display.get("/events", params={"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_since"
