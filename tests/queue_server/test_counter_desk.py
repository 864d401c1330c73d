"""The counter's second-line actions through the HTTP API (in-process server, injected clock;
SQLite and PostgreSQL): 叫指定号, 挂起 and taking back, undo of the last finish (within 15 s,
only while nobody else touched the ticket) and the staff's ticket search by number."""

from __future__ import annotations

import httpx

from tests.queue_server.inproc import Clock, InProcServer, enrol, ok, refused, staff_client
from tests.queue_server.test_appointment_day import person

Journey = tuple[InProcServer, Clock]




def open_hall(journey: Journey) -> tuple[InProcServer, Clock, httpx.Client]:
    server, clock = journey
    clock.set(2026, 3, 9, 9, 0)
    return server, clock, server.client(enrol(server.store.url, "kiosk", "k1"))


def test_call_a_chosen_number_and_find_it(journey: Journey) -> None:
    server, _clock, kiosk = open_hall(journey)
    staff = staff_client(server, "W01")
    first, _, third = (ok(kiosk.post("/tickets", json={"service": "general"}), 201)
                       for _ in range(3))
    called = ok(staff.post("/counters/W01/call", json={"number": third["number"].lower()}))
    assert called["id"] == third["id"] and called["status"] == "called"
    refused(staff.post("/counters/W01/call", json={"number": first["number"]}), 409,
            "counter_busy")
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    refused(staff.post("/counters/W01/call", json={"number": third["number"]}), 409,
            "not_waiting_here")
    refused(staff.post("/counters/W01/call", json={"number": "Z999"}), 404, "unknown_number")
    refused(staff.post("/counters/W01/call", json={"number": "12-A"}), 400, "bad_number")
    assert ok(staff.post("/counters/W01/call-next"))["id"] == first["id"]  # order kept

    found = ok(staff.get("/tickets", params={"number": third["number"]}))
    assert [t["id"] for t in found] == [third["id"]] and found[0]["status"] == "done"
    assert ok(staff.get("/tickets", params={"number": "Z999"})) == []
    refused(kiosk.get("/tickets", params={"number": third["number"]}), 403, "staff_only")


def test_hold_and_take_back(journey: Journey) -> None:
    server, _clock, kiosk = open_hall(journey)
    staff, other = staff_client(server, "W01"), staff_client(server, "W03")
    a, b = (ok(kiosk.post("/tickets", json={"service": "general"}), 201) for _ in range(2))
    ok(staff.post("/counters/W01/call-next"))
    ok(staff.post("/counters/W01/start"))
    held = ok(staff.post("/counters/W01/hold"))
    assert held["id"] == a["id"] and held["status"] == "on_hold"
    state = ok(staff.get("/counters/W01"))
    assert state["current"] is None and [h["number"] for h in state["held"]] == [a["number"]]
    assert state["waiting"]["general"] == 1  # held: out of the queue
    assert ok(staff.post("/counters/W01/call-next"))["id"] == b["id"]  # never called again
    refused(staff.post("/counters/W01/take-back", json={"ticket": a["id"]}), 409,
            "counter_busy")
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    refused(other.post("/counters/W03/take-back", json={"ticket": a["id"]}), 409, "not_on_hold")
    back = ok(staff.post("/counters/W01/take-back", json={"ticket": a["id"]}))
    assert back["status"] == "serving" and ok(staff.get("/counters/W01"))["held"] == []
    refused(staff.post("/counters/W01/take-back", json={"ticket": a["id"]}), 409,
            "counter_busy")
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    refused(staff.post("/counters/W01/hold"), 409, "no_current_ticket")
    types = [e["type"] for e in server.store.fetch_events("j1", 0, 10_000)]
    assert "ticket.held" in types and "ticket.taken_back" in types


def test_undo_the_last_finish_only_while_untouched(journey: Journey) -> None:
    server, clock, kiosk = open_hall(journey)
    staff, approval = staff_client(server, "W01"), staff_client(server, "W03")
    case = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(31)}), 201)
    refused(staff.post("/counters/W01/undo-finish"), 409, "nothing_to_undo")
    ok(staff.post("/counters/W01/call-next"))
    moved = ok(staff.post("/counters/W01/finish", json={"outcome": "next"}))
    assert moved["zone"] == "approval" and moved["deadline"] is not None
    clock.advance(seconds=10)
    back = ok(staff.post("/counters/W01/undo-finish"))
    assert back["status"] == "serving" and back["zone"] == "intake"
    assert len(back["journey"]) == 1 and back["deadline"] is None
    assert ok(staff.get("/counters/W01"))["current"]["id"] == case["id"]

    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))  # the slip: undo it
    assert ok(staff.post("/counters/W01/undo-finish"))["status"] == "serving"
    ok(staff.post("/counters/W01/finish", json={"outcome": "done"}))
    clock.advance(seconds=16)  # too late
    refused(staff.post("/counters/W01/undo-finish"), 409, "nothing_to_undo")

    second = ok(kiosk.post("/tickets", json={"service": "case", "id_card": person(32)}), 201)
    ok(staff.post("/counters/W01/call-next"))
    ok(staff.post("/counters/W01/finish", json={"outcome": "next"}))
    assert ok(approval.post("/counters/W03/call-next"))["id"] == second["id"]
    refused(staff.post("/counters/W01/undo-finish"), 409, "ticket_moved_on")
    ok(approval.post("/counters/W03/finish", json={"outcome": "next"}))  # holder told: ready
    refused(approval.post("/counters/W03/undo-finish"), 409, "ticket_moved_on")
    types = [e["type"] for e in server.store.fetch_events("j1", 0, 10_000)]
    assert types.count("ticket.finish_undone") == 2


def test_a_call_repeated_after_a_timeout_never_ends_what_the_first_called(journey: Journey
                                                                        ) -> None:
    """The pad names what it shows (`?current=`): a call-next it sent again after a timeout,
    which the server runs after the first, is 409 `counter_changed` and finishes nothing (it
    ended the first call's ticket as done, unserved)."""
    server, _clock, kiosk = open_hall(journey)
    staff = staff_client(server, "W01")
    first, second = (ok(kiosk.post("/tickets", json={"service": "general"}), 201)
                     for _ in range(2))
    called = ok(staff.post("/counters/W01/call-next", params={"current": ""}))
    assert called["id"] == first["id"]
    refused(staff.post("/counters/W01/call-next", params={"current": ""}), 409,
            "counter_changed")
    assert ok(kiosk.get(f"/tickets/{first['id']}"))["status"] == "called"
    assert ok(kiosk.get(f"/tickets/{second['id']}"))["status"] == "waiting"
    # naming the ticket it shows, the pad calls on (and the first ends as the contract says)
    after = ok(staff.post("/counters/W01/call-next", params={"current": first["id"]}))
    assert after["id"] == second["id"]
    assert ok(kiosk.get(f"/tickets/{first['id']}"))["status"] == "done"
    # without the parameter, as before
    staff.post("/counters/W01/start")
    staff.post("/counters/W01/finish", json={"outcome": "done"})
    assert staff.post("/counters/W01/call-next").status_code == 204


def test_logout_is_an_event_and_frees_the_counter(journey: Journey) -> None:
    server, _clock, _kiosk = open_hall(journey)
    staff = staff_client(server, "W01")
    assert staff.post("/auth/logout").status_code == 204
    assert staff.post("/auth/logout").status_code == 401  # once
    events = [e for e in server.store.fetch_events("j1", 0, 1000) if e["type"] == "staff.logout"]
    assert [(e["counter"], e["staff"]) for e in events] == [("W01", "s001")]
