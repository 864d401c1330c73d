"""The public endpoints are rate-limited (CONTRACT.md §6): per client address and per ID
number, answered 429 with a code and `Retry-After`, never echoing the ID number; the clock of
the limits is the process's, so a test waits for the refill it was told about."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from queue_server.api.ratelimit import Bucket, RateLimited
from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, journey_db
from tests.queue_server.test_appointment_day import person


def test_bucket_refills_evenly() -> None:
    """The server's one token bucket (the public pages' limits are built on it): three a
    minute allows three at once, then one every 20 s, per key."""
    now = [0.0]
    bucket = Bucket(3, burst=3, clock=lambda: now[0])
    for _ in range(3):
        bucket.take("a")
    with pytest.raises(RateLimited) as wait:
        bucket.take("a")
    assert wait.value.retry_after == 20
    bucket.take("b")
    now[0] = 20.0
    bucket.take("a")
    with pytest.raises(RateLimited):
        bucket.take("a")


def test_429_per_client_and_per_id_number(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ))
    server = InProcServer(journey_db(tmp_path), clock, public_writes_per_min=4,
                          public_per_id_per_hour=2)
    try:
        api = server.client()
        who = person(51)
        body = {"service": "case", "start": "2026-03-09T09:00:00+08:00", "id_card": who}
        assert api.post("/appointments", json=body).status_code == 201
        assert api.post("/appointments", json=body).status_code == 409  # already_booked
        third = api.post("/appointments", json=body)
        assert third.status_code == 429, third.text
        assert third.json()["error"]["code"] == "rate_limited_id"
        assert int(third.headers["Retry-After"]) > 1000  # two an hour: a half hour to wait
        assert who["number"] not in third.text
        other = {**body, "id_card": person(52)}
        assert api.post("/appointments", json=other).status_code == 201  # 4th write
        fifth = api.post("/appointments", json={**body, "id_card": person(53)})
        assert fifth.status_code == 429 and fifth.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(fifth.headers["Retry-After"]) <= 16
        reads = [api.get("/public/hall").status_code for _ in range(30)]
        assert 24 <= reads.count(200) <= 25 and reads[-1] == 429  # reads: six times the writes
    finally:
        server.stop()
        server.store.close()
