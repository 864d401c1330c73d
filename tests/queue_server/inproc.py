"""The queue server in this process, on a real loopback port, with a clock the test sets
(`Clock`): what an appointment day needs (slots open and close, windows pass, days roll) and a
separate process cannot give. Same app, same store, same HTTP as `python -m queue_server`; the
store is built by the migrations."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn

from queue_server.api.app import create_app
from queue_server.api.guard import guarded
from queue_server.api.settings import Settings
from queue_server.api.stream import UVICORN_OPTIONS
from queue_server.db.store import Store
from tests.conftest import PG_ENV, fresh_pg_database
from tests.procs import free_port, load_test_hall

HALL_TZ = ZoneInfo("Asia/Shanghai")
JOURNEY_HALL = Path(__file__).resolve().parent / "data" / "journey.toml"


class Clock:
    """The hall's clock, set by the test (local wall time of the hall)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=HALL_TZ)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class InProcServer:
    """`guard`: uvicorn runs the connection guard's protocol, as `python -m queue_server`
    does."""

    def __init__(self, db_url: str, clock: Callable[[], datetime], guard: bool = False,
                 **settings: Any) -> None:
        self.port = free_port()
        self.store = Store(db_url, clock=clock)
        self.settings = replace(Settings(db_url=db_url, port=self.port), **settings)
        self.app = create_app(self.settings, self.store)
        http = {"http": guarded(self.settings.limits)} if guard else {}
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on", **UVICORN_OPTIONS, **http)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="inproc-server",
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str = "") -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=10.0)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def journey_db(tmp: Path, webhook: str | None = None, name: str = "journey.db",
               config: Path = JOURNEY_HALL, url: str | None = None) -> str:
    """An SQLite file (or the database at `url`) built by the migrations with the journey
    hall (webhook optional)."""
    url = url or f"sqlite:///{tmp / name}"
    text = config.read_text(encoding="utf-8")
    if webhook is not None:
        text = text.replace('open_days = "workdays"',
                            f'open_days = "workdays"\n\n[hall.notify]\nwebhook = "{webhook}"')
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    load_test_hall(url, path, hall_id="j1")
    return url


@contextlib.contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """An empty database of `kind` ("sqlite" file, or "pg" from KUAIBAN_TEST_PG, skipped
    without it)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'journey.db'}"
        return
    admin = os.environ.get(PG_ENV, "")
    if not admin:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
    yield from _once(fresh_pg_database(admin))


def _once(gen: Iterator[str]) -> Iterator[str]:
    url = next(gen)
    try:
        yield url
    finally:
        next(gen, None)


def enrol(db_url: str, kind: str, name: str, counter: str | None = None,
          hall: str = "j1") -> str:
    from queue_server.usecases.auth import enrol_terminal

    store = Store(db_url)
    try:
        return enrol_terminal(store, kind, name, counter, hall)[0]
    finally:
        store.close()


def staff_client(server: InProcServer, counter: str, staff: str = "s001") -> httpx.Client:
    from tests.queue_server.conftest import PIN, set_all_pins

    set_all_pins(server.store.url)
    terminal = server.client(enrol(server.store.url, "counter", f"pad-{counter}", counter))
    resp = terminal.post("/auth/login", json={"staff": staff, "pin": PIN, "counter": counter})
    assert resp.status_code == 200, resp.text
    terminal.headers["Authorization"] = f"Bearer {resp.json()['token']}"
    return terminal


def ok(resp: httpx.Response, status: int = 200) -> Any:
    """The answer's JSON, once its status is `status`."""
    assert resp.status_code == status, resp.text
    return resp.json()


def refused(resp: httpx.Response, status: int, code: str) -> None:
    """A refusal with `status` and `code`, said Chinese first beside the English."""
    assert resp.status_code == status, resp.text
    body = resp.json()["error"]
    assert body["code"] == code and " / " in body["message"], body
