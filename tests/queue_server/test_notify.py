"""Ready for pickup reaches the citizen through the hall's gateway: a webhook received on
loopback, signed with the hall's secret (HMAC-SHA256 over the exact body, the timestamp inside
it), carrying the phone given at intake and no ID number; retried with backoff while the
receiver fails; and durable across a restart of the server (the outbox)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provisioning.__main__ import main as provisioning_main
from queue_server.db.store import Store
from queue_server.domain.clock import utcnow
from queue_server.domain.sealing import sign
from queue_server.usecases import notify
from tests.queue_server.inproc import InProcServer, enrol, journey_db, staff_client
from tests.queue_server.test_appointment_day import person

HOLDER = person(31)
PHONE = "13912345678"


class Receiver:
    """A gateway on loopback: answers each POST with the next scripted status (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.arrived:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append((dict(self.headers), body, status))
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/kuaiban"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), \
                f"{len(self.received)} requests arrived, expected {count}"

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _secret(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert provisioning_main(["notify-secret", "--db", db, "--json"]) == 0
    return str(json.loads(capsys.readouterr().out)["secret"])


def _ready_case(server: InProcServer) -> str:
    """A case taken at the kiosk, its phone recorded at intake, approved on to pickup."""
    kiosk = server.client(enrol(server.store.url, "kiosk", f"k-{utcnow().timestamp()}"))
    ticket = kiosk.post("/tickets", json={"service": "case", "id_card": HOLDER}).json()
    intake, approval = staff_client(server, "W01"), staff_client(server, "W03")
    assert intake.post("/counters/W01/call-next").json()["id"] == ticket["id"]
    assert intake.post(f"/tickets/{ticket['id']}/delivery",
                       json={"method": "pickup", "phone": PHONE}).status_code == 200
    intake.post("/counters/W01/finish", json={"outcome": "next"}).raise_for_status()
    approval.post("/counters/W03/call-next").raise_for_status()
    approval.post("/counters/W03/finish", json={"outcome": "next"}).raise_for_status()
    return str(ticket["id"])


def test_signed_webhook_retried_until_the_gateway_takes_it(
        tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]) -> None:
    db = journey_db(tmp_path, webhook=receiver.url)
    secret = _secret(db, capsys)
    receiver.statuses = [500, 503]
    server = InProcServer(db, utcnow, notify_backoff_s=0.2)
    try:
        ticket = _ready_case(server)
        receiver.wait_for(3)
    finally:
        server.stop()
        server.store.close()
    assert [status for _h, _b, status in receiver.received] == [500, 503, 200]
    headers, body, _ = receiver.received[-1]
    assert headers["X-Kuaiban-Signature"] == sign(secret, body)
    assert headers["X-Kuaiban-Signature"] != sign("0" * 64, body)
    message = json.loads(body)
    assert message["event"] == "case.ready" and message["ticket"] == ticket
    assert message["timestamp"] == int(headers["X-Kuaiban-Timestamp"])
    assert message["phone"] == PHONE and message["track_url"].endswith(f"/t/{ticket}")
    assert HOLDER["number"].encode() not in body and HOLDER["name"].encode() not in body
    rows = _outbox(db)
    assert [(r["attempts"], r["sent_at"] is not None) for r in rows] == [(3, True)]


def test_a_message_survives_a_restart(tmp_path: Path, receiver: Receiver) -> None:
    db = journey_db(tmp_path, webhook=receiver.url)
    receiver.statuses = [500] * 100
    first = InProcServer(db, utcnow, notify_backoff_s=60.0)
    try:
        ticket = _ready_case(first)
        receiver.wait_for(1)
    finally:
        first.stop()
        first.store.close()
    rows = _outbox(db)
    assert len(rows) == 1 and rows[0]["sent_at"] is None and rows[0]["attempts"] == 1
    store = Store(db)
    try:  # its retry falls due now (as after a long outage)
        with store.write() as tx:
            tx.conn.execute(text("UPDATE outbox SET next_at = :t"), {"t": utcnow()})
    finally:
        store.close()
    receiver.statuses = []
    second = InProcServer(db, utcnow, notify_backoff_s=60.0)
    try:
        receiver.wait_for(2)
    finally:
        second.stop()
        second.store.close()
    assert [r[2] for r in receiver.received] == [500, 200]  # once more, and only once
    assert json.loads(receiver.received[-1][1])["ticket"] == ticket
    assert _outbox(db)[0]["sent_at"] is not None


def _outbox(db: str) -> list[dict[str, Any]]:
    store = Store(db)
    try:
        return notify.pending(store)
    finally:
        store.close()
