"""The API on a real server process over loopback: the citizen's walk from number to rating,
idempotency, daily caps, and the counter actions."""

from __future__ import annotations

import httpx

from tests.queue_server.conftest import Hall


def test_health_and_unknown_routes(hall: Hall) -> None:
    anon = hall.client()
    assert anon.get("/health").json() == {"status": "ok", "db": "ok"}
    head = anon.head("/health")  # a monitor's HEAD was 405
    assert head.status_code == 200 and head.content == b""
    for resp in (anon.get("/nope"), anon.delete("/health"), httpx.get(hall.server.url + "/x")):
        assert 400 <= resp.status_code < 500
        assert set(resp.json()["error"]) == {"code", "message"}


def test_a_ticket_walks_its_route_keeping_its_number(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk, "case", id_card={"number": "150102198001011234", "name": "王小明"})
    assert t["number"] == "B001" and t["zone"] == "intake" and t["ahead"] == 0
    assert t["masked_id"] == "150***********1234" and t["masked_name"] == "王**"
    assert t["track_url"].split("?c=")[0].endswith("/t/" + t["id"])  # plus its rating code
    w02 = hall.staff("W02")
    called = w02.post("/counters/W02/call-next")
    assert called.status_code == 200 and called.json()["number"] == "B001"
    assert w02.post("/counters/W02/start").json()["status"] == "serving"
    moved = w02.post("/counters/W02/finish", json={"outcome": "next"}).json()
    assert moved["status"] == "waiting" and moved["zone"] == "approval"
    assert moved["deadline"] is not None and moved["number"] == "B001"
    # In UTC, as read back later (the answer written before the read once said +08:00).
    assert moved["deadline"] == kiosk.get(f"/tickets/{t['id']}").json()["deadline"]
    assert moved["deadline"].endswith("Z")
    w03 = hall.staff("W03", "s002")
    assert w03.post("/counters/W03/call-next").json()["number"] == "B001"
    w03.post("/counters/W03/finish", json={"outcome": "next"})
    w04 = hall.staff("W04", "s003")
    assert w04.post("/counters/W04/call-next").json()["zone"] == "pickup"
    done = w04.post("/counters/W04/finish", json={"outcome": "done"}).json()
    assert done["status"] == "done"
    assert [j["zone"] for j in done["journey"]] == ["intake", "approval", "pickup"]
    assert w04.post("/counters/W04/call-next").status_code == 204
    page = httpx.get(t["track_url"])
    assert page.status_code == 200 and "B001" in page.text and "已办结" in page.text
    assert "王" not in page.text and "1234" not in page.text


def test_idempotency_key_gives_one_ticket(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    key = {"Idempotency-Key": "k-0001-abcdef"}
    first = kiosk.post("/tickets", json={"service": "general"}, headers=key)
    again = kiosk.post("/tickets", json={"service": "general"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == "A001"
    other = kiosk.post("/tickets", json={"service": "case"}, headers=key)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert hall.issue(kiosk)["number"] == "A002"


def test_a_key_sent_again_by_another_terminal_is_refused(hall: Hall) -> None:
    """The replay of a key answers its ticket with the rating code in `track_url`: only the
    terminal that asked gets it. Another one's request with that key and body is 409, whether
    it has issued before (on PostgreSQL its issue then takes the one-statement way) or not."""
    first, other = hall.client(hall.enrol("kiosk")), hall.client(hall.enrol("kiosk"))
    key = {"Idempotency-Key": "k-0002-abcdef"}
    issued = first.post("/tickets", json={"service": "general"}, headers=key)
    assert issued.status_code == 201
    for _ in range(2):
        refused = other.post("/tickets", json={"service": "general"}, headers=key)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "idempotency_key_reused"
        assert hall.issue(other)["number"] in ("A002", "A003")  # now a terminal seen before
    again = first.post("/tickets", json={"service": "general"}, headers=key)
    assert again.status_code == 201 and again.json()["id"] == issued.json()["id"]


def test_daily_cap_is_a_clear_answer(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    numbers = [hall.issue(kiosk, "case")["number"] for _ in range(5)]
    assert numbers == ["B001", "B002", "B003", "B004", "B005"]
    refused = kiosk.post("/tickets", json={"service": "case"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {"code": "daily_cap_reached",
                                       "message": "今日号已发完 / today's numbers are all taken"}
    svc = next(s for s in kiosk.get("/services").json() if s["code"] == "case")
    assert svc["open"] is False and svc["remaining_today"] == 0 and svc["waiting"] == 5
    assert svc["waiting_by_zone"] == {"intake": 5}
    w01 = hall.staff("W01")  # B001 taken in: it waits on in approval, and counts there
    assert w01.post("/counters/W01/call", json={"number": "B001"}).status_code == 200
    assert w01.post("/counters/W01/finish", json={"outcome": "next"}).status_code == 200
    svc = next(s for s in kiosk.get("/services").json() if s["code"] == "case")
    assert svc["waiting"] == 4 and svc["waiting_by_zone"] == {"intake": 4, "approval": 1}


def test_a_ticket_sent_to_a_counter_can_be_called_back_by_its_sender(hall: Hall) -> None:
    """叫指定号 of a ticket transferred to another counter: refused to every counter but that
    one and the counter that sent it (sent to W02 while nobody was signed in there, it waited
    with nobody to call it, and W01 could not take it back)."""
    kiosk = hall.client(hall.enrol("kiosk"))
    a1 = hall.issue(kiosk)
    w01 = hall.staff("W01")
    w01.post("/counters/W01/call-next").raise_for_status()
    w01.post("/counters/W01/transfer", json={"counter": "W02"}).raise_for_status()
    back = w01.post("/counters/W01/call", json={"number": a1["number"]})
    assert back.status_code == 200, back.text
    assert back.json()["id"] == a1["id"] and back.json()["status"] == "called"


def test_recall_no_show_transfer_pause(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    a1, a2 = hall.issue(kiosk), hall.issue(kiosk)
    w01 = hall.staff("W01")
    assert w01.post("/counters/W01/call-next").json()["id"] == a1["id"]
    early = w01.post("/counters/W01/no-show")
    assert early.status_code == 409 and early.json()["error"]["code"] == "recall_first"
    assert w01.post("/counters/W01/recall").status_code == 200
    assert w01.post("/counters/W01/no-show").json()["status"] == "no_show"
    assert w01.post("/counters/W01/call-next").json()["id"] == a2["id"]
    for where in ("W03", "C01"):  # approval is outside general's route; C01 serves consult only
        wrong = w01.post("/counters/W01/transfer", json={"counter": where})
        assert wrong.status_code == 400, where
        assert wrong.json()["error"]["code"] == "counter_does_not_serve"
    moved = w01.post("/counters/W01/transfer", json={"counter": "W02"}).json()
    assert moved["status"] == "waiting" and moved["counter"] == "W02"
    w02 = hall.staff("W02", "s002")
    kiosk.post("/tickets", json={"service": "case"})  # earlier in W02's own order
    board = {c["code"]: c for c in kiosk.get("/counters").json()}
    assert board["W02"]["waiting"] == {"case": 1, "general": 0, "_transferred": 1}
    assert board["W01"]["staff"] == "s001" and board["W01"]["current"] is None
    assert w02.post("/counters/W02/call-next").json()["id"] == a2["id"]  # transferred first
    w02.post("/counters/W02/finish", json={"outcome": "done"})
    state = w02.post("/counters/W02/pause", json={"reason": "午休"}).json()
    assert state["paused"] is True and state["pause_reason"] == "午休"
    assert w02.post("/counters/W02/call-next").json()["error"]["code"] == "counter_paused"
    assert w02.post("/counters/W02/resume").json()["paused"] is False
    assert w02.post("/counters/W02/call-next").json()["number"] == "B001"


def test_ratings_and_followups(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    pad = hall.client(hall.enrol("pad", counter="W01"))
    t = hall.issue(kiosk)
    assert pad.post("/evaluations", json={"ticket": t["id"], "level": 5}).json()["error"][
        "code"] == "not_your_counter"  # nothing served at its counter yet
    w01 = hall.staff("W01")
    w01.post("/counters/W01/call-next")
    w01.post("/counters/W01/finish", json={"outcome": "done"})
    no_reason = pad.post("/evaluations", json={"ticket": t["id"], "level": 1})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    assert w01.post("/evaluations", json={"ticket": t["id"], "level": 5}).status_code == 403
    rated = pad.post("/evaluations", json={"ticket": t["id"], "level": 1, "reasons": ["slow"]})
    assert rated.status_code == 201 and rated.json()["followup"] is not None
    assert pad.post("/evaluations", json={"ticket": t["id"], "level": 5}).status_code == 409
    assert w01.get("/followups").status_code == 403
    sup = hall.staff("W02", "s003")
    items = sup.get("/followups").json()
    assert len(items) == 1 and items[0]["level"] == 1 and items[0]["staff"] == "s001"
    closed = sup.post(f"/followups/{items[0]['id']}/close", json={"note": "已电话回访"})
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert sup.get("/followups").json() == []


def test_events_stream_the_changes(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk)
    w01 = hall.staff("W01")
    w01.post("/counters/W01/call-next")
    seen: list[str] = []
    with kiosk.stream("GET", "/events", params={"after": 0}, timeout=5.0) as resp:
        assert resp.status_code == 200
        for line in resp.iter_lines():
            if line.startswith("data:"):
                seen.append(line)
                if '"ticket.called"' in line:
                    break
    called = seen[-1]
    assert t["id"] in called and '"counter":"W01"' in called and '"counter_name":"1号窗口"' in called


def test_call_next_with_a_ticket_at_the_counter_finishes_it_first(hall: Hall) -> None:
    kiosk = hall.client(hall.enrol("kiosk"))
    a1, a2 = hall.issue(kiosk), hall.issue(kiosk)
    w01 = hall.staff("W01")
    assert w01.post("/counters/W01/call-next").json()["id"] == a1["id"]
    second = w01.post("/counters/W01/call-next")
    assert second.status_code == 200 and second.json()["id"] == a2["id"]
    first = kiosk.get(f"/tickets/{a1['id']}").json()
    assert first["status"] == "done" and first["journey"][-1]["outcome"] == "done"
    # nobody else waits: 204, and the citizen at the counter stays current
    assert w01.post("/counters/W01/call-next").status_code == 204
    assert kiosk.get(f"/tickets/{a2['id']}").json()["status"] == "called"


def test_a_ticket_s_track_url_follows_the_address_it_was_asked_at(hall: Hall) -> None:
    """Without a configured public URL, the link printed on a ticket is the address the kiosk
    used (its Host header): kept per address, never one kiosk's for another."""
    kiosk = hall.client(hall.enrol("kiosk"))
    plain = hall.issue(kiosk, "case")
    named = kiosk.post("/tickets", json={"service": "case"},
                       headers={"Host": "hall.example:8080"}).json()
    again = hall.issue(kiosk, "case")
    port = hall.server.url.rsplit(":", 1)[1]
    assert plain["track_url"].startswith(f"http://127.0.0.1:{port}/t/")
    assert named["track_url"].startswith("http://hall.example:8080/t/")
    assert again["track_url"].startswith(f"http://127.0.0.1:{port}/t/")


def test_a_transfer_never_skips_the_approval(hall: Hall) -> None:
    """From intake a case may go to a counter of intake or to a chosen approval post (which
    starts its time limit), never straight to pickup: the outside check handed B002 from intake
    to the pickup counter, which gave the licence out unapproved, with no deadline."""
    kiosk = hall.client(hall.enrol("kiosk"))
    case = hall.issue(kiosk, "case")
    w01 = hall.staff("W01")
    assert w01.post("/counters/W01/call", json={"number": case["number"]}).status_code == 200
    skipped = w01.post("/counters/W01/transfer", json={"counter": "W04"})
    assert skipped.status_code == 400, skipped.text
    assert skipped.json()["error"]["code"] == "transfer_skips_zone"
    assert " / " in skipped.json()["error"]["message"]
    moved = w01.post("/counters/W01/transfer", json={"counter": "W03"}).json()
    assert (moved["zone"], moved["counter"], moved["status"]) == ("approval", "W03", "waiting")
    assert moved["deadline"] is not None  # its time limit runs from here
    w03 = hall.staff("W03", "s002")
    assert w03.post("/counters/W03/call-next").json()["id"] == case["id"]
    again = w03.post("/counters/W03/transfer", json={"counter": "W04"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "transfer_skips_zone"
    ready = w03.post("/counters/W03/finish", json={"outcome": "next"}).json()
    assert ready["zone"] == "pickup"  # the way to pickup: approved


def test_logging_out_ends_the_staff_session_on_the_server(hall: Hall) -> None:
    """退出 on a pad only forgot the token: the counter stayed staffed for the console and the
    session worked for 12 hours. POST /auth/logout ends it; a ticket at the counter stays."""
    kiosk = hall.client(hall.enrol("kiosk"))
    t = hall.issue(kiosk)
    w01 = hall.staff("W01")
    assert w01.post("/counters/W01/call-next").json()["id"] == t["id"]
    assert kiosk.post("/auth/logout").status_code == 403  # a terminal token has no session
    out = w01.post("/auth/logout")
    assert out.status_code == 204 and out.content == b""
    assert w01.get("/counters/W01").status_code == 401  # the token is over
    board = {c["code"]: c for c in kiosk.get("/counters").json()}
    assert board["W01"]["staff"] is None and board["W01"]["current"]["id"] == t["id"]
    w01b = hall.staff("W01")  # the next member of staff finds the ticket at the counter
    assert w01b.get("/counters/W01").json()["current"]["id"] == t["id"]


def test_a_counter_stays_staffed_while_another_session_there_lives(hall: Hall) -> None:
    """Two members of staff signed in at one counter (a handover): the second's 退出 showed the
    counter closed while the first still called there. It shows the first again; the last
    logout closes it."""
    kiosk = hall.client(hall.enrol("kiosk"))
    first, second = hall.staff("W02", "s001"), hall.staff("W02", "s002")

    def holder() -> str | None:
        return {c["code"]: c for c in kiosk.get("/counters").json()}["W02"]["staff"]

    assert holder() == "s002"  # the latest login holds it
    assert second.post("/auth/logout").status_code == 204
    assert holder() == "s001"
    assert first.post("/counters/W02/call-next").status_code in (200, 204)
    assert first.post("/auth/logout").status_code == 204
    assert holder() is None
