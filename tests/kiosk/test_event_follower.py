"""The event follower of the board and the counter against the real server: online as soon as
the server takes the stream, not at the next event (after a restart a quiet hall sends none for
minutes, and both said "offline" with stale counts until someone took a number)."""

from __future__ import annotations

import threading

from kiosk.client import EventFollower, QueueClient
from queue_server import wire
from tests.kiosk.hall import Hall


def test_a_quiet_hall_s_stream_is_online_before_any_event(hall: Hall) -> None:
    client = QueueClient(hall.url, hall.kiosk_token)
    seen: list[wire.Event] = []
    online = threading.Event()
    # after a far-future id: the stream opens and stays quiet (no event to report)
    follower = EventFollower(client, seen.append,
                             lambda up: online.set() if up else online.clear(),
                             after=10**9, retry_s=0.2)
    follower.start()
    try:
        assert online.wait(10), "still offline though the server took the stream"
        assert seen == []
    finally:
        follower.stop(1.0)
        client.close()
