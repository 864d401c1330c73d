"""A revoked terminal's open event streams end (an outside check revoked a display and its
open stream went on receiving `ticket.issued` for as long as it stayed connected; new requests
were already refused). Real server process; SSE and WebSocket; a stream of another terminal
goes on."""

from __future__ import annotations

import threading

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from provisioning.terminals import revoke
from queue_server.db.store import Store
from tests.queue_server.conftest import Hall


def _follow_sse(url: str, token: str, ended: threading.Event, seen: list[str]) -> None:
    with httpx.stream("GET", url, params={"after": 0}, timeout=httpx.Timeout(5, read=30),
                      headers={"Authorization": f"Bearer {token}"}) as resp:
        for line in resp.iter_lines():
            if line.startswith("data:"):
                seen.append(line)
    ended.set()


def test_revoking_a_terminal_ends_its_open_streams(hall: Hall) -> None:
    display = hall.enrol("display", "display-revoked")
    other = hall.enrol("display", "display-kept")
    kiosk = hall.client(hall.enrol("kiosk", "kiosk-revoke-test"))
    url = hall.server.api("/events")
    ended, seen = threading.Event(), []  # type: ignore[var-annotated]
    reader = threading.Thread(target=_follow_sse, args=(url, display, ended, seen), daemon=True)
    reader.start()
    ws_url = url.replace("http://", "ws://") + "/ws?after=0"
    with connect(ws_url, additional_headers={"Authorization": f"Bearer {display}"}) as doomed, \
            connect(ws_url, additional_headers={"Authorization": f"Bearer {other}"}) as kept:
        hall.issue(kiosk)
        doomed.recv(timeout=10)
        kept.recv(timeout=10)
        store = Store(hall.db_url)
        try:
            revoke(store, name="display-revoked", hall=hall.id)
        finally:
            store.close()
        assert ended.wait(15), "the revoked display's SSE stream went on"
        try:
            while True:  # what came before the revocation, then the end
                doomed.recv(timeout=15)
        except ConnectionClosed:
            pass
        while "terminal.revoked" not in str(kept.recv(timeout=15)):
            pass  # the other display hears the revocation, and stays
        second = hall.issue(kiosk)
        while second["id"] not in str(kept.recv(timeout=10)):
            pass
    refused = httpx.get(url, params={"after": 0}, headers={"Authorization": f"Bearer {display}"},
                        timeout=10)
    assert refused.status_code == 401
