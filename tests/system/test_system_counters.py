"""Eight counters in four processes call next at once until the queue is empty: every ticket
is called exactly once. On PostgreSQL the counters talk to two server processes sharing the
database (FOR UPDATE SKIP LOCKED across processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.procs import ROOT
from tests.system.conftest import COUNTERS, SERVICES, SystemHall, api, read_events

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]
TICKETS = 64
PROCESSES = 4


def _issue(server: object, token: str, n: int, threads: int = 8) -> list[dict[str, str]]:
    def some(k: int) -> list[dict[str, str]]:
        out = []
        with api(server, token) as client:  # type: ignore[arg-type]
            for i in range(k, n, threads):
                resp = client.post("/tickets", json={"service": SERVICES[i % len(SERVICES)][0]},
                                   headers={"Idempotency-Key": uuid.uuid4().hex})
                assert resp.status_code == 201, resp.text
                out.append(dict(resp.json()))
        return out

    with ThreadPoolExecutor(threads) as pool:
        return [t for part in pool.map(some, range(threads)) for t in part]


def test_counters_in_several_processes_never_call_a_ticket_twice(
        system_hall: Callable[..., SystemHall], db_url: str) -> None:
    hall = system_hall()
    servers = [hall.start()]
    if db_url.startswith("postgresql"):
        servers.append(hall.start())  # a second server process on the same database
    issued = _issue(servers[0], hall.kiosk, TICKETS)
    codes = [f"C{i:02d}" for i in range(1, COUNTERS + 1)]
    with ThreadPoolExecutor(4) as pool:  # logins check a slow PIN hash: in parallel
        sessions = list(pool.map(lambda i: hall.login(servers[i % len(servers)], codes[i]),
                                 range(len(codes))))
    plans: list[list[list[str]]] = [[] for _ in range(PROCESSES)]
    for i, code in enumerate(codes):
        plans[i % PROCESSES].append([servers[i % len(servers)].api(""), code, sessions[i]])
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests/system/counter_worker.py")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in plans]
    try:
        for proc, plan in zip(procs, plans, strict=True):
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps({"counters": plan}) + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:  # all at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(proc.communicate(timeout=60)[0]) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    errors = [e for r in results for e in r["errors"]]
    assert not errors, errors
    called = [tuple(c) for r in results for c in r["called"]]
    twice = [t for t, n in Counter(c[0] for c in called).items() if n > 1]
    assert not twice, f"called twice: {twice}"
    assert sorted(c[0] for c in called) == sorted(t["id"] for t in issued)
    assert len({c[2] for c in called}) > COUNTERS // 2  # the counters really did share the work

    events = read_events(servers[-1], hall.display, 0)
    called_events = Counter(e["ticket"] for e in events if e["type"] == "ticket.called")
    assert len(called_events) == TICKETS and set(called_events.values()) == {1}
