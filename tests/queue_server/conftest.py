"""Fixtures of the server tests. One real server process per test module on an SQLite file
built by the migrations; each test gets a hall of its own in it (the test hall loaded under a
fresh id, with its bank outpost), so tests never see each other's tickets and the server's
multi-hall tenancy is exercised all along. Terminals are enrolled through the functions
`provisioning enrol` uses; every staff member's PIN is "1234"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.procs import ServerProcess, load_test_hall, start_server

PIN = "1234"


@dataclass
class Hall:
    server: ServerProcess
    id: str
    outpost: str

    @property
    def db_url(self) -> str:
        return self.server.db_url

    def enrol(self, kind: str, name: str | None = None, counter: str | None = None,
              hall: str | None = None) -> str:
        from queue_server.db.store import Store
        from queue_server.usecases.auth import enrol_terminal

        hall = hall or (self.outpost if kind == "bank" else self.id)
        store = Store(self.db_url)
        try:
            token, _ = enrol_terminal(store, kind, name or f"{kind}-{counter or ''}", counter,
                                      hall)
        finally:
            store.close()
        return token

    def client(self, token: str = "") -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.api(""), headers=headers, timeout=10.0)

    def staff(self, counter: str, staff_id: str = "s001", hall: str | None = None
              ) -> httpx.Client:
        """A client holding a staff session at `counter`."""
        terminal = self.client(self.enrol("counter", f"pad-{counter}-{staff_id}", counter,
                                          hall or self.id))
        resp = terminal.post("/auth/login", json={"staff": staff_id, "pin": PIN,
                                                  "counter": counter})
        assert resp.status_code == 200, resp.text
        terminal.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        return terminal

    def admin(self) -> httpx.Client:
        """A client holding an administrator token (reads every hall's figures)."""
        from queue_server.db.store import Store
        from queue_server.usecases.auth import make_admin_token

        store = Store(self.db_url)
        try:
            return self.client(make_admin_token(store))
        finally:
            store.close()

    def issue(self, client: httpx.Client, service: str = "general", **body: Any) -> dict[str, Any]:
        resp = client.post("/tickets", json={"service": service, **body})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def set_all_pins(db_url: str, halls: tuple[str, ...] | None = None) -> None:
    from sqlalchemy import select

    from queue_server.db.models import Staff
    from queue_server.db.store import Store
    from queue_server.domain.security import hash_pin

    store = Store(db_url)
    digest = hash_pin(PIN)
    try:
        with store.write() as tx:
            query = select(Staff)
            if halls is not None:
                query = query.where(Staff.hall.in_(halls))
            for row in tx.session.scalars(query):
                row.pin_hash = digest
    finally:
        store.close()


def new_hall(server: ServerProcess) -> Hall:
    tag = uuid.uuid4().hex[:8]
    hall_id, outpost = f"t{tag}", f"b{tag}"
    load_test_hall(server.db_url, hall_id=hall_id, outpost_id=outpost)
    set_all_pins(server.db_url, (hall_id, outpost))
    return Hall(server, hall_id, outpost)


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("server")
    url = f"sqlite:///{tmp / 'halls.db'}"
    load_test_hall(url)
    server = start_server(url, tmp)
    yield server
    server.stop()


@pytest.fixture()
def hall(module_server: ServerProcess) -> Hall:
    """A hall of this test's own on the module's server."""
    return new_hall(module_server)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def journey(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """(server, clock): the journey's test hall on an in-process server with a clock the test
    sets, on SQLite and on PostgreSQL; starts Friday 2026-03-06 10:00 in the hall."""
    from datetime import datetime

    from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, database, journey_db

    with database(request.param, tmp_path) as url:
        clock = Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ))
        server = InProcServer(journey_db(tmp_path, url=url), clock,
                              public_writes_per_min=1000, public_per_id_per_hour=1000)
        yield server, clock
        server.stop()
        server.store.close()
