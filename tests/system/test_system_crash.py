"""kill -9 of the server while kiosks issue tickets, then a restart: every acknowledged ticket
is there with its number, and after the unacknowledged requests are retried with the same
Idempotency-Keys no number is duplicated or skipped (CONTRACT §3 guarantees)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.system.conftest import SERVICES, SystemHall, api, read_events

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def _load(server: Any, token: str, acked: dict[str, dict[str, Any]], sent: dict[str, str],
          unacked: set[str], stop: threading.Event, k: int) -> None:
    with api(server, token, timeout=5) as client:
        n = 0
        while not stop.is_set():
            n += 1
            key, service = uuid.uuid4().hex, SERVICES[(k + n) % len(SERVICES)][0]
            sent[key] = service
            try:
                resp = client.post("/tickets", json={"service": service},
                                   headers={"Idempotency-Key": key})
            except httpx.HTTPError:
                unacked.add(key)  # the server died under this request
                continue
            if resp.status_code == 201:
                acked[key] = resp.json()
            else:
                assert resp.status_code == 503, resp.text  # busy is allowed, an error is not
                unacked.add(key)


def test_kill9_under_load_then_restart(system_hall: Callable[..., SystemHall]) -> None:
    hall = system_hall(counters=1)
    server = hall.start()
    acked: dict[str, dict[str, Any]] = {}
    sent: dict[str, str] = {}
    unacked: set[str] = set()
    stop = threading.Event()
    threads = [threading.Thread(target=_load, args=(server, hall.kiosk, acked, sent, unacked,
                                                    stop, k)) for k in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 6
    while len(acked) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    # SIGKILL, no shutdown, no flush, with requests in flight; then no new requests. (Stopping
    # first left none in flight when the kill came late on a busy machine.)
    server.kill()
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acked) >= 30, "the load never got going"
    assert unacked, "no request failed at the kill"

    server = hall.start()
    final: dict[str, dict[str, Any]] = dict(acked)
    with api(server, hall.kiosk) as client:
        for key in sorted(unacked):  # retry what was never answered, with the same key
            resp = client.post("/tickets", json={"service": sent[key]},
                               headers={"Idempotency-Key": key})
            assert resp.status_code in (200, 201), resp.text
            final[key] = resp.json()
        for key in list(acked)[:30]:  # a retry of an answered request gets the same ticket
            resp = client.post("/tickets", json={"service": sent[key]},
                               headers={"Idempotency-Key": key})
            assert resp.status_code in (200, 201), resp.text
            assert (resp.json()["id"], resp.json()["number"]) == (acked[key]["id"],
                                                                  acked[key]["number"])
        for ticket in acked.values():  # every acknowledged ticket survived the crash
            resp = client.get(f"/tickets/{ticket['id']}")
            assert resp.status_code == 200, resp.text
            assert resp.json()["number"] == ticket["number"]

    by_prefix: dict[str, list[int]] = defaultdict(list)
    for ticket in final.values():
        by_prefix[ticket["number"][0]].append(int(ticket["number"][1:]))
    for prefix, seqs in by_prefix.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"{prefix}: duplicate or gap"
    assert len({t["id"] for t in final.values()}) == len(final) == len(sent)

    issued = [e for e in read_events(server, hall.display, 0) if e["type"] == "ticket.issued"]
    assert sorted(e["number"] for e in issued) == sorted(t["number"] for t in final.values())
