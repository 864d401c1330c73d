"""The kiosk's client keeps trying an issue with the same Idempotency-Key when the server says
503 (here `busy`: another process holds the SQLite write lock longer than the server's lock
timeout), waiting what Retry-After asks, and the hall gets exactly one ticket."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import httpx

from kiosk.client import ApiError, QueueClient
from queue_server import wire
from tests.procs import ServerProcess


class Recording(httpx.HTTPTransport):
    """The real transport, noting each answer's status and error code."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str] = []
        self.seen = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        resp = super().handle_request(request)
        resp.read()
        code = resp.json().get("error", {}).get("code", "") if resp.status_code >= 400 else ""
        self.answers.append(f"{resp.status_code} {code}".strip())
        if resp.status_code == 503:
            self.seen.set()
        return resp


def test_issue_waits_out_a_503_and_retries_with_the_same_key(
        hall_db: str, run_server: Callable[..., ServerProcess]) -> None:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(hall_db)
    token, _ = enrol_terminal(store, "kiosk", "k1", hall="t1")
    store.close()
    server = run_server(hall_db, "--lock-timeout", "0.2")
    transport = Recording()
    client = QueueClient(server.url, token, transport=transport)
    blocker = sqlite3.connect(hall_db.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(
        client.issue(wire.TicketCreate(service="general"), idempotency_key="same-key")),
        daemon=True)
    worker.start()
    try:
        assert transport.seen.wait(10), transport.answers
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    worker.join(15)
    client.close()
    assert transport.answers[0] == "503 busy" and transport.answers[-1] == "201"
    assert isinstance(result[0], wire.TicketIssued)
    with sqlite3.connect(hall_db.removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM idempotency_keys WHERE key = 'same-key'"
                          ).fetchone()[0] == 1


def test_a_refusal_is_not_retried(hall_db: str, run_server: Callable[..., ServerProcess]) -> None:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(hall_db)
    token, _ = enrol_terminal(store, "kiosk", "k2", hall="t1")
    store.close()
    transport = Recording()
    client = QueueClient(run_server(hall_db).url, token, transport=transport)
    try:
        client.issue(wire.TicketCreate(service="nosuch"))
    except ApiError as exc:
        assert exc.status == 400 and not exc.transient
    else:
        raise AssertionError("an unknown service was accepted")
    finally:
        client.close()
    assert transport.answers == ["400 unknown_service"]
