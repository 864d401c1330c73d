"""The night's device faults (GET /console/faults) through the HTTP API, on an in-process server
with a clock the test sets: a kiosk of the 24-hour room whose heartbeats stop (power lost) has
its link recorded offline from then, and back when it speaks again."""

from __future__ import annotations

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
