"""Property test of the hub's promise: whatever the interleaving of commits, wake-ups (some
lost, some carrying the committed rows as a server's own commit does), subscribers joining
from any `after=`, subscribers falling behind and resuming, and live events handed out a few
offers a turn of the loop, every subscriber ends up with exactly the events of its hall after
its starting point, each once, in id order."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from queue_server.api.stream import Dropped, EventHub


class MemoryTable:
    """An append-only events table in memory; `fetch` has the hub's signature."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, hall: str) -> dict[str, Any]:
        with self.lock:
            row = {"id": len(self.rows) + 1, "type": "t", "at": "", "hall": hall}
            self.rows.append(row)
            return row

    def fetch(self, hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        with self.lock:
            rows = [r for r in self.rows[after:] if hall is None or r["hall"] == hall]
        return rows[:limit]


class Client:
    """A display: follows from `after`, and on being dropped resumes from its last id."""

    def __init__(self, hub: EventHub, hall: str | None, after: int) -> None:
        self.hub, self.hall, self.start = hub, hall, after
        self.got: list[int] = []
        self.drops = 0
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        while True:
            try:
                async for batch in self.hub._follow(self.hall, self.got[-1] if self.got
                                                    else self.start):
                    self.got += [i for i, _ in batch]
                    if len(self.got) % 3 == 0:
                        await asyncio.sleep(0.001)  # a slow client: lets its queue fill
            except Dropped:
                self.drops += 1
                continue
            return


# How a commit wakes the hub: not at all (a lost wake-up), by name, or with its rows.
commit = st.tuples(st.just("commit"), st.sampled_from(["h1", "h2"]),
                   st.sampled_from(["lost", "wake", "rows"]))
join = st.tuples(st.just("join"), st.sampled_from(["h1", "h2", None]), st.integers(0, 30))
pause = st.tuples(st.just("yield"), st.integers(0, 3), st.none())
ops = st.tuples(join, st.lists(st.one_of(commit, commit, commit, join, pause), min_size=25,
                               max_size=80)).map(lambda first_rest: [first_rest[0],
                                                                     *first_rest[1]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, st.integers(2, 8), st.integers(2, 40), st.integers(1, 3))
def test_every_subscriber_gets_its_events_once_in_order(plan: list[tuple[Any, Any, Any]],
                                                        queue_size: int, batch: int,
                                                        fanout_slice: int) -> None:
    table = MemoryTable()

    async def scenario() -> None:
        hub = EventHub(table.fetch, queue_size=queue_size, batch=batch, poll_interval=None,
                       fanout_slice=fanout_slice)
        await hub.start()
        clients: list[Client] = []
        for op, a, b in plan:
            if op == "commit":
                row = table.add(a)
                # A commit whose wake-up is lost leaves its event for the next one.
                if b == "wake":
                    hub.notify()
                elif b == "rows":
                    hub.notify([row])
            elif op == "join":
                clients.append(Client(hub, a, min(b, len(table.rows))))
            else:
                for _ in range(a):
                    await asyncio.sleep(0)
        hub.notify()
        last = len(table.rows)
        for _ in range(2000):
            if all(c.got[-1:] == [expected(c)[-1]] if expected(c) else True for c in clients):
                break
            await asyncio.sleep(0.002)
        await hub.stop()
        for c in clients:
            await asyncio.wait_for(c.task, 5)
            assert c.got == expected(c), (c.hall, c.start, c.drops, last)
        event(f"clients dropped: {sum(c.drops > 0 for c in clients) > 0}")
        event(f"rows {min(len(table.rows), 40) // 10 * 10}+, most events to a client {min(max((len(c.got) for c in clients), default=0), 20) // 5 * 5}+")

    def expected(c: Client) -> list[int]:
        return [r["id"] for r in table.rows[c.start:] if c.hall is None or r["hall"] == c.hall]

    asyncio.run(scenario())
