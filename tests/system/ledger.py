"""The fault suite's bookkeeping: kiosks that issue with Idempotency-Keys and counters that call
next, recording what was sent, what was acknowledged and every answer's status; then the retry
of whatever was never acknowledged (the kiosk client's way: the same key) and the invariants
checked after each fault:

- every acknowledged ticket is there, with the number it was given;
- per prefix and business day the numbers are 1..n: no duplicate, no gap;
- every request sent made exactly one ticket (once retried), and the event table holds one
  `ticket.issued` per ticket;
- no ticket was called twice (the suite's services have one stage);
- no answer was a 5xx other than 503 with Retry-After and one of its codes.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.system.conftest import SERVICES, read_events

UNAVAILABLE = {"busy", "storage_full", "db_unavailable", "too_many_connections"}


@dataclass
class Ledger:
    base: Callable[[], str]  # the current server's /api/v1 base (it changes across restarts)
    kiosk: str  # the kiosk token
    sent: dict[str, str] = field(default_factory=dict)  # key -> service
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    unacked: set[str] = field(default_factory=set)
    called: list[tuple[str, str]] = field(default_factory=list)  # (ticket id, counter)
    statuses: Counter[str] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # answers no fault excuses
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- answers ---------------------------------------------------------------------------
    def _note(self, resp: httpx.Response) -> bool:
        """Record the status; True if it is a 2xx. A 503 must say why and when to retry."""
        code = ""
        if resp.status_code >= 400:
            try:
                code = str(resp.json()["error"]["code"])
            except Exception:  # noqa: BLE001 - not our error body
                code = "?"
        with self.lock:
            self.statuses[f"{resp.status_code} {code}".strip()] += 1
            if resp.status_code >= 500 and not (
                    resp.status_code == 503 and code in UNAVAILABLE
                    and "retry-after" in resp.headers):
                self.bad.append(f"{resp.status_code} {resp.text[:300]}")
        return resp.status_code < 300

    def issue_one(self, client: httpx.Client, n: int, key: str | None = None) -> bool:
        key = key or uuid.uuid4().hex
        service = self.sent.get(key) or SERVICES[n % len(SERVICES)][0]
        with self.lock:
            self.sent[key] = service
        try:
            resp = client.post(f"{self.base()}/tickets", json={"service": service},
                               headers={"Idempotency-Key": key,
                                        "Authorization": f"Bearer {self.kiosk}"})
        except httpx.HTTPError:
            with self.lock:
                self.unacked.add(key)
                self.statuses["no answer"] += 1
            return False
        if self._note(resp):
            with self.lock:
                self.acked[key] = resp.json()
                self.unacked.discard(key)
            return True
        with self.lock:
            self.unacked.add(key)
        return False

    def call_one(self, client: httpx.Client, code: str, session: str) -> None:
        try:
            resp = client.post(f"{self.base()}/counters/{code}/call-next",
                               headers={"Authorization": f"Bearer {session}"})
        except httpx.HTTPError:
            with self.lock:
                self.statuses["no answer"] += 1
            return
        if self._note(resp) and resp.status_code == 200:
            with self.lock:
                self.called.append((resp.json()["id"], code))

    # -- load ------------------------------------------------------------------------------
    def kiosks(self, stop: threading.Event, threads: int = 4, timeout: float = 5.0
               ) -> list[threading.Thread]:
        def run(k: int) -> None:
            n = k
            with httpx.Client(timeout=timeout) as client:
                while not stop.is_set():
                    self.issue_one(client, n)
                    n += threads
        return _start([threading.Thread(target=run, args=(k,), daemon=True)
                       for k in range(threads)])

    def counters(self, stop: threading.Event, sessions: dict[str, str],
                 timeout: float = 5.0) -> list[threading.Thread]:
        def run(code: str, session: str) -> None:
            with httpx.Client(timeout=timeout) as client:
                while not stop.is_set():
                    self.call_one(client, code, session)
        return _start([threading.Thread(target=run, args=item, daemon=True)
                       for item in sessions.items()])

    # -- after the fault -------------------------------------------------------------------
    def settle(self, deadline_s: float = 30.0) -> None:
        """Retry every unacknowledged request with its own key until it is answered."""
        deadline = time.monotonic() + deadline_s
        with httpx.Client(timeout=10) as client:
            for key in sorted(self.unacked):
                while not self.issue_one(client, 0, key):
                    assert time.monotonic() < deadline, f"not settled: {self.statuses}"
                    time.sleep(0.2)  # Retry-After says when; the suite retries sooner

    def check(self, server: Any, display: str, db_url: str | None = None) -> dict[str, int]:
        """The invariants (module docstring); answers a few figures for the report. Reads the
        tickets and events from the database when `db_url` is given (fast, and the truth),
        else through the API."""
        assert not self.bad, self.bad[:5]
        assert not self.unacked, f"{len(self.unacked)} requests never answered"
        tickets = dict(self.acked)
        assert set(tickets) == set(self.sent)
        stored, events = (_from_db(db_url) if db_url is not None
                          else _from_api(server, display, self.kiosk, tickets))
        for ticket in tickets.values():
            assert stored.get(ticket["id"]) == ticket["number"], ticket
        assert len(stored) == len(tickets), "a ticket nobody asked for"
        numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
        for t in tickets.values():
            numbers[(t["number"][0], business_day(t["issued_at"]))].append(int(t["number"][1:]))
        for prefix_day, seqs in numbers.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"{prefix_day}: duplicate or gap"
        issued = [e["ticket"] for e in events if e["type"] == "ticket.issued"]
        assert sorted(issued) == sorted(t["id"] for t in tickets.values())
        calls = Counter(e["ticket"] for e in events if e["type"] == "ticket.called")
        assert not [t for t, n in calls.items() if n > 1], "a ticket was called twice"
        answered = Counter(t for t, _ in self.called)
        assert not [t for t, n in answered.items() if n > 1], "two calls answered one ticket"
        assert set(answered) <= set(calls), "a call was answered but never committed"
        return {"tickets": len(tickets), "calls": len(calls), "events": len(events)}


def _from_db(db_url: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    from sqlalchemy import select

    from queue_server.db.models import Ticket
    from queue_server.db.store import Store

    store = Store(db_url)
    try:
        with store.read() as s:
            stored = {t.id: t.number for t in s.execute(select(Ticket.id, Ticket.number))}
        return stored, store.fetch_events(None, 0, 10**7)
    finally:
        store.close()


def _from_api(server: Any, display: str, kiosk: str, tickets: dict[str, dict[str, Any]]
              ) -> tuple[dict[str, str], list[dict[str, Any]]]:
    events = read_events(server, display, 0)
    stored: dict[str, str] = {}
    with httpx.Client(base_url=server.api(""), timeout=10,
                      headers={"Authorization": f"Bearer {kiosk}"}) as client:
        for ticket in tickets.values():
            resp = client.get(f"/tickets/{ticket['id']}")
            assert resp.status_code == 200, resp.text
            stored[ticket["id"]] = resp.json()["number"]
    issued = {e["ticket"] for e in events if e["type"] == "ticket.issued"}
    stored.update({t: "?" for t in issued - set(stored)})  # a ticket nobody asked for
    return stored, events


def business_day(issued_at: str, tz: str = "Asia/Shanghai") -> str:
    """The suite's halls number per local day from 00:00 (conftest.hall_toml)."""
    return datetime.fromisoformat(issued_at).astimezone(ZoneInfo(tz)).date().isoformat()


def _start(threads: list[threading.Thread]) -> list[threading.Thread]:
    for t in threads:
        t.start()
    return threads
