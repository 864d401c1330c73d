"""Fixtures of the server tests: the test hall on a real server process, with terminals
enrolled through the same functions `provisioning enrol` uses and PINs set for every staff
member ("1234")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess

PIN = "1234"


@dataclass
class Hall:
    server: ServerProcess

    @property
    def db_url(self) -> str:
        return self.server.db_url

    def enrol(self, kind: str, name: str | None = None, counter: str | None = None,
              hall: str | None = None) -> str:
        from queue_server.auth import enrol_terminal
        from queue_server.store import Store

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
        terminal = self.client(self.enrol("counter", f"pad-{counter}-{staff_id}", counter, hall))
        resp = terminal.post("/auth/login", json={"staff": staff_id, "pin": PIN,
                                                  "counter": counter})
        assert resp.status_code == 200, resp.text
        terminal.headers["Authorization"] = f"Bearer {resp.json()['token']}"
        return terminal

    def issue(self, client: httpx.Client, service: str = "general", **body: Any) -> dict[str, Any]:
        resp = client.post("/tickets", json={"service": service, **body})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def set_all_pins(db_url: str) -> None:
    from sqlalchemy import select

    from queue_server.models import Staff
    from queue_server.security import hash_pin
    from queue_server.store import Store

    store = Store(db_url)
    digest = hash_pin(PIN)
    try:
        with store.write() as tx:
            for row in tx.session.scalars(select(Staff)):
                row.pin_hash = digest
    finally:
        store.close()


@pytest.fixture()
def hall(hall_db: str, run_server: Callable[..., ServerProcess]) -> Hall:
    set_all_pins(hall_db)
    return Hall(run_server(hall_db))
