"""A hall served over real HTTP on loopback with a clock the test sets: the real app
(`create_app`) on uvicorn in a thread, over a Store whose clock is a `FakeClock`. Used by the
figures tests to play a day with known times, and read it back through the public API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import uvicorn

from queue_server.api.app import create_app
from queue_server.api.settings import Settings
from queue_server.db.store import Store
from queue_server.domain.security import rating_code
from queue_server.usecases.auth import enrol_terminal, make_admin_token
from queue_server.usecases.halls import load_hall
from tests.procs import free_port, load_test_hall
from tests.queue_server.conftest import PIN, set_all_pins


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class LiveHall:
    url: str
    store: Store
    clock: FakeClock
    hall: str = "t1"
    admin: str = ""
    kiosk: str = ""
    pad: str = ""
    staff: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, token: str = "") -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=20.0)

    def issue(self, service: str, **body: Any) -> dict[str, Any]:
        with self.client(self.kiosk) as c:
            resp = c.post("/tickets", json={"service": service, **body})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def login(self, counter: str, staff_id: str) -> None:
        if counter in self.staff:
            self.staff.pop(counter).close()
        token = enrol_terminal(self.store, "counter", f"pad-{counter}", counter, self.hall)[0]
        c = self.client(token)
        resp = c.post("/auth/login", json={"staff": staff_id, "pin": PIN, "counter": counter})
        assert resp.status_code == 200, resp.text
        c.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        self.staff[counter] = c

    def act(self, counter: str, action: str, body: dict[str, Any] | None = None,
            ok: tuple[int, ...] = (200,)) -> dict[str, Any] | None:
        resp = self.staff[counter].post(f"/counters/{counter}/{action}", json=body or {})
        assert resp.status_code in ok, resp.text
        return dict(resp.json()) if resp.status_code == 200 else None

    def rate(self, ticket: str, level: int) -> None:
        with self.store.read() as s:  # the citizen's proof: the code of the ticket's QR link
            info = load_hall(s, self.hall)
        assert info is not None
        body: dict[str, Any] = {"ticket": ticket, "level": level,
                                "rating_code": rating_code(info.secret, ticket)}
        if level <= 2:
            body["reasons"] = ["slow"]
        with self.client(self.pad) as c:
            resp = c.post("/evaluations", json=body)
        assert resp.status_code == 201, resp.text

    def kpi(self, **query: str) -> dict[str, Any]:
        with self.client(self.admin) as c:
            resp = c.get("/reports/kpi", params=query)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        with self.client(self.admin) as c:
            resp = c.get(f"/tickets/{ticket_id}")
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def events(self) -> list[dict[str, Any]]:
        """Every event of the hall so far, read from the SSE stream until the last one."""
        with self.store.read() as s:
            from sqlalchemy import func, select

            from queue_server.db.models import EventRow
            last = int(s.execute(select(func.max(EventRow.id)).where(
                EventRow.hall == self.hall)).scalar() or 0)
        out: list[dict[str, Any]] = []
        with self.client(self.kiosk) as c, c.stream("GET", "/events",
                                                    params={"after": 0}) as resp:
            for line in resp.iter_lines():
                if line.startswith("data:"):
                    out.append(json.loads(line[5:]))
                    if out[-1]["id"] >= last:
                        break
        return out


@contextmanager
def live_hall(db_url: str, start: datetime, **settings: Any) -> Iterator[LiveHall]:
    """The test hall (tests/queue_server/data/hall.toml) on `db_url`, served on loopback."""
    load_test_hall(db_url)
    set_all_pins(db_url)
    clock = FakeClock(start)
    store = Store(db_url, clock=clock)
    port = free_port()
    app = create_app(Settings(db_url=db_url, port=port, **{"day_check_s": 3600, **settings}),
                     store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    hall = LiveHall(f"http://127.0.0.1:{port}", store, clock)
    hall.admin = make_admin_token(store)
    hall.kiosk = enrol_terminal(store, "kiosk", "kiosk-1", None, "t1")[0]
    hall.pad = enrol_terminal(store, "pad", "pad-1", None, "t1")[0]
    try:
        yield hall
    finally:
        for c in hall.staff.values():
            c.close()
        server.should_exit = True
        thread.join(15)
