"""A display that loses its event stream and reconnects with `after=` its last id gets every
later event exactly once, in order, while kiosks and counters keep working — over SSE and over
WebSocket, against the real server process (CONTRACT §4). On PostgreSQL the hall writes through
one server process while the display follows another and reconnects to each in turn (the
events cross processes by LISTEN/NOTIFY, as behind a load balancer)."""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.system.conftest import SERVICES, SystemHall, api, read_events

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def _busy_hall(hall: SystemHall, server: Any, stop: threading.Event) -> None:
    """Issue tickets and call them at C01 until stopped: a steady trickle of events."""
    session = hall.login(server, "C01")
    with api(server, hall.kiosk) as kiosk, api(server, session) as counter:
        n = 0
        while not stop.is_set():
            n += 1
            resp = kiosk.post("/tickets", json={"service": SERVICES[n % len(SERVICES)][0]},
                              headers={"Idempotency-Key": uuid.uuid4().hex})
            assert resp.status_code == 201, resp.text
            if n % 2 == 0:
                assert counter.post("/counters/C01/call-next").status_code == 200
                assert counter.post("/counters/C01/finish",
                                    json={"outcome": "done"}).status_code == 200
            time.sleep(0.01)


def _offline(seconds: float) -> tuple[float, float]:
    """Stay disconnected a while; answer the wall-clock interval."""
    start = time.time()
    time.sleep(seconds)
    return start, time.time()


def _ws_leg(server: Any, token: str, after: int, count: int) -> list[dict[str, Any]]:
    url = server.api(f"/events/ws?after={after}").replace("http://", "ws://")
    with ws_connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert ws.response is not None  # offered permessage-deflate, the server declines it
        assert "deflate" not in (ws.response.headers.get("Sec-WebSocket-Extensions") or "")
        return [json.loads(ws.recv(timeout=10)) for _ in range(count)]


def test_reconnecting_subscriber_gets_every_event_once(
        system_hall: Callable[..., SystemHall], db_url: str) -> None:
    hall = system_hall(counters=1)
    server = writes = hall.start()
    if db_url.startswith("postgresql"):
        server = hall.start()  # the display follows another process than the one written to
    stop = threading.Event()
    writer = threading.Thread(target=_busy_hall, args=(hall, writes, stop))
    writer.start()
    got: list[dict[str, Any]] = []
    try:
        # Three legs, the stream dropped between them while events keep coming.
        got += read_events(server, hall.display, 0, until=lambda ev: len(ev) >= 15)
        gaps = [_offline(0.4)]
        got += _ws_leg(writes, hall.display, got[-1]["id"], 15)
        gaps.append(_offline(0.4))
        got += read_events(server, hall.display, got[-1]["id"], until=lambda ev: len(ev) >= 15)
    finally:
        stop.set()
        writer.join(10)
    got += read_events(server, hall.display, got[-1]["id"])  # the tail, until quiet
    truth = read_events(server, hall.display, 0)
    ids = [e["id"] for e in got]
    assert len(ids) == len(set(ids)), "an event came twice"
    assert ids == sorted(ids)
    assert got == truth  # none missed, same content
    assert {"ticket.issued", "ticket.called", "ticket.finished"} <= {e["type"] for e in got}
    for start, end in gaps:  # events made while disconnected came on the next leg
        assert any(start < datetime.fromisoformat(e["at"]).timestamp() < end for e in got)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sigterm_ends_event_streams_cleanly(system_hall: Callable[..., SystemHall]) -> None:
    """A stopping server ends its streams properly (SSE: the last chunk; WebSocket: a close
    frame), so displays reconnect at once instead of waiting for a timeout."""
    hall = system_hall(counters=1)
    server = hall.start()
    head = read_events(server, hall.display, 0)[-1]["id"]
    url = server.api(f"/events/ws?after={head}").replace("http://", "ws://")
    outcome: dict[str, object] = {}

    def follow_sse() -> None:
        try:
            with httpx.stream("GET", server.api("/events"), params={"after": head}, timeout=20,
                              headers={"Authorization": f"Bearer {hall.display}"}) as resp:
                for _ in resp.iter_lines():
                    pass
            outcome["sse"] = "ended"
        except httpx.HTTPError as exc:
            outcome["sse"] = repr(exc)

    with ws_connect(url, additional_headers={"Authorization": f"Bearer {hall.display}"}) as ws:
        sse = threading.Thread(target=follow_sse)
        sse.start()
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        sse.join(10)
    assert server.proc.wait(10) is not None
    assert closed.value.rcvd is not None and closed.value.rcvd.code in (1001, 1012)
    assert outcome == {"sse": "ended"}
