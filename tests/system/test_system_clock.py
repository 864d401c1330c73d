"""A day boundary and clock steps, through a clock the test controls (tests/system/inproc.py):
the hall rolls over by itself at midnight while open (its day watcher), numbering restarts,
tickets of the day before stay in their queues and are called first; a clock stepped back
across midnight (an NTP correction) rolls nothing back and duplicates no number; a jump forward
by days rolls once. Numbers stay unique and gapless per prefix and business day throughout."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from queue_server.db.models import Ticket
from queue_server.db.store import Store
from tests.system.conftest import PIN, provision
from tests.system.inproc import serving

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, now: datetime) -> None:
        with self._lock:
            self.now = now


def _wait(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _follow(base: str, token: str, events: list[dict[str, Any]], stop: threading.Event) -> None:
    import json

    with httpx.stream("GET", f"{base}/events", params={"after": 0}, timeout=None,
                      headers={"Authorization": f"Bearer {token}"}) as resp:
        for line in resp.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
            if stop.is_set():
                return


def test_day_boundary_and_clock_steps(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    hall = provision(url, tmp_path, "sys1", counters=1)
    day = datetime(2026, 3, 2, 23, 58, 0, tzinfo=TZ)
    clock = Clock(day)
    store = Store(url, clock=clock)
    events: list[dict[str, Any]] = []
    stop = threading.Event()
    with serving(store, day_check_s=0.1) as base:
        kiosk = httpx.Client(base_url=base, timeout=10,
                             headers={"Authorization": f"Bearer {hall.kiosk}"})
        session = httpx.post(f"{base}/auth/login", timeout=10, json={
            "staff": "s01", "pin": PIN, "counter": "C01"},
            headers={"Authorization": f"Bearer {hall.counter_terminals['C01']}"}).json()["token"]
        counter = httpx.Client(base_url=base, timeout=10,
                               headers={"Authorization": f"Bearer {session}"})
        board = threading.Thread(target=_follow, args=(base, hall.display, events, stop),
                                 daemon=True)
        board.start()

        def take() -> str:
            resp = kiosk.post("/tickets", json={"service": "general"})
            assert resp.status_code == 201, resp.text
            return str(resp.json()["number"])

        def rolled() -> list[str]:
            return [e["day"] for e in events if e["type"] == "day.rolled"]

        _wait(lambda: rolled() == ["2026-03-02"])  # the first look at the hall
        assert [take(), take(), take()] == ["A001", "A002", "A003"]
        first = counter.post("/counters/C01/call-next").json()["number"]
        assert first == "A001"
        clock.set(day + timedelta(minutes=2, seconds=5))  # 00:00:05: midnight, hall open
        _wait(lambda: rolled() == ["2026-03-02", "2026-03-03"])
        assert take() == "A001"  # a new day's numbers
        # yesterday's waiting tickets keep their place, ahead of today's
        assert counter.post("/counters/C01/call-next").json()["number"] == "A002"
        clock.set(day + timedelta(seconds=30))  # stepped back across midnight
        assert take() == "A004"  # the day before's numbers go on: unique all the same
        time.sleep(0.5)  # several rounds of the day watcher (every 0.1 s): no roll back
        assert rolled() == ["2026-03-02", "2026-03-03"]
        clock.set(day + timedelta(minutes=3))  # back to the right time
        assert take() == "A002"
        clock.set(day + timedelta(days=3))  # a jump forward by days: one roll
        _wait(lambda: len(rolled()) == 3)
        assert rolled()[-1] == "2026-03-05" and take() == "A001"
        stop.set()
        kiosk.post("/tickets", json={"service": "general"})  # an event to end the board
        board.join(5)
        kiosk.close()
        counter.close()
    with store.read() as s:
        numbers: dict[tuple[str, object], list[int]] = defaultdict(list)
        for t in s.scalars(select(Ticket)):
            numbers[(t.prefix, t.day)].append(t.seq)
    store.close()
    for key, seqs in numbers.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), key
    assert {str(d) for _, d in numbers} == {"2026-03-02", "2026-03-03", "2026-03-05"}
