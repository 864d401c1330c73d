"""过号重排 through the HTTP API (in-process server on loopback, an SQLite file built by the
migrations, injected clock): a number passed (no-show) today at an intake counter queues again
in its zone, in its place by issue time, or is called at once at a counter of that zone that
serves its service; every other case is refused with a code and words in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.queue_server.inproc import (
    HALL_TZ,
    JOURNEY_HALL,
    Clock,
    InProcServer,
    enrol,
    journey_db,
    ok,
    refused,
    staff_client,
)
from tests.queue_server.test_appointment_day import person

# the journey hall, plus an intake counter that serves only the general service
SECOND_INTAKE = '''
[[counters]]
code = "W02"
name = "2号窗口"
zone = "intake"
services = ["general"]
'''
Hall = tuple[InProcServer, Clock, httpx.Client]


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[Hall]:
    config = tmp_path / "hall.toml"
    text = JOURNEY_HALL.read_text(encoding="utf-8")
    config.write_text(text.replace("[[staff]]", SECOND_INTAKE + "\n[[staff]]", 1),
                      encoding="utf-8")
    clock = Clock(datetime(2026, 3, 9, 9, 0, tzinfo=HALL_TZ))  # a Monday, the hall open
    server = InProcServer(journey_db(tmp_path, config=config), clock,
                          public_writes_per_min=1000, public_per_id_per_hour=1000)
    try:
        yield server, clock, server.client(enrol(server.store.url, "kiosk", "k1"))
    finally:
        server.stop()
        server.store.close()




def take(kiosk: httpx.Client, service: str, n: int = 0, clock: Clock | None = None) -> Any:
    """A number from the kiosk (`clock`: a minute after the last one)."""
    if clock is not None:
        clock.advance(minutes=1)
    body: dict[str, Any] = {"service": service}
    if service == "case":
        body["id_card"] = person(n)
    return ok(kiosk.post("/tickets", json=body), 201)


def passed_at(staff: httpx.Client, code: str) -> Any:
    """Call the next number at `code` and mark it no-show (the hall allows it at once)."""
    called = ok(staff.post(f"/counters/{code}/call-next"))
    return ok(staff.post(f"/counters/{code}/no-show")) | {"called": called["number"]}


def events(server: InProcServer, type_: str) -> list[dict[str, Any]]:
    return [e for e in server.store.fetch_events("j1", 0, 10_000) if e["type"] == type_]


def test_a_passed_number_queues_again_ahead_of_those_who_came_after(hall: Hall) -> None:
    server, clock, kiosk = hall
    w01 = staff_client(server, "W01")
    first, second, third = (take(kiosk, "case", n, clock) for n in (1, 2, 3))
    passed = passed_at(w01, "W01")
    assert passed["id"] == first["id"] and passed["status"] == "no_show"
    ok(w01.post("/counters/W01/call-next"))  # the second is being served meanwhile
    ok(w01.post("/counters/W01/start"))

    back = ok(w01.post("/counters/W01/requeue", json={"number": first["number"].lower()}))
    assert (back["id"], back["status"], back["zone"]) == (first["id"], "waiting", "intake")
    assert ok(kiosk.get(f"/tickets/{first['id']}"))["status"] == "waiting"
    [requeued] = events(server, "ticket.requeued")
    assert (requeued["ticket"], requeued["number"], requeued["counter"], requeued["zone"],
            requeued["call"]) == (first["id"], first["number"], "W01", "intake", False)
    assert "id_card" not in requeued and "150102" not in str(requeued)

    # 顺延: the next call after the citizen being served takes it, before the third
    nxt = ok(w01.post("/counters/W01/call-next"))
    assert nxt["id"] == first["id"] and nxt["status"] == "called"
    assert ok(kiosk.get(f"/tickets/{second['id']}"))["status"] == "done"
    journey = ok(kiosk.get(f"/tickets/{first['id']}"))["journey"]
    assert [(s["zone"], s["outcome"]) for s in journey] == [("intake", "no_show"),
                                                            ("intake", None)]
    assert ok(w01.post("/counters/W01/call-next"))["id"] == third["id"]


def test_a_passed_number_is_called_at_once_and_the_board_hears_it(hall: Hall) -> None:
    server, _clock, kiosk = hall
    w01 = staff_client(server, "W01")
    first, second = take(kiosk, "general"), take(kiosk, "general")
    passed_at(w01, "W01")
    ok(w01.post("/counters/W01/call-next"))
    refused(w01.post("/counters/W01/requeue", json={"number": first["number"], "call": True}),
            409, "counter_busy")
    ok(w01.post("/counters/W01/finish", json={"outcome": "done"}))
    ok(w01.post("/counters/W01/pause", json={}))
    refused(w01.post("/counters/W01/requeue", json={"number": first["number"], "call": True}),
            409, "counter_paused")
    ok(w01.post("/counters/W01/resume"))

    called = ok(w01.post("/counters/W01/requeue",
                         json={"number": first["number"], "call": True}))
    assert (called["id"], called["status"]) == (first["id"], "called")
    state = ok(w01.get("/counters/W01"))
    assert state["current"]["id"] == first["id"]
    call = events(server, "ticket.called")[-1]
    assert (call["ticket"], call["counter"], call["chosen"], call["requeued"]) == (
        first["id"], "W01", True, True)
    assert call["text"] == f"请{first['number']}号到1号窗口办理"
    assert [e["call"] for e in events(server, "ticket.requeued")] == [True]
    # it is served as any called number; passed again, it may come back again
    ok(w01.post("/counters/W01/no-show"))
    again = ok(w01.post("/counters/W01/requeue", json={"number": first["number"]}))
    assert again["status"] == "waiting" and second["id"] != again["id"]


def test_what_is_refused(hall: Hall) -> None:
    server, clock, kiosk = hall
    w01, w02 = staff_client(server, "W01"), staff_client(server, "W02")
    w03 = staff_client(server, "W03")
    case, general, waiting = take(kiosk, "case", 1), take(kiosk, "general"), take(kiosk, "case", 2)
    passed_at(w01, "W01")  # the case
    ok(w01.post("/counters/W01/call-next"))
    ok(w01.post("/counters/W01/no-show"))  # the next case (by the counter's order of services)
    number = case["number"]

    refused(w02.post("/counters/W02/requeue", json={"number": number}), 403,
            "not_your_service")  # W02 is of intake but does not serve the case's service
    refused(w03.post("/counters/W03/requeue", json={"number": number}), 409,
            "passed_elsewhere")  # an approval counter: it was passed in intake
    refused(w01.post("/counters/W01/requeue", json={"number": general["number"]}), 409,
            "not_passed")  # still waiting
    refused(w01.post("/counters/W01/requeue", json={"number": "Z999"}), 404, "unknown_number")
    refused(w01.post("/counters/W01/requeue", json={"number": "12-A"}), 400, "bad_number")
    refused(w02.post("/counters/W01/requeue", json={"number": number}), 403,
            "not_your_counter")
    refused(kiosk.post("/counters/W01/requeue", json={"number": number}), 403,
            "staff_session_required")
    refused(w01.post("/counters/W01/requeue", json={"number": number, "extra": 1}), 422,
            "invalid_request")
    assert ok(kiosk.get(f"/tickets/{case['id']}"))["status"] == "no_show"  # nothing changed

    # the general number, served and done, was not passed either
    ok(w02.post("/counters/W02/call-next"))
    ok(w02.post("/counters/W02/finish", json={"outcome": "done"}))
    refused(w02.post("/counters/W02/requeue", json={"number": general["number"]}), 409,
            "not_passed")

    # the next business day the number is not today's: nothing by that number is there
    clock.set(2026, 3, 10, 9, 0)
    w01 = staff_client(server, "W01")
    refused(w01.post("/counters/W01/requeue", json={"number": number}), 404, "unknown_number")
    assert ok(kiosk.get(f"/tickets/{waiting['id']}"))["status"] == "no_show"


def test_a_number_passed_at_pickup_is_checked_in_instead(hall: Hall) -> None:
    server, _clock, kiosk = hall
    w01, w03 = staff_client(server, "W01"), staff_client(server, "W03")
    w04 = staff_client(server, "W04")
    case = take(kiosk, "case", 1)
    for staff, code in ((w01, "W01"), (w03, "W03")):
        ok(staff.post(f"/counters/{code}/call-next"))
        ok(staff.post(f"/counters/{code}/start"))
        ok(staff.post(f"/counters/{code}/finish", json={"outcome": "next"}))
    assert passed_at(w04, "W04")["status"] == "ready"  # held for its holder (到号)
    refused(w04.post("/counters/W04/requeue", json={"number": case["number"], "call": True}),
            409, "check_in_first")
    refused(w01.post("/counters/W01/requeue", json={"number": case["number"]}), 409,
            "check_in_first")
    assert events(server, "ticket.requeued") == []
