"""The take-a-number flow against a real hall server process and the device simulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from kiosk import states as st
from kiosk.client import QueueClient
from kiosk.flow import KioskFlow
from tests.kiosk.conftest import MakeFlow, present_card, printed
from tests.kiosk.hall import Hall
from tests.procs import ROOT

OLD_MAN = "150826194811050019"  # sample card 1: born 1948


def take(flow: KioskFlow, code: str, qtbot: Any, **kw: Any) -> None:
    flow.start()
    assert flow.state == st.SERVICES
    flow.choose_service(code)
    assert flow.state == st.DETAIL
    flow.take_number(**kw)


def test_number_printed_without_card(make_flow: MakeFlow, qtbot: Any) -> None:
    flow = make_flow()
    take(flow, "water-connect", qtbot)
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    ticket = flow.data.ticket
    assert ticket is not None and ticket.number.startswith("G")
    assert flow.state == st.TICKET
    assert printed(flow).count(ticket.number.encode()) >= 1


def test_card_required_gives_priority_and_sends_no_number_twice(make_flow: MakeFlow,
                                                                 qtbot: Any, hall: Hall) -> None:
    flow = make_flow()
    take(flow, "company-setup", qtbot)
    assert flow.state == st.IDCARD  # requires_id_card: the card step comes first
    present_card(flow, 1)
    qtbot.waitUntil(lambda: flow.state == st.TICKET, timeout=20000)
    ticket = flow.data.ticket
    assert ticket is not None and ticket.priority  # 78 years old: the server decided
    assert flow.data.card is not None and flow.data.card.priority
    assert flow.data.card.masked_number.endswith(OLD_MAN[-4:]) and "*" in flow.data.card.masked_number
    assert flow.data.id_card is None  # sent once, then forgotten
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    assert OLD_MAN.encode() not in printed(flow)
    assert "张宝山".encode("gb18030") not in printed(flow)
    # the papers to bring are printed as well as shown (the hall's `materials`)
    job = printed(flow).decode("gb18030", errors="replace")
    assert "请备齐以下材料" in job and "1. 公司章程" in job and "2. 住所使用证明" in job


class DropFirstAnswer(httpx.HTTPTransport):
    """Sends the first POST /tickets to the server, then loses its answer (a network cut)."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0
        self.keys: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/tickets"):
            self.keys.append(request.headers.get("Idempotency-Key", ""))
            if self.dropped == 0:
                self.dropped += 1
                response.close()
                raise httpx.ReadTimeout("answer lost", request=request)
        return response


def test_lost_answer_is_retried_with_the_same_key(make_flow: MakeFlow, qtbot: Any,
                                                  hall: Hall) -> None:
    transport = DropFirstAnswer()
    flow = make_flow()
    flow.link.client = QueueClient(hall.url, hall.kiosk_token, transport=transport)
    take(flow, "property-general", qtbot)
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    ticket = flow.data.ticket
    assert ticket is not None
    assert transport.dropped == 1 and len(transport.keys) == 2
    assert transport.keys[0] == transport.keys[1] != ""
    assert printed(flow).count(ticket.number.encode()) == 1  # one ticket, printed once
    nxt = hall.api("POST", "/tickets", hall.kiosk_token, {"service": "property-general"},
                   {"Idempotency-Key": "next-one"}).json()
    assert int(nxt["number"][1:]) == int(ticket.number[1:]) + 1  # nothing issued twice


class Outage(httpx.HTTPTransport):
    """While `down`, every POST /tickets reaches the server and its answer is lost."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.keys: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/tickets"):
            self.keys.append(request.headers.get("Idempotency-Key", ""))
            if self.down:
                response.close()
                raise httpx.ConnectError("the network is cut", request=request)
        return response


def test_a_number_unanswered_in_an_outage_is_taken_when_the_server_is_back(
        make_flow: MakeFlow, qtbot: Any, hall: Hall, monkeypatch: Any) -> None:
    """The server went away while a visitor took a number: the kiosk showed the offline
    screen and, once the server was back, went home as if nothing had been asked. It sends
    the request again (the same key: the server answers the number it had issued) while the
    visitor may still be there; long after, never."""
    from kiosk import ticketing

    monkeypatch.setattr(ticketing, "ISSUE_PATIENCE_S", 0.5)
    transport = Outage()
    flow = make_flow()
    flow.link.client = QueueClient(hall.url, hall.kiosk_token, transport=transport)
    take(flow, "property-general", qtbot)
    qtbot.waitUntil(lambda: flow.state == st.OFFLINE, timeout=20000)
    assert flow.ticketing.pending() and flow.data.ticket is None
    transport.down = False
    flow.link._set_online(True)  # as its probe finds the server again
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    ticket = flow.data.ticket
    assert ticket is not None and flow.state == st.TICKET and not flow.ticketing.pending()
    assert len(set(transport.keys)) == 1 and len(transport.keys) >= 2  # one key throughout
    nxt = hall.api("POST", "/tickets", hall.kiosk_token, {"service": "property-general"},
                   {"Idempotency-Key": "after-the-outage"}).json()
    assert int(nxt["number"][1:]) == int(ticket.number[1:]) + 1  # nothing issued twice

    flow.reset()  # another visitor, another outage: the server is back too late for them
    monkeypatch.setattr(ticketing, "RESUME_WITHIN_S", 0.0)
    transport.down = True
    take(flow, "property-general", qtbot)
    qtbot.waitUntil(lambda: flow.state == st.OFFLINE, timeout=20000)
    transport.down = False
    flow.link._set_online(True)
    qtbot.waitUntil(lambda: flow.state == st.ATTRACT, timeout=5000)
    assert flow.data.ticket is None and not flow.ticketing.pending()


def test_printer_fault_keeps_number_on_screen_and_tells_server(make_flow: MakeFlow, qtbot: Any,
                                                               hall: Hall) -> None:
    flow = make_flow(printer="sim://printer?paper=out")
    take(flow, "water-connect", qtbot)
    qtbot.waitUntil(lambda: flow.data.print_state == "failed", timeout=20000)
    assert flow.state == st.TICKET and flow.data.ticket is not None
    client = QueueClient(hall.url, hall.kiosk_token)
    try:
        seen = []
        for event in client.events(after=0, read_timeout=3.0):
            seen.append(event)
            if event.type == "ticket.print_failed":
                break
        assert seen[-1].type == "ticket.print_failed"
        assert seen[-1].field("number") == flow.data.ticket.number
    finally:
        client.close()


def test_scanned_pages_go_up_with_the_ticket(make_flow: MakeFlow, qtbot: Any, hall: Hall) -> None:
    flow = make_flow(camera="sim://camera?seed=3&scene=page")
    take(flow, "property-general", qtbot, scan_first=True)
    assert flow.state == st.SCAN
    qtbot.waitUntil(lambda: flow.scanning.last is not None, timeout=20000)  # live preview
    for _ in range(2):
        flow.scanning.capture()
        qtbot.waitUntil(lambda: flow.state == st.REVIEW, timeout=25000)
        assert flow.data.pending is not None and flow.data.pending.jpeg[:2] == b"\xff\xd8"
        flow.scanning.keep()
    assert len(flow.data.pages) == 2
    flow.scanning.finish()
    qtbot.waitUntil(lambda: flow.data.upload_state == "sent", timeout=25000)
    ticket = hall.api("GET", f"/tickets/{flow.data.ticket.id}", hall.kiosk_token).json()
    assert ticket["documents"] == 2


def test_id_card_photo_is_refused_by_the_scanner(make_flow: MakeFlow, qtbot: Any) -> None:
    flow = make_flow(camera="sim://camera?seed=1&scene=idcard")
    take(flow, "property-general", qtbot, scan_first=True)
    flow.scanning.capture()
    qtbot.waitUntil(lambda: not flow.scanning.busy, timeout=25000)
    assert flow.state == st.SCAN and flow.notice in ("id_card_refused", "no_document")
    assert flow.data.pending is None


def test_bank_branch_forwards_papers_to_the_hall(make_flow: MakeFlow, qtbot: Any,
                                                 hall: Hall) -> None:
    flow = make_flow("bank", camera="sim://camera?seed=5&scene=page")
    assert flow.hall_name.startswith("农业银行")
    assert [s.code for s in flow.link.catalog.services] == ["company-setup", "water-connect"]
    def waiting() -> int:
        services = hall.api("GET", "/services", hall.kiosk_token).json()
        return next(s["waiting"] for s in services if s["code"] == "water-connect")

    before = waiting()
    take(flow, "water-connect", qtbot, scan_first=True)
    flow.scanning.capture()
    qtbot.waitUntil(lambda: flow.state == st.REVIEW, timeout=25000)
    flow.scanning.keep()
    flow.scanning.finish()
    qtbot.waitUntil(lambda: flow.data.upload_state == "forwarded", timeout=25000)
    assert flow.data.ticket is not None and flow.data.ticket.number.startswith("G")
    assert waiting() == before + 1  # a remote application in the hall's own intake queue
    # the hall's ticket (POST /tickets/{id}/forward) is kept: screen and paper name its number
    hall_ticket = flow.data.forwarded
    assert hall_ticket is not None and hall_ticket.id != flow.data.ticket.id
    assert hall_ticket.hall != flow.link.hall.id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    job = printed(flow).decode("gb18030")  # every byte decodes
    assert f"号码 {hall_ticket.number}；" in job and "您的申请已转交" in job
    assert f"number {hall_ticket.number}; scan" in job
    assert "前面" not in job and "You are next" not in job  # nobody calls it at the branch
    assert printed(flow).count(b"\x1dV") == 1  # one ticket, printed once the hall answered


def test_heartbeat_tells_the_server_about_the_printer(make_flow: MakeFlow, hall: Hall) -> None:
    make_flow(printer="sim://printer?paper=out")
    client = QueueClient(hall.url, hall.kiosk_token)
    try:
        for event in client.events(after=0, read_timeout=5.0):
            if event.type == "terminal.health" and event.field("terminal") == "k1" and \
                    (event.field("devices") or {}).get("printer") == "paper_out":
                break
        else:
            raise AssertionError("no terminal.health event with the printer's paper out")
        assert event.field("devices")["idcard"] == "online"
    finally:
        client.close()


def test_a_card_whose_number_fails_its_check_is_refused_plainly(make_flow: MakeFlow, qtbot: Any,
                                                                tmp_path: Path) -> None:
    """The reader refuses a card whose number fails GB 11643 (corrupt or forged): the citizen is
    told this card cannot be read, not that the reader is broken."""
    cards = json.loads((ROOT / "devices" / "idcard" / "sample_cards.json").read_text())
    bad = cards["cards"][1]
    bad["number"] = bad["number"][:17] + ("0" if bad["number"][17] != "0" else "1")
    path = tmp_path / "cards.json"
    path.write_text(json.dumps({"cards": [bad]}, ensure_ascii=False), encoding="utf-8")
    flow = make_flow(idcard=f"sim://idcard?cards={path}&hold=1")
    take(flow, "company-setup", qtbot)
    assert flow.state == st.IDCARD
    present_card(flow, 0)
    qtbot.waitUntil(lambda: flow.state == st.DETAIL, timeout=20000)
    assert flow.notice == "card_unreadable" and flow.data.ticket is None
