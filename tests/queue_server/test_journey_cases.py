"""The journey around the counter through the HTTP API (in-process server, injected clock; SQLite
and PostgreSQL): numbers from the phone (held until check-in at a kiosk, or queued at once),
a case ready for pickup (`case.ready`, the outbox, a held pickup stage on a later day and today's
number for it at the kiosk), mail delivery (证照寄送: sealed address, dispatch with a tracking
number, the address gone), and the green channel (a kiosk's priority needs a declared reason;
the counter confirms it)."""

from __future__ import annotations

from datetime import datetime

import httpx

from queue_server.usecases import notify
from tests.queue_server.inproc import Clock, InProcServer, enrol, ok, staff_client
from tests.queue_server.test_appointment_day import person

Journey = tuple[InProcServer, Clock]
P1, P2, P3 = person(21), person(22), person(23)
OLD = person(24, born="19400101")


def types(server: InProcServer) -> list[str]:
    return [e["type"] for e in server.store.fetch_events("j1", 0, 10_000)]



def test_numbers_from_the_phone(journey: Journey) -> None:
    server, clock = journey
    api, kiosk = server.client(), server.client(enrol(server.store.url, "kiosk", "k1"))
    clock.set(2026, 3, 9, 7, 0)  # before opening hours
    staff = staff_client(server, "W01")
    closed = api.post("/remote-tickets", json={"service": "case", "id_card": P1})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "hall_closed"
    hall = ok(api.get("/public/hall"))
    assert {s["code"]: s["remote_open"] for s in hall["services"]} == {"case": False,
                                                                    "general": False}

    clock.set(2026, 3, 9, 9, 0)
    walk_in = ok(kiosk.post("/tickets", json={"service": "case"}), 201)
    clock.advance(seconds=30)
    held = ok(api.post("/remote-tickets", json={"service": "case", "id_card": P1,
                                                "phone": "13900001111"}), 201)
    assert held["arrival_required"] is True and held["ahead"] == 1
    again = ok(api.post("/remote-tickets", json={"service": "case", "id_card": P1}))
    assert again["id"] == held["id"]  # one open number a holder, service and day
    clock.advance(seconds=30)
    direct = ok(api.post("/remote-tickets", json={"service": "general", "id_card": P2}), 201)
    assert direct["arrival_required"] is False
    view = ok(api.get(f"/track/{held['id']}"))
    assert view["arrival_required"] and view["ahead"] == 1 and view["status"] == "waiting"

    called = [ok(staff.post("/counters/W01/call-next"))["number"] for _ in range(2)]
    assert called == [walk_in["number"], direct["number"]]  # the held number is not called
    assert staff.post("/counters/W01/call-next").status_code == 204

    arrived = ok(kiosk.post(f"/tickets/{held['id']}/arrive"))
    assert arrived["number"] == held["number"] and not arrived["arrival_required"]
    assert ok(kiosk.post(f"/tickets/{held['id']}/arrive"))["id"] == held["id"]  # a reprint
    assert ok(staff.post("/counters/W01/call-next"))["number"] == held["number"]
    assert ok(api.get(f"/track/{held['id']}"))["counter_name"] == "1号窗口"
    assert "ticket.arrived" in types(server)
    refused = api.post("/remote-tickets", json={"service": "case", "id_card": {
        "number": "150102198503120011", "name": "错"}})
    assert refused.json()["error"]["code"] == "bad_id_number"


def _through_approval(server: InProcServer, kiosk: httpx.Client, who: dict) -> dict:
    ticket = ok(kiosk.post("/tickets", json={"service": "case", "id_card": who}), 201)
    intake = staff_client(server, "W01")
    assert ok(intake.post("/counters/W01/call-next"))["id"] == ticket["id"]
    return {"ticket": ticket, "intake": intake}


def _called_at_intake(journey: Journey, who: dict) -> dict:
    """Monday 09:00: `who` takes a case at the journey hall's kiosk and W01 calls it; the walk
    (`ticket`, `intake`: W01's staff client) and the kiosk's client (`kiosk`)."""
    server, clock = journey
    clock.set(2026, 3, 9, 9, 0)
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    return {**_through_approval(server, kiosk, who), "kiosk": kiosk}


def test_a_case_ready_the_same_day_queues_at_once(journey: Journey) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    approval = staff_client(server, "W03")  # staff sign in on the day they work
    ok(approval.post("/counters/W03/call-next"))
    done = ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    assert done["zone"] == "pickup" and done["status"] == "waiting"  # the contract's `next`
    ready = [e for e in server.store.fetch_events("j1", 0, 1000) if e["type"] == "case.ready"]
    assert ready and ready[0]["held"] is False and ready[0]["number"] == done["number"]
    assert [r["kind"] for r in notify.pending(server.store)] == ["case.ready"]
    pickup = staff_client(server, "W04")
    assert ok(pickup.post("/counters/W04/call-next"))["number"] == done["number"]


def test_mail_chosen_for_a_case_waiting_at_pickup_takes_it_out_of_the_queue(
        journey: Journey) -> None:
    """A citizen on the phone: mail chosen at pickup for a case already queued there, and the
    pickup counter's next call called it ("请到 W04 出件") beside the card "办结后寄出"."""
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    tid = walk["ticket"]["id"]
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    approval = staff_client(server, "W03")
    ok(approval.post("/counters/W03/call-next"))
    assert ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))["status"] == "waiting"
    pickup = staff_client(server, "W04")
    ok(pickup.post(f"/tickets/{tid}/delivery", json={
        "method": "mail", "recipient": "张三", "address": "杭锦后旗陕坝镇光明街12号"}))
    view = ok(server.client().get(f"/track/{tid}"))
    assert (view["status"], view["delivery"]["method"]) == ("ready", "mail")
    assert pickup.post("/counters/W04/call-next").status_code == 204  # nobody to call
    assert [d["ticket"] for d in ok(pickup.get("/deliveries/to-mail"))] == [tid]
    chosen = [e for e in server.store.fetch_events("j1", 0, 1000)
              if e["type"] == "delivery.chosen"]
    assert chosen[-1]["held"] is True


def test_a_missed_pickup_call_keeps_the_approved_case_for_its_holder(journey: Journey) -> None:
    """过号 at pickup ended the approved case as `no_show`: its holder could not collect the
    licence (check-in was 409 nothing_to_collect). The case waits, held, for its holder."""
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    kiosk = walk["kiosk"]
    first = walk["ticket"]
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    approval = staff_client(server, "W03")
    ok(approval.post("/counters/W03/call-next"))
    ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    pickup = staff_client(server, "W04")
    assert ok(pickup.post("/counters/W04/call-next"))["id"] == first["id"]
    missed = ok(pickup.post("/counters/W04/no-show"))
    assert missed["status"] == "ready" and missed["zone"] == "pickup"
    assert missed["arrival_required"] is True
    assert "ticket.no_show" in types(server)
    assert pickup.post("/counters/W04/call-next").status_code == 204  # not called in vain
    clock.advance(seconds=600)
    back = ok(kiosk.post(f"/tickets/{first['id']}/arrive"))  # the holder checks in again
    assert back["number"] == first["number"] and not back["arrival_required"]
    assert ok(pickup.post("/counters/W04/call-next"))["id"] == first["id"]
    ok(pickup.post("/counters/W04/finish", json={"outcome": "done"}))
    view = ok(server.client().get(f"/track/{first['id']}"))
    assert view["status"] == "done"
    assert [(s["zone"], s["outcome"]) for s in view["journey"]] == [
        ("intake", "next"), ("approval", "next"), ("pickup", "no_show"), ("pickup", "done")]
    # an intake number is still missed for good: its holder takes a new one
    other = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    intake = walk["intake"]
    assert ok(intake.post("/counters/W01/call-next"))["id"] == other["id"]
    assert ok(intake.post("/counters/W01/no-show"))["status"] == "no_show"


def test_a_case_ready_on_a_later_day_is_collected_under_todays_number(journey: Journey) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P1)
    kiosk = walk["kiosk"]
    first = walk["ticket"]
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    clock.set(2026, 3, 10, 10, 0)  # approved the next day
    approval = staff_client(server, "W03")  # staff sign in on the day they work
    ok(approval.post("/counters/W03/call-next"))
    done = ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    assert done["status"] == "ready" and done["arrival_required"] is True
    pickup = staff_client(server, "W04")
    assert pickup.post("/counters/W04/call-next").status_code == 204  # its holder is not here
    today = ok(kiosk.post("/tickets", json={"service": "case"}), 201)  # B001 of the 10th
    cases = ok(kiosk.post("/tickets/lookup", json={"id_card": P1}))
    assert [c["status"] for c in cases] == ["ready"]
    collected = ok(kiosk.post(f"/tickets/{first['id']}/arrive"))
    assert collected["id"] == first["id"] and collected["number"] == "B002"
    assert today["number"] == "B001" and first["number"] == "B001"  # of the 9th
    ticket = ok(kiosk.get(f"/tickets/{first['id']}"))
    assert [s["number"] for s in ticket["journey"]] == ["B001", "B001", "B002"]
    # today's number finds the case, as any number of today does (staff look it up, call it)
    assert [t["id"] for t in ok(pickup.get("/tickets", params={"number": "B002"}))] == [first["id"]]
    assert [t["id"] for t in ok(pickup.get("/tickets", params={"number": "B001"}))] == [today["id"]]
    called = ok(pickup.post("/counters/W04/call", json={"number": "B002"}))
    assert called["number"] == "B002" and called["id"] == first["id"]
    ok(pickup.post("/counters/W04/finish", json={"outcome": "done"}))
    view = ok(server.client().get(f"/track/{first['id']}"))
    assert view["status"] == "done" and [s["zone"] for s in view["journey"]] == [
        "intake", "approval", "pickup"]


def test_mail_delivery_keeps_the_address_sealed_until_it_is_posted(journey: Journey) -> None:
    server, clock = journey
    walk = _called_at_intake(journey, P3)
    kiosk = walk["kiosk"]
    tid = walk["ticket"]["id"]
    address = "内蒙古巴彦淖尔市杭锦后旗陕坝镇光明街12号"
    bad = walk["intake"].post(f"/tickets/{tid}/delivery", json={"method": "mail"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "address_required"
    chosen = ok(walk["intake"].post(f"/tickets/{tid}/delivery", json={
        "method": "mail", "recipient": "张三", "address": address, "phone": "13700001234"}))
    assert chosen["method"] == "mail" and address not in str(chosen)
    assert kiosk.post(f"/tickets/{tid}/delivery", json={"method": "pickup"}).status_code == 403
    ok(walk["intake"].post("/counters/W01/finish", json={"outcome": "next"}))
    approval = staff_client(server, "W03")  # staff sign in on the day they work
    ok(approval.post("/counters/W03/call-next"))
    done = ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))
    assert done["status"] == "ready" and done["delivery"] == "mail"  # held: nobody collects it
    pickup = staff_client(server, "W04")
    listed = ok(pickup.get("/deliveries/to-mail"))
    assert [(d["ticket"], d["address"], d["recipient"], d["service"]) for d in listed] == [
        (tid, address, "张三", walk["ticket"]["service"])]  # which certificate goes in it
    posted = ok(pickup.post(f"/tickets/{tid}/dispatch", json={"carrier": "EMS",
                                                               "tracking": "EA123456789CN"}))
    assert posted["tracking"] == "EA123456789CN" and posted["handed_at"]
    assert ok(pickup.get("/deliveries/to-mail")) == []
    again = pickup.post(f"/tickets/{tid}/dispatch", json={"tracking": "EA123456789CN"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_handed"
    view = ok(server.client().get(f"/track/{tid}"))
    assert view["status"] == "done" and view["delivery"]["tracking"] == "EA123456789CN"
    page = httpx.get(f"{server.url}/t/{tid}").text
    assert "EA123456789CN" in page and "证照寄送" in page and address not in page
    from sqlalchemy import text

    with server.store.read() as s:
        assert s.execute(text("SELECT contact FROM deliveries")).scalars().all() == [None]


def test_green_channel_needs_a_declared_reason_that_the_counter_confirms(journey: Journey
                                                                        ) -> None:
    server, clock = journey
    clock.set(2026, 3, 9, 9, 0)
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    for body, code in (({"priority": "priority"}, "priority_reason_required"),
                       ({"priority": "priority", "priority_reason": "elderly"},
                        "priority_reason_not_allowed"),
                       ({"priority_reason": "appointment"}, "priority_reason_not_allowed"),
                       ({"priority": "priority", "priority_reason": "staff"},
                        "priority_reason_not_allowed"),
                       ({"priority": "normal", "priority_reason": "disabled"},
                        "priority_conflict")):
        refused = kiosk.post("/tickets", json={"service": "general", **body})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == code
    normal = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    elderly = ok(kiosk.post("/tickets", json={"service": "general", "id_card": OLD,
                                              "priority": "priority",
                                              "priority_reason": "elderly"}), 201)
    served = ok(kiosk.post("/tickets", json={"service": "general", "priority": "priority",
                                             "priority_reason": "serviceman"}), 201)
    assert served["priority"] and served["priority_reason"] == "serviceman"
    assert elderly["priority_reason"] == "elderly" and not normal["priority"]
    staff = staff_client(server, "W01")
    first = ok(staff.post("/counters/W01/call-next"))
    assert first["number"] == elderly["number"] and not first["priority_declared"]
    refused = staff.post("/counters/W01/confirm-priority", json={"confirmed": True})
    assert refused.json()["error"]["code"] == "nothing_to_confirm"
    second = ok(staff.post("/counters/W01/call-next"))
    assert second["number"] == served["number"] and second["priority_declared"]
    assert second["priority_confirmed"] is None
    confirmed = ok(staff.post("/counters/W01/confirm-priority", json={"confirmed": True}))
    assert confirmed["priority_confirmed"] is True
    event = [e for e in server.store.fetch_events("j1", 0, 1000)
             if e["type"] == "ticket.priority_confirmed"]
    # the declared reason stays with the counter: the hall's every subscriber reads the event
    # (it carried "serviceman" until v1.2), and a call board reads no reason of a ticket
    assert event and "reason" not in event[0] and event[0]["counter"] == "W01"
    assert second["priority_reason"] == "serviceman"  # the counter judging it reads it
    board = server.client(enrol(server.store.url, "display", "board-1"))
    seen = ok(board.get(f"/tickets/{served['id']}"))
    assert seen["priority_reason"] is None and seen["priority"]


def test_a_phone_number_never_checked_in_ends_at_the_rollover(journey: Journey) -> None:
    from queue_server.usecases import remote
    from queue_server.usecases.halls import roll_days

    server, clock = journey
    clock.set(2026, 3, 9, 16, 0)
    api, kiosk = server.client(), server.client(enrol(server.store.url, "kiosk", "k1"))
    held = ok(api.post("/remote-tickets", json={"service": "case", "id_card": P1}), 201)
    clock.set(2026, 3, 10, 8, 40)
    late = kiosk.post(f"/tickets/{held['id']}/arrive")
    assert late.status_code == 409 and late.json()["error"]["code"] == "number_expired"
    roll_days(server.store)
    assert remote.expire_unclaimed(server.store) == 1
    assert remote.expire_unclaimed(server.store) == 0
    assert ok(api.get(f"/track/{held['id']}"))["status"] == "no_show"
    assert ok(api.post("/remote-tickets", json={"service": "case", "id_card": P1}),
              201)["number"] == "B001"  # a new day, a new number


def test_a_number_taken_while_the_hall_is_closed_says_when_calling_starts(
        journey: Journey) -> None:
    """At 04:41 the kiosk printed "前面没有人在等候 You are next" for a hall opening at 08:30:
    the answer says when calling starts (`calls_from`), and nothing while the hall is open."""
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    for when, starts in (((2026, 3, 9, 4, 41), "2026-03-09T08:30:00+08:00"),  # Monday night
                         ((2026, 3, 9, 12, 40), "2026-03-09T14:30:00+08:00"),  # lunch break
                         ((2026, 3, 7, 10, 0), "2026-03-09T08:30:00+08:00"),  # Saturday
                         ((2026, 3, 9, 9, 0), None)):
        clock.set(*when)
        got = ok(kiosk.post("/tickets", json={"service": "general"}), 201)["calls_from"]
        if starts is None:
            assert got is None, when
        else:
            assert got is not None and datetime.fromisoformat(got) == datetime.fromisoformat(
                starts), when
            assert got.endswith(("Z", "+00:00")), got  # in UTC, as every instant answered


def test_the_services_list_says_when_calling_starts_while_the_hall_is_closed(
        journey: Journey) -> None:
    """The 24-hour room's kiosk at night showed 今日剩余 N 个号 and 预计等候 0 分钟 before a
    number was taken: the services list carries `calls_from` while the hall is closed (the
    day its `remaining_today` counts), and none while it is open."""
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    for when, starts in (((2026, 3, 6, 18, 5), "2026-03-09T08:30:00+08:00"),  # Friday evening
                         ((2026, 3, 9, 9, 0), None)):
        clock.set(*when)
        general = next(s for s in ok(kiosk.get("/services")) if s["code"] == "general")
        if starts is None:
            assert general["calls_from"] is None, when
        else:
            assert datetime.fromisoformat(general["calls_from"]) == datetime.fromisoformat(
                starts)
            assert general["calls_from"].endswith(("Z", "+00:00"))


def test_a_number_taken_while_the_hall_is_closed_is_not_given_again_when_it_opens(
        journey: Journey) -> None:
    """At 16:11, the hall closed, the kiosk issued G001 "calling starts tomorrow 08:30"; the
    next morning's first G was G001 again, both waiting (numbers run per business day). A
    number taken while closed is numbered in the day it is called on."""
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    clock.set(2026, 3, 6, 18, 5)  # Friday evening, closed until Monday 08:30
    night = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    clock.set(2026, 3, 9, 8, 35)  # Monday, open
    morning = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    assert night["number"] != morning["number"], (night["number"], morning["number"])
    assert (night["number"][1:], morning["number"][1:]) == ("001", "002")
    staff = staff_client(server, "W01")
    first = ok(staff.post("/counters/W01/call", json={"number": night["number"]}))
    assert first["id"] == night["id"]  # found by its number on the day it is called


def test_a_counter_at_work_after_closing_finds_the_evening_s_numbers(journey: Journey) -> None:
    """The display's duty officer, an outside check: counters still at work after 17:30 called
    the evening's numbers (numbered for the next day) with call-next, but by number they were
    "今天没有 A001 号", and a passed one could not be put back in the queue."""
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    clock.set(2026, 3, 6, 10, 0)  # Friday morning: today's A001, served
    day = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    staff = staff_client(server, "W01")
    ok(staff.post("/counters/W01/call-next"))
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    clock.set(2026, 3, 6, 18, 5)  # after closing: Monday's A001
    night = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    assert night["number"] == day["number"] == "A001"
    assert [t["id"] for t in ok(staff.get("/tickets", params={"number": "A001"}))] == [
        night["id"]]
    called = ok(staff.post("/counters/W01/call", json={"number": "A001"}))
    assert called["id"] == night["id"]


def test_a_counter_s_pad_rates_only_today_s_visits(journey: Journey) -> None:
    """A pad rated a stage of its counter from any day before (ticket ids are in every event):
    it rates the visit in front of it, on the day it was served; the QR code still rates."""
    server, clock = journey
    clock.set(2026, 3, 9, 9, 0)
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    pad = server.client(enrol(server.store.url, "pad", "pad-W01", counter="W01"))
    intake = staff_client(server, "W01")
    old = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    ok(intake.post("/counters/W01/call-next"))
    ok(intake.post("/counters/W01/finish", json={"outcome": "done"}))
    clock.set(2026, 3, 10, 9, 0)
    late = pad.post("/evaluations", json={"ticket": old["id"], "level": 1, "reasons": ["slow"]})
    assert late.status_code == 409 and late.json()["error"]["code"] == "rating_closed"
    code = old["track_url"].split("?c=")[1]
    ok(kiosk.post("/evaluations", json={"ticket": old["id"], "level": 4, "rating_code": code}),
       201)  # its holder, with the ticket's QR code, any day
    fresh = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    intake = staff_client(server, "W01")
    ok(intake.post("/counters/W01/call-next"))
    ok(intake.post("/counters/W01/finish", json={"outcome": "done"}))
    ok(pad.post("/evaluations", json={"ticket": fresh["id"], "level": 5}), 201)


def test_the_holder_rates_from_the_phone_with_the_qr_code(journey: Journey) -> None:
    """The pad says "scan the ticket's QR code" once its day is over; the QR's page had no way
    to rate (only a kiosk's camera took the code). The phone rates with it, once a stage, and
    a wrong code proves nothing."""
    server, clock = journey
    clock.set(2026, 3, 9, 9, 0)
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    ticket = ok(kiosk.post("/tickets", json={"service": "general"}), 201)
    intake = staff_client(server, "W01")
    phone = server.client()  # no token: the citizen's phone
    code = ticket["track_url"].split("?c=")[1]
    early = phone.post(f"/track/{ticket['id']}/evaluation", json={"c": code, "level": 5})
    assert early.status_code == 409 and early.json()["error"]["code"] == "nothing_to_rate"
    ok(intake.post("/counters/W01/call-next"))
    ok(intake.post("/counters/W01/finish", json={"outcome": "done"}))
    clock.set(2026, 3, 10, 9, 0)
    for body, status, error in (({"c": "x" * 16, "level": 5}, 403, "proof_required"),
                                ({"c": code, "level": 1}, 400, "reason_required"),
                                ({"c": code, "level": "5"}, 422, "invalid_request"),
                                ({"c": code, "level": 5, "ticket": "t"}, 422, "invalid_request")):
        refused = phone.post(f"/track/{ticket['id']}/evaluation", json=body)
        assert refused.status_code == status and refused.json()["error"]["code"] == error, body
    rated = ok(phone.post(f"/track/{ticket['id']}/evaluation",
                          json={"c": code, "level": 2, "reasons": ["wait"],
                                "comment": "等了很久 150102198001011234"}), 201)
    assert rated["counter"] == "W01" and rated["followup"] is not None  # a bad one is followed up
    again = phone.post(f"/track/{ticket['id']}/evaluation", json={"c": code, "level": 5})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    assert phone.post("/track/nope/evaluation", json={"c": code, "level": 5}).status_code == 404
    event = [e for e in server.store.fetch_events("j1", 0, 1000)
             if e["type"] == "evaluation.created"]
    assert [e["level"] for e in event] == [2]
    from sqlalchemy import text

    with server.store.read() as s:
        comment = s.execute(text("SELECT comment FROM evaluations")).scalar_one()
    assert "150102198001011234" not in comment  # masked as every typed text
    # where it was rated: the phone ("web"), in the console's table and the province's export
    # (the table said null and the export "pad", a pad that never rated)
    from datetime import date

    from queue_server.usecases import ledger, ratings_export
    from queue_server.usecases.auth import Principal
    from queue_server.wire_console import Period

    supervisor = Principal("staff", "j1", staff_id="s001", staff_role="supervisor")
    rows = ledger.ratings(server.store, supervisor, "j1", Period())
    assert [(r.level, r.channel) for r in rows] == [(2, "web")]
    exported = list(ratings_export.ratings(server.store, date(2026, 3, 10), date(2026, 3, 10)))
    assert [(r["level"], r["channel"]) for r in exported] == [(2, "web")]


def test_a_card_finds_the_visits_of_the_last_days(journey: Journey) -> None:
    """The 24-hour room (an outside check): by ID card, a case served the day before was not
    found after midnight, nor a number taken after hours (numbered for the next day) and
    served that evening, so neither could be asked about or rated with the card."""
    server, clock = journey
    kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
    clock.set(2026, 3, 9, 10, 0)  # Monday: served at once
    staff = staff_client(server, "W01")
    monday = ok(kiosk.post("/tickets", json={"service": "general", "id_card": P1}), 201)
    ok(staff.post("/counters/W01/call-next"))
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    clock.set(2026, 3, 9, 18, 5)  # after closing: numbered for Tuesday, served this evening
    evening = ok(kiosk.post("/tickets", json={"service": "general", "id_card": P1}), 201)
    staff = staff_client(server, "W01")  # the evening's sign-in
    ok(staff.post("/counters/W01/call-next"))
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    assert [t["id"] for t in ok(kiosk.post("/tickets/lookup", json={"id_card": P1}))] == [
        evening["id"], monday["id"]]
    clock.set(2026, 3, 10, 0, 5)  # past midnight
    found = ok(kiosk.post("/tickets/lookup", json={"id_card": P1}))
    assert [t["id"] for t in found] == [evening["id"], monday["id"]]
    assert all(t["rating_code"] for t in found)
    clock.set(2026, 3, 20, 9, 0)  # a week and more later: only open cases
    assert ok(kiosk.post("/tickets/lookup", json={"id_card": P1})) == []
