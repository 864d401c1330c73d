"""Group commit and the writer thread on a real SQLite file: units that share a batch commit
together, a unit that fails (in its flush too) rolls back alone, event ids stay contiguous and
in commit order whichever way units arrive, and what the event hub is handed equals what the
table holds."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from queue_server.db import store as store_module
from queue_server.db.busy import Busy
from queue_server.db.models import AdminToken, EventRow
from queue_server.db.store import ShedGauge, Store, migrate
from queue_server.db.unit import Tx


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'group.db'}"
    migrate(url)
    made = Store(url, lock_timeout=5.0)
    try:
        yield made
    finally:
        made.close()


def _token(name: str, *, event: bool = True) -> Callable[[Tx], str]:
    def work(tx: Tx) -> str:
        tx.session.add(AdminToken(token_hash=name, created_at=tx.now))
        if event:
            tx.emit("h", "test.token", name=name)
        return name

    return work


def _slow(tx: Tx) -> str:
    time.sleep(0.1)  # holds the writer: the next jobs queue up and share its batch
    tx.emit("h", "test.slow")
    return "slow"


def _tokens(store: Store) -> list[str]:
    with store.read() as s:
        return sorted(s.scalars(select(AdminToken.token_hash)))


def test_a_unit_failing_in_its_flush_rolls_back_alone_and_the_batch_commits(
        store: Store) -> None:
    handed: list[list[dict[str, Any]]] = []
    got = threading.Event()

    def take(rows: list[dict[str, Any]]) -> None:
        handed.append(rows)
        got.set()

    store.on_events = take

    async def run() -> list[Any]:
        return await asyncio.gather(
            store.run(_slow), store.run(_token("t1")), store.run(_token("t1")),  # duplicate
            store.run(_token("t2")), return_exceptions=True)

    results = asyncio.run(run())
    assert results[0] == "slow" and results[1] == "t1" and results[3] == "t2"
    assert isinstance(results[2], IntegrityError)
    assert _tokens(store) == ["t1", "t2"]
    # One commit for the three good units (so they did share a batch), ids 1..3 in order.
    # The answers come first; the hub is handed the rows just after, on the writer's thread.
    assert got.wait(10)
    assert len(handed) == 1
    assert [(e["id"], e["type"], e.get("name")) for e in handed[0]] == [
        (1, "test.slow", None), (2, "test.token", "t1"), (3, "test.token", "t2")]
    assert store.fetch_events(None, 0, 100) == handed[0]


def test_a_domain_error_rolls_back_only_its_unit(store: Store) -> None:
    def fails(tx: Tx) -> str:
        tx.session.add(AdminToken(token_hash="lost", created_at=tx.now))
        tx.session.flush()
        tx.emit("h", "test.lost")
        raise ValueError("refused")

    async def run() -> list[Any]:
        return await asyncio.gather(store.run(_slow), store.run(fails),
                                    store.run(_token("kept")), return_exceptions=True)

    results = asyncio.run(run())
    assert isinstance(results[1], ValueError) and results[2] == "kept"
    assert _tokens(store) == ["kept"]
    assert [e["type"] for e in store.fetch_events(None, 0, 100)] == ["test.slow", "test.token"]


def test_a_unit_s_core_writes_roll_back_with_it_with_or_without_a_session(
        store: Store) -> None:
    """A unit's savepoint is the driver's own, opened before its first write: what it wrote
    through its connection goes back with it, whether it then opened a session (SQLAlchemy's
    savepoint inside the unit's) or not; the units around it are kept."""
    table = AdminToken.__table__

    def core_then_orm(tx: Tx) -> str:
        tx.conn.execute(insert(table).values(token_hash="core-1", created_at=tx.now))
        tx.session.add(AdminToken(token_hash="orm-1", created_at=tx.now))
        tx.session.flush()
        raise ValueError("refused")

    def core_only(tx: Tx) -> str:
        tx.conn.execute(insert(table).values(token_hash="core-2", created_at=tx.now))
        raise ValueError("refused")

    def orm_kept(tx: Tx) -> str:
        tx.conn.execute(insert(table).values(token_hash="core-3", created_at=tx.now))
        tx.session.add(AdminToken(token_hash="orm-3", created_at=tx.now))
        return "orm-3"

    async def run() -> list[Any]:
        return await asyncio.gather(
            store.run(_slow), store.run(core_then_orm), store.run(_token("kept")),
            store.run(core_only), store.run(orm_kept), return_exceptions=True)

    results = asyncio.run(run())
    assert isinstance(results[1], ValueError) and isinstance(results[3], ValueError)
    assert results[2] == "kept" and results[4] == "orm-3"
    assert _tokens(store) == ["core-3", "kept", "orm-3"]
    assert asyncio.run(store.run(_token("after"))) == "after"  # the writer goes on


def test_threads_and_the_writer_together_keep_event_ids_contiguous(store: Store) -> None:
    """Units from worker threads (`Store.write`) and from the writer thread (`Store.run`)
    interleave and share batches; every unit lands once and event ids are 1..N in commit
    order, handed to the hub in that order."""
    handed: list[int] = []
    lock = threading.Lock()

    all_handed = threading.Event()

    def take(rows: list[dict[str, Any]]) -> None:
        with lock:
            handed.extend(int(r["id"]) for r in rows)
            if len(handed) >= 200:
                all_handed.set()

    store.on_events = take
    store.max_pending = 1000  # this test is about order, not load shedding

    def thread_units(k: int) -> None:
        for i in range(25):
            with store.write() as tx:
                _token(f"w{k}-{i}")(tx)

    async def writer_units() -> list[str]:
        return await asyncio.gather(*(store.run(_token(f"r{i}")) for i in range(100)))

    threads = [threading.Thread(target=thread_units, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    done = asyncio.run(writer_units())
    for t in threads:
        t.join(30)
    assert sorted(done) == sorted(f"r{i}" for i in range(100))
    assert len(_tokens(store)) == 200
    with store.read() as s:
        ids = list(s.scalars(select(EventRow.id).order_by(EventRow.id)))
        assert s.scalar(select(func.count()).select_from(EventRow)) == 200
    assert ids == list(range(1, 201))
    assert all_handed.wait(10)  # the last batch's rows reach the hub just after its answers
    assert handed == ids  # handed out in commit order, each once


def test_a_job_that_waited_past_the_lock_timeout_is_busy_not_run(tmp_path: Path) -> None:
    import sqlite3

    from queue_server.db.busy import Busy

    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    migrate(url)
    store = Store(url, lock_timeout=0.3)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the database's write lock

        async def run() -> list[Any]:
            return await asyncio.gather(store.run(_token("a")), store.run(_token("b")),
                                        return_exceptions=True)

        began = time.monotonic()
        results = asyncio.run(run())
        assert all(isinstance(r, Busy) for r in results), results
        assert time.monotonic() - began < 3
        other.execute("ROLLBACK")
        assert asyncio.run(store.run(_token("c"))) == "c"
        assert _tokens(store) == ["c"]
    finally:
        other.close()
        store.close()


def test_last_event_before_finds_the_day_boundary(tmp_path: Path) -> None:
    """Where `since=today` starts: a binary search over event ids by time."""
    from datetime import UTC, datetime, timedelta

    url = f"sqlite:///{tmp_path / 'days.db'}"
    migrate(url)
    now = [datetime(2026, 3, 1, 20, 0, tzinfo=UTC)]
    store = Store(url, clock=lambda: now[0])
    try:
        assert store.last_event_before("h", now[0]) == 0  # no events at all
        for _ in range(37):  # one event every 20 minutes, over midnight
            with store.write() as tx:
                tx.emit("h", "test.tick")
            now[0] += timedelta(minutes=20)
        times = {e["id"]: e["at"] for e in store.fetch_events(None, 0, 100)}
        midnight = datetime(2026, 3, 2, tzinfo=UTC)
        before = [i for i, at in times.items() if datetime.fromisoformat(at) < midnight]
        assert store.last_event_before("h", midnight) == max(before) == 12
        assert store.last_event_before("h", datetime(2026, 3, 1, tzinfo=UTC)) == 0
        assert store.last_event_before("h", datetime(2026, 3, 9, tzinfo=UTC)) == 37
        assert store.last_event_before("elsewhere", datetime(2026, 3, 9, tzinfo=UTC)) == 0
    finally:
        store.close()


def test_halls_number_their_events_apart(tmp_path: Path) -> None:
    """Ids grow per hall: a batch with events of two halls numbers each hall on; a hall's
    first event makes its sequence; every hall's ids are contiguous in commit order."""
    url = f"sqlite:///{tmp_path / 'halls.db'}"
    migrate(url)
    store = Store(url)
    try:
        for i in range(5):
            with store.write() as tx:
                tx.emit("a", "test.x", i=i)
                tx.emit("b", "test.x", i=i)
                if i % 2:
                    tx.emit("a", "test.y", i=i)
        a = store.fetch_events("a", 0, 100)
        b = store.fetch_events("b", 0, 100)
        assert [e["id"] for e in a] == list(range(1, 8))
        assert [e["id"] for e in b] == list(range(1, 6))
        assert [e["i"] for e in a] == [0, 1, 1, 2, 3, 3, 4]
        assert store.fetch_events("a", 5, 100) == a[5:]
        assert store.last_event("a") == 7 and store.last_event("c") == 0
    finally:
        store.close()


def test_load_is_shed_at_the_door(tmp_path: Path) -> None:
    """Beyond `max_pending` waiting units, `Store.run` answers Busy at once (nothing queued,
    nothing written), and what was accepted is all written."""
    url = f"sqlite:///{tmp_path / 'shed.db'}"
    migrate(url)
    store = Store(url, max_pending=8)

    async def flood() -> list[object]:
        return await asyncio.gather(*(store.run(_token(f"s{i}")) for i in range(40)),
                                    return_exceptions=True)

    try:
        out = asyncio.run(flood())
        refused = [o for o in out if isinstance(o, Busy)]
        accepted = [o for o in out if isinstance(o, str)]
        assert len(accepted) == 8 and len(refused) == 32 and len(out) == 40
        assert sorted(_tokens(store)) == sorted(accepted)
        assert store.pending == 0
    finally:
        store.close()


def _held(gate: threading.Event, name: str) -> Callable[[Tx], str]:
    """A unit that holds the writer until `gate` opens."""
    def work(tx: Tx) -> str:
        gate.wait(10)
        tx.session.add(AdminToken(token_hash=name, created_at=tx.now))
        return name

    return work


def test_refusals_beyond_a_few_a_unit_wait_at_the_door(tmp_path: Path) -> None:
    """With every place taken, a request is refused at once while refusals are few (4 for each
    unit served, 4 × `max_pending` saved up); beyond them it waits at the door up to
    `door_wait` for a place and is refused when none frees, so a client that retries a refusal
    at once is refused at most once a wait. A place that frees goes to the door's first
    waiter, which is then served."""
    url = f"sqlite:///{tmp_path / 'door.db'}"
    migrate(url)
    store = Store(url, max_pending=2)
    store.shed.door_wait = 0.2
    gate = threading.Event()

    async def scene() -> None:
        held = [asyncio.create_task(store.run(_held(gate, f"h{i}"))) for i in range(2)]
        while store.pending < 2:
            await asyncio.sleep(0.001)
        at_once = []
        for i in range(8):  # a client retrying at once
            began = time.monotonic()
            with pytest.raises(Busy):
                await store.run(_token(f"r{i}"))
            at_once.append(time.monotonic() - began)
        assert max(at_once) < 0.1
        began = time.monotonic()
        with pytest.raises(Busy):  # the ninth refusal: after a wait at the door
            await store.run(_token("late"))
        assert time.monotonic() - began >= 0.19
        store.shed.door_wait = 10.0  # the next two wait until the held units end
        waiter = asyncio.create_task(store.run(_token("waiter")))
        gone = asyncio.create_task(store.run(_token("gone")))
        await asyncio.sleep(0.02)
        assert len(store._door) == 2
        gone.cancel()  # a request that goes away while waiting gives up nothing
        await asyncio.sleep(0)
        gate.set()  # the held units end: the waiter takes a place
        assert sorted(await asyncio.gather(*held)) == ["h0", "h1"]
        assert await waiter == "waiter"
        with pytest.raises(asyncio.CancelledError):
            await gone

    try:
        asyncio.run(scene())
        assert _tokens(store) == ["h0", "h1", "waiter"]
        assert store.pending == 0 and not [p for p in store._door if not p.done()]
    finally:
        gate.set()
        store.close()


def test_a_request_not_retrying_is_refused_at_once_with_no_refusals_left(
        tmp_path: Path) -> None:
    """Refusals used up, a request that is not retrying a refusal (the HTTP door says so) is
    refused at once, not held at the door, and its refusal counts too; one retrying waits."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    store = Store(url, max_pending=1)
    store.shed.door_wait = 0.2
    gate = threading.Event()

    async def refused(retrying: bool) -> float:
        began = time.monotonic()
        with pytest.raises(Busy):
            async with store.admitted(retrying=retrying):
                raise AssertionError("admitted")
        return time.monotonic() - began

    async def scene() -> None:
        held = asyncio.create_task(store.run(_held(gate, "h")))
        while store.pending < 1:
            await asyncio.sleep(0.001)
        at_once = [await refused(retrying=False) for _ in range(6)]  # 4 saved up, then none
        assert max(at_once) < 0.1, at_once
        assert store.shed._refusals == 0
        assert await refused(retrying=True) >= 0.19
        gate.set()
        await held

    try:
        asyncio.run(scene())
        assert store.pending == 0
    finally:
        gate.set()
        store.close()


def test_the_door_remembers_refused_connections_a_second_and_so_many() -> None:
    """The HTTP door takes a request as retrying when its connection was refused less than
    the Retry-After ago (or it cannot tell the connection); it remembers a bounded number.
    The door's clock stands still: on a busy machine the 4,196 refusals below once took more
    than a second, and the first were forgotten as old, not as too many."""
    from queue_server.api.http_errors import Shed

    door = Shed(cast(Any, None), None)
    door.clock = lambda: 1000.0  # type: ignore[method-assign]
    door._refusing(("10.0.0.1", 1))
    assert door._retrying(("10.0.0.1", 1)) and not door._retrying(("10.0.0.1", 2))
    assert door._retrying(None)
    door._refused[("10.0.0.1", 1)] -= Shed.RETRY_AFTER  # refused a second ago
    assert not door._retrying(("10.0.0.1", 1))
    for port in range(Shed._REMEMBERED + 100):
        door._refusing(("10.0.0.2", port))
    assert len(door._refused) == Shed._REMEMBERED
    assert door._retrying(("10.0.0.2", Shed._REMEMBERED + 99))
    assert not door._retrying(("10.0.0.2", 0)) and ("10.0.0.1", 1) not in door._refused


def test_a_terminal_with_nothing_waiting_is_not_crowded_out_by_another_s_flood(
        tmp_path: Path) -> None:
    """One hall's flood filled every place and a quiet kiosk of another hall was refused 3
    times in 4 (an outside check, two servers on PostgreSQL). The door keeps a reserve beyond
    the limit for the first request of someone (a token, else an address) with nothing
    waiting; the flood's own next request is refused as before."""
    from queue_server.api.http_errors import Shed

    url = f"sqlite:///{tmp_path / 'fair.db'}"
    migrate(url)
    store = Store(url, max_pending=2)
    release = asyncio.Event()
    answered: list[tuple[bytes, int]] = []

    async def app(scope: Any, _receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    door = Shed(app, store)

    async def ask(who: bytes, port: int) -> None:
        scope = {"type": "http", "method": "POST", "path": "/api/v1/tickets",
                 "headers": [(b"authorization", who)], "client": ("10.0.0.9", port)}
        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        await door(scope, receive, send)
        answered.append((who, status[0]))

    async def scene() -> None:
        flood = [asyncio.create_task(ask(b"Bearer flood", p)) for p in range(2)]
        while store.pending < 2:
            await asyncio.sleep(0.001)
        await ask(b"Bearer flood", 3)  # the flood's third: refused at once
        quiet = asyncio.create_task(ask(b"Bearer quiet", 4))  # first of its own: a place
        while store.pending < 3:
            await asyncio.sleep(0.001)
        await ask(b"Bearer quiet", 5)  # its second while the first waits: refused
        assert door._holding == {b"Bearer flood": 2, b"Bearer quiet": 1}
        release.set()
        await asyncio.gather(*flood, quiet)

    try:
        asyncio.run(scene())
        assert sorted(answered) == [(b"Bearer flood", 201), (b"Bearer flood", 201),
                                    (b"Bearer flood", 503), (b"Bearer quiet", 201),
                                    (b"Bearer quiet", 503)]
        assert store.pending == 0 and door._holding == {}
        assert store.shed.reserve == 8
    finally:
        store.close()


def test_a_place_handed_to_a_request_that_went_away_is_given_back(tmp_path: Path) -> None:
    """The door hands a freed place to its first waiter; if that request is cancelled before
    it resumes, the place is given back, not lost."""
    url = f"sqlite:///{tmp_path / 'door.db'}"
    migrate(url)
    store = Store(url, max_pending=1)
    store.shed.door_wait = 5.0
    store.shed._refusals = 0  # no refusals left: every request beyond the place waits

    async def wait_for_a_place() -> None:
        async with store.admitted():
            raise AssertionError("cancelled before it resumed: never gets here")

    async def scene() -> None:
        async with store.admitted():  # the only place
            # (a task made here would inherit the held place: the waiter is another request)
            waiter = asyncio.create_task(wait_for_a_place(), context=contextvars.Context())
            while not store._door:
                await asyncio.sleep(0.001)
        # leaving handed the place over at once; the waiter has not resumed yet
        assert not store._door and store.pending == 1 and not waiter.done()
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert store.pending == 0
        assert await store.run(_token("after")) == "after"

    try:
        asyncio.run(scene())
        assert store.pending == 0 and _tokens(store) == ["after"]
    finally:
        store.close()


def test_the_door_holds_a_crowd_as_long_as_serving_it_takes() -> None:
    """Behind a few others a request waits `door_wait`; behind many, as long as serving them
    takes at the rate measured, so the door refuses about as many a second as are served
    however many clients retry at once; never more than the second Retry-After asks for."""
    gauge = ShedGauge(64)
    assert gauge.door_time(500) == gauge.door_wait == 0.02  # no rate measured yet
    gauge.rate = 1000.0
    assert gauge.door_time(0) == gauge.door_time(20) == 0.02
    assert gauge.door_time(448) == pytest.approx(0.448)
    assert gauge.door_time(5000) == 1.0


def test_the_shed_limit_is_what_30_ms_of_units_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """The units that may wait follow the rate they are served at while busy: about 30 ms of
    them, at most `max_pending`, never fewer than 32 (32 kiosks at once are never refused)."""
    now = [100.0]
    monkeypatch.setattr(store_module.time, "monotonic", lambda: now[0])
    gauge = ShedGauge(64)
    assert gauge.limit == 64  # nothing measured yet

    def serve(rate: float, seconds: float) -> int:
        gauge.started(1)
        for _ in range(int(rate * seconds)):
            now[0] += 1 / rate
            gauge.ended(1)  # one more still waits: busy all along
        gauge.ended(0)
        now[0] += 5.0  # a quiet spell: not counted as busy
        return gauge.limit

    assert serve(1500, 1.0) == 45
    assert serve(5000, 1.0) == 64  # capped by max_pending
    for _ in range(8):
        limit = serve(400, 1.0)
    assert limit == 32  # 12 by the rate: the floor
    assert ShedGauge(8).floor == 8  # never above max_pending
