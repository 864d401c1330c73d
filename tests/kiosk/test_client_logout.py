"""The pad's 退出 ends the staff session on the server (it only forgot the token: the counter
stayed staffed and the token worked for 12 hours), in the background, and a logout while the
server is away holds nothing up."""

from __future__ import annotations

import threading
import time

import httpx

from kiosk.client import QueueClient
from server_process.halls import KIOSK_PIN
from tests.kiosk.hall import Hall


class Watching(httpx.HTTPTransport):
    """The real transport, telling when a logout was answered."""

    def __init__(self) -> None:
        super().__init__()
        self.logged_out = threading.Event()
        self.status = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        resp = super().handle_request(request)
        if request.url.path.endswith("/auth/logout"):
            self.status = resp.status_code
            self.logged_out.set()
        return resp


def test_logout_ends_the_session_on_the_server(hall: Hall) -> None:
    watch = Watching()
    client = QueueClient(hall.url, hall.counter_token, transport=watch)
    try:
        client.login("s001", KIOSK_PIN, "W01")
        token = client.staff_token
        assert client.counter("W01").staff == "s001"
        client.logout()
        assert client.staff_token == ""  # forgotten at once
        assert watch.logged_out.wait(5) and watch.status == 204
        refused = httpx.get(f"{hall.url}/api/v1/counters/W01", timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401
        board = {c.code: c for c in client.counters()}
        assert board["W01"].staff is None
    finally:
        client.close()


def test_a_logout_with_the_server_away_returns_at_once() -> None:
    client = QueueClient("http://127.0.0.1:9", "kbt_x", timeout=3.0)  # nothing listens there
    client.staff_token = "kbs_gone"
    began = time.monotonic()
    client.logout()
    assert client.staff_token == "" and time.monotonic() - began < 0.5
    client.close()
