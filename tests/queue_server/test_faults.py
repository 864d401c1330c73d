"""The night's device faults (GET /console/faults) through the HTTP API, on an in-process server
with a clock the test sets: a kiosk of the 24-hour room whose heartbeats stop (power lost) has
its link recorded offline from then, and back when it speaks again."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from queue_server.usecases import terminals
from tests.queue_server.inproc import (
    HALL_TZ,
    JOURNEY_HALL,
    Clock,
    InProcServer,
    enrol,
    journey_db,
    ok,
    staff_client,
)


@pytest.fixture()
def hall(tmp_path: Path) -> Any:
    config = tmp_path / "faults.toml"
    config.write_text(JOURNEY_HALL.read_text(encoding="utf-8")
                      + '\n[[staff]]\nid = "s002"\nname = "李强"\nrole = "supervisor"\n',
                      encoding="utf-8")
    clock = Clock(datetime(2026, 3, 9, 1, 50, tzinfo=HALL_TZ))  # Monday, 01:50 at night
    server = InProcServer(journey_db(tmp_path, config=config), clock)
    yield server, clock
    server.stop()


def test_a_kiosk_that_went_silent_at_night_is_in_the_morning_s_list(hall: Any) -> None:
    server, clock = hall
    kiosk = server.client(enrol(server.store.url, "kiosk", "k-24h"))
    pad = server.client(enrol(server.store.url, "pad", "pad-W01", "W01"))
    for client in (kiosk, pad):
        assert client.post("/terminals/heartbeat", json={"devices": {"printer": "ok"}}
                           ).status_code == 204
    assert terminals.mark_silent(server.store) == 0  # both just spoke
    clock.set(2026, 3, 9, 2, 10)  # twenty minutes without a heartbeat: power lost
    assert terminals.mark_silent(server.store) == 1  # the kiosk; a pad is off after hours
    assert terminals.mark_silent(server.store) == 0  # recorded once
    clock.set(2026, 3, 9, 7, 55)
    assert kiosk.post("/terminals/heartbeat", json={"devices": {"printer": "ok"}}
                      ).status_code == 204
    supervisor = staff_client(server, "W03", "s002")
    rows = ok(supervisor.get("/console/faults", params={"hours": "12"}))
    assert [(r["terminal"], r["device"], r["state"]) for r in rows] == [
        ("k-24h", "link", "offline")]
    began, ended = (datetime.fromisoformat(rows[0][k]).astimezone(HALL_TZ)
                    for k in ("began_at", "ended_at"))
    # from its last heartbeat, not from when the server noticed the silence
    assert (began.hour, began.minute, ended.hour, ended.minute) == (1, 50, 7, 55)


def test_a_call_display_silent_while_the_hall_is_open_is_recorded_from_the_opening(
        hall: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A board left off overnight is no fault at night; from the opening (08:30) it is, and
    it counts from then, not from its last heartbeat the evening before."""
    server, clock = hall
    board = server.client(enrol(server.store.url, "display", "board-1"))
    assert board.post("/terminals/heartbeat", json={"devices": {}}).status_code == 204
    clock.set(2026, 3, 9, 6, 0)  # the hall is closed: the board may well be off
    assert terminals.mark_silent(server.store) == 0
    clock.set(2026, 3, 9, 8, 31)  # open one minute: within the hall's 120 s
    assert terminals.mark_silent(server.store) == 0
    clock.set(2026, 3, 9, 8, 33)
    assert terminals.mark_silent(server.store) == 1
    assert terminals.mark_silent(server.store) == 0  # recorded once
    clock.set(2026, 3, 9, 8, 50)  # switched on
    caplog.set_level(logging.INFO, "queue_server")
    assert board.post("/terminals/heartbeat", json={"devices": {}}).status_code == 204
    assert "terminal board-1: link offline -> ok" in caplog.text  # not "devices changed"
    clock.set(2026, 3, 9, 12, 30)  # lunch: closed, and silent again, and no fault
    assert terminals.mark_silent(server.store) == 0
    supervisor = staff_client(server, "W03", "s002")
    rows = ok(supervisor.get("/console/faults", params={"hours": "12"}))
    assert [(r["terminal"], r["kind"], r["device"], r["state"]) for r in rows] == [
        ("board-1", "display", "link", "offline")]
    began, ended = (datetime.fromisoformat(rows[0][k]).astimezone(HALL_TZ)
                    for k in ("began_at", "ended_at"))
    assert (began.hour, began.minute, ended.hour, ended.minute) == (8, 30, 8, 50)
