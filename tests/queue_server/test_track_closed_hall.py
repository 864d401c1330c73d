"""The public view of a ticket and its status page `/t/{id}` as a citizen's phone reads them
(in-process server, injected clock, SQLite by the migrations): a number taken while the hall is
closed says when calling starts (`calls_from`), not a wait; a case in approval reads 审批中 while
a back-office post "calls" it; the phone rates the latest stage met in person, never approval,
and a bad rating says within how many working days the hall verifies it; the page promises a
notice only when one will be sent, and says nothing of a QR code it does not show."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.queue_server.inproc import InProcServer, enrol, ok, staff_client
from tests.queue_server.test_journey_cases import P1, P2, Journey, _called_at_intake


def page(server: InProcServer, ticket: dict[str, Any]) -> str:
    url = ticket["track_url"]
    got = httpx.get(server.url + url[url.index("/t/"):], timeout=10)
    assert got.status_code == 200, got.text
    return got.text


def test_a_number_taken_after_closing_says_when_calling_starts(journey: Journey) -> None:
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    phone = server.client()
    clock.set(2026, 3, 12, 18, 5)  # Thursday evening: closed until Friday 08:30
    evening = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    view = ok(phone.get(f"/track/{evening['id']}"))
    assert datetime.fromisoformat(view["calls_from"]) == datetime(2026, 3, 13, 0, 30,
                                                                  tzinfo=UTC)
    assert view["calls_from"] == evening["calls_from"]  # the kiosk's paper says the same
    text = page(server, evening)
    assert "今日已下班,明天 08:30 起叫号" in text
    assert "calling starts tomorrow at 08:30" in text
    assert "预计等候" not in text and "即将叫号" not in text

    clock.set(2026, 3, 13, 18, 0)  # Friday evening: the weekend is closed, Monday opens
    friday = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    assert "今日已下班,3月16日 08:30 起叫号" in page(server, friday)

    clock.set(2026, 3, 16, 9, 0)  # open: the wait again, and nobody ahead reads 即将叫号
    assert ok(phone.get(f"/track/{evening['id']}"))["calls_from"] is None
    text = page(server, evening)
    assert "起叫号" not in text and "即将叫号" in text


def test_approval_is_not_a_call_and_the_phone_rates_the_counter_it_met(journey: Journey
                                                                        ) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    ticket, code = walk["ticket"], walk["ticket"]["track_url"].split("?c=")[1]
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    approval = staff_client(server, "W03")
    ok(approval.post("/counters/W03/call-next"))
    phone = server.client()
    view = ok(phone.get(f"/track/{ticket['id']}", params={"c": code}))
    assert (view["zone"], view["status"], view["rating_state"]) == ("approval", "called", "open")
    assert view["notified"] is False  # the test hall has no notification gateway
    text = page(server, ticket)
    assert "审批中" in text and "已叫号" not in text and "请到窗口" not in text
    assert "办结后可在本页查看" in text and "会通知您" not in text
    assert "审批岗" not in text.split('id="rate"', 1)[1].split("</form>", 1)[0]
    rated = ok(phone.post(f"/track/{ticket['id']}/evaluation",
                          json={"c": code, "level": 1, "reasons": ["wait"]}), 201)
    assert (rated["zone"], rated["counter"]) == ("intake", "W01")
    assert rated["followup"] is not None and rated["followup_days"] == 3
    view = ok(phone.get(f"/track/{ticket['id']}", params={"c": code}))
    assert view["rating_state"] == "rated"


def test_the_status_page_offers_no_rating_while_served_and_no_qr_code(journey: Journey
                                                                       ) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P2)
    kiosk = walk["kiosk"]
    ticket = walk["ticket"]
    ok(walk["intake"].post("/counters/W01/start"))  # 办理中 at the counter
    view = ok(server.client().get(f"/track/{ticket['id']}"))
    assert view["status"] == "serving"
    text = page(server, ticket)
    assert 'id="rate"' not in text  # rated once served, not while at the counter
    assert "二维码" not in text and "QR code" not in text  # the page shows none
    assert 'rel="icon"' in text
    good = ok(kiosk.post("/evaluations", json={"ticket": ticket["id"], "level": 5,
                                                "rating_code": ticket["track_url"].split(
                                                    "?c=")[1]}), 201)
    assert good["followup"] is None and good["followup_days"] is None
