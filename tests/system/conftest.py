"""End-to-end fixtures: a hall set up by the administrator's command (`provisioning init`,
`enrol`, `staff` through its entry point in this process, `server_process.hall`) and the real
`python -m queue_server` as a process on a free loopback port — on an SQLite file, and on a
PostgreSQL database of the test's own when `KUAIBAN_TEST_PG` is set."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from server_process import ServerProcess, start_server
from server_process.hall import init_hall, provisioning

PIN = "135790"
COUNTERS = 8
SERVICES = (("general", "A"), ("tax", "B"), ("social", "C"))


def hall_toml(hall_id: str, counters: int = COUNTERS) -> str:
    parts = [f'[hall]\nid = "{hall_id}"\nname = "系统测试大厅"\ntimezone = "Asia/Shanghai"\n'
             'day_starts = "00:00"\nannounce = "请{number}号到{counter}办理"\n']
    for code, prefix in SERVICES:
        parts.append(f'\n[[services]]\ncode = "{code}"\nname = "业务{prefix}"\nprefix = "{prefix}"\n'
                     'route = ["intake"]\n')
    codes = json.dumps([code for code, _ in SERVICES])
    for i in range(1, counters + 1):
        parts.append(f'\n[[counters]]\ncode = "C{i:02d}"\nname = "{i}号窗口"\nzone = "intake"\n'
                     f"services = {codes}\n")
        parts.append(f'\n[[staff]]\nid = "s{i:02d}"\nname = "职员{i}"\nrole = "staff"\n')
    return "".join(parts)



@dataclass
class SystemHall:
    """A provisioned hall and the servers running on its database."""

    id: str
    db_url: str
    workdir: Path
    kiosk: str = ""
    display: str = ""
    counter_terminals: dict[str, str] = field(default_factory=dict)  # code -> terminal token
    servers: list[ServerProcess] = field(default_factory=list)

    def start(self, *args: str, port: int | None = None) -> ServerProcess:
        server = start_server(self.db_url, self.workdir, *args, port=port)
        self.servers.append(server)
        return server

    def login(self, server: ServerProcess, code: str) -> str:
        """A staff session at counter `code` (staff sNN works at counter CNN)."""
        resp = httpx.post(server.api("/auth/login"), timeout=30,
                          json={"staff": f"s{code[1:]}", "pin": PIN, "counter": code},
                          headers={"Authorization": f"Bearer {self.counter_terminals[code]}"})
        assert resp.status_code == 200, resp.text
        return str(resp.json()["token"])

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


def provision(db_url: str, workdir: Path, hall_id: str, counters: int = COUNTERS) -> SystemHall:
    init_hall(db_url, hall_toml(hall_id, counters))
    hall = SystemHall(hall_id, db_url, workdir)

    def enrol(kind: str, name: str, *extra: str) -> str:
        out = provisioning("enrol", "--db", db_url, "--kind", kind, "--name", name,
                           "--hall", hall_id, *extra, "--json")
        return str(json.loads(out)["token"])

    hall.kiosk = enrol("kiosk", "sys-kiosk")
    hall.display = enrol("display", "sys-display")
    provisioning("staff", "--db", db_url, "--id", "s01", "--hall", hall_id, "--pin-stdin",
                 stdin=PIN + "\n")
    for i in range(1, counters + 1):
        code = f"C{i:02d}"
        if i > 1:
            provisioning("staff", "--db", db_url, "--id", f"s{i:02d}", "--hall", hall_id,
                         "--pin-stdin", stdin=PIN + "\n")
        hall.counter_terminals[code] = enrol("counter", f"sys-{code}", "--counter", code)
    return hall


@pytest.fixture(params=["sqlite", "pg"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of the test: an SQLite file, or (when KUAIBAN_TEST_PG is set) a fresh
    PostgreSQL database made for the test and dropped after it."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hall.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def system_hall(db_url: str, tmp_path: Path) -> Iterator[Callable[..., SystemHall]]:
    made: list[SystemHall] = []

    def make(counters: int = COUNTERS) -> SystemHall:
        hall = provision(db_url, tmp_path, "sys1", counters)
        made.append(hall)
        return hall

    yield make
    for hall in made:
        hall.stop_all()


def api(server: ServerProcess, token: str, timeout: float = 10.0) -> httpx.Client:
    return httpx.Client(base_url=server.api(""), timeout=timeout,
                        headers={"Authorization": f"Bearer {token}"})


def read_events(server: ServerProcess, token: str, after: int, *, until: Callable[
        [list[dict[str, Any]]], bool] | None = None, quiet: float = 1.0,
        timeout: float = 10.0) -> list[dict[str, Any]]:
    """Events from the SSE stream after `after`: until `until(events)` holds, or (without it)
    until the stream has been quiet for `quiet` seconds."""
    events: list[dict[str, Any]] = []
    limit = httpx.Timeout(timeout, read=quiet if until is None else timeout)
    last_id = None
    with contextlib.suppress(httpx.ReadTimeout), httpx.stream(
            "GET", server.api("/events"), params={"after": after}, timeout=limit,
            headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status_code == 200, resp.read()
        for line in resp.iter_lines():
            if line.startswith("id: "):
                last_id = int(line[4:])
            elif line.startswith("data: "):
                event = json.loads(line[6:])
                assert event["id"] == last_id
                events.append(event)
                if until is not None and until(events):
                    break
    return events
