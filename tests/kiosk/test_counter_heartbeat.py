"""The counter pad's heartbeat, as the kiosk's (and the call display's): once the pad starts it
POSTs /terminals/heartbeat (the kiosk's body and interval), so the console's live hall says the
pad is connected instead of "never seen"; once it stops, the beats stop (and the console says
offline after the hall's `terminal_offline_s`)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from pytestqt.qtbot import QtBot

from kiosk import runtime
from kiosk.client import QueueClient
from kiosk.counter import HEARTBEAT_S, CounterModel
from kiosk.display import BoardModel
from server_process.hall import provisioning
from tests.kiosk.hall import PIN, Hall

pytestmark = pytest.mark.timeout(60)


def terminal(hall: Hall, admin: str, name: str) -> dict[str, object]:
    resp = httpx.get(f"{hall.url}/api/v1/console/live", timeout=5,
                     headers={"Authorization": f"Bearer {admin}"})
    assert resp.status_code == 200, resp.text
    return next(t for t in resp.json()["terminals"] if t["name"] == name)


def test_the_pad_beats_like_the_kiosk_and_stops_when_it_stops(qtbot: QtBot, hall: Hall) -> None:
    assert HEARTBEAT_S == runtime.HEARTBEAT_S  # the same interval as the kiosk's
    admin = json.loads(provisioning("admin-token", "--db", hall.db, "--json"))["token"]
    name = "c-heartbeat"
    token = hall.enrol("counter", name, counter="W01")
    assert terminal(hall, admin, name)["state"] == "never"
    model = CounterModel(QueueClient(hall.url, token), "W01", heartbeat_s=0.2)
    model.prepare()  # the pad is up, nobody logged in yet
    qtbot.waitUntil(lambda: terminal(hall, admin, name)["state"] == "ok", timeout=10000)
    model.login("s001", PIN)  # it keeps beating while staff work (staff token or not)
    qtbot.waitUntil(lambda: model.state is not None, timeout=10000)
    first = terminal(hall, admin, name)["last_seen"]
    qtbot.waitUntil(lambda: terminal(hall, admin, name)["last_seen"] != first, timeout=5000)
    model.stop()
    last = terminal(hall, admin, name)["last_seen"]
    time.sleep(0.8)  # four beats' time: none came
    assert terminal(hall, admin, name)["last_seen"] == last
    assert not model.heartbeat._thread or not model.heartbeat._thread.is_alive()


def test_the_call_display_beats_too(qtbot: QtBot, hall: Hall) -> None:
    """A board's event stream tells the server nothing of it: without beats the console said
    a board in use was never seen, and a dark one could not be told from it."""
    admin = json.loads(provisioning("admin-token", "--db", hall.db, "--json"))["token"]
    name = "board-heartbeat"
    token = hall.enrol("display", name)
    assert terminal(hall, admin, name)["state"] == "never"
    model = BoardModel(QueueClient(hall.url, token), heartbeat_s=0.2)
    model.start()
    qtbot.waitUntil(lambda: terminal(hall, admin, name)["state"] == "ok", timeout=10000)
    first = terminal(hall, admin, name)["last_seen"]
    qtbot.waitUntil(lambda: terminal(hall, admin, name)["last_seen"] != first, timeout=5000)
    model.stop()
    last = terminal(hall, admin, name)["last_seen"]
    time.sleep(0.8)
    assert terminal(hall, admin, name)["last_seen"] == last
