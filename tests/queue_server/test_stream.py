"""The event hub (queue_server/stream.py) on a real uvicorn on loopback, over a real SQLite
events table: catch-up then live, no event twice or missed, per-hall filtering, pings, overflow,
reconnect with after=, and stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy
import uvicorn
from fastapi import FastAPI, Response, WebSocket
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from queue_server.api import stream
from queue_server.api.stream import UVICORN_OPTIONS, Dropped, EventHub, _Feed, _Subscriber

pytestmark = pytest.mark.timeout(30)

SCHEMA = ("create table events (id integer primary key, hall text not null, type text not null,"
          " at text not null, payload text not null)")


class EventTable:
    """A small events table in an SQLite file, written from the test thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as con:
            con.execute("pragma journal_mode=wal")
            con.execute(SCHEMA)
        self.fetches = 0

    def add(self, hall: str = "h1", type_: str = "ticket.called", **payload: Any) -> int:
        at = datetime.now(UTC).isoformat()
        with sqlite3.connect(self.path) as con:
            cur = con.execute("insert into events (hall, type, at, payload) values (?,?,?,?)",
                              (hall, type_, at, json.dumps(payload, ensure_ascii=False)))
            return int(cur.lastrowid or 0)

    def fetch(self, hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        self.fetches += 1
        sql = "select id, hall, type, at, payload from events where id > ?"
        args: list[Any] = [after]
        if hall is not None:
            sql += " and hall = ?"
            args.append(hall)
        with sqlite3.connect(self.path) as con:
            rows = con.execute(sql + " order by id limit ?", [*args, limit]).fetchall()
        return [{"id": i, "type": t, "at": at, "hall": h, **json.loads(p)}
                for i, h, t, at, p in rows]


def make_app(hub: EventHub) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        yield
        await hub.stop()

    app = FastAPI(lifespan=lifespan)

    @app.get("/events")
    async def events(after: int = 0, hall: str | None = None) -> Response:
        return await hub.sse_response(hall, after)

    @app.websocket("/events/ws")
    async def events_ws(websocket: WebSocket, after: int = 0, hall: str | None = None) -> None:
        await hub.serve_websocket(websocket, hall, after)

    return app


class Served:
    def __init__(self, hub: EventHub, table: EventTable, base: str, loop_server: uvicorn.Server):
        self.hub, self.table, self.base, self.server = hub, table, base, loop_server

    def emit(self, n: int = 1, hall: str = "h1") -> list[int]:
        ids = [self.table.add(hall=hall, number=f"A{i:03d}") for i in range(n)]
        self.hub.notify()  # from another thread, as the server does after a commit
        return ids


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**hub_options: Any) -> Served:
        table = EventTable(tmp_path / f"events{len(started)}.db")
        hub = EventHub(table.fetch, **hub_options)
        options = {**UVICORN_OPTIONS, "timeout_graceful_shutdown": 1}
        config = uvicorn.Config(make_app(hub), host="127.0.0.1", port=0, log_level="warning",
                                **options)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        started.append((server, thread))
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        return Served(hub, table, f"127.0.0.1:{port}", server)

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive(), "uvicorn did not stop"


def read_sse(base: str, after: int, want: int, hall: str | None = None,
             timeout: float = 5.0, on_open: Callable[[], object] | None = None,
             ) -> list[dict[str, Any]]:
    """Read `want` events from the SSE stream; checks that each `id:` matches its data."""
    params: dict[str, Any] = {"after": after, **({"hall": hall} if hall else {})}
    got: list[dict[str, Any]] = []
    with httpx.stream("GET", f"http://{base}/events", params=params,
                      timeout=httpx.Timeout(timeout)) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        lines = resp.iter_lines()
        if on_open:
            assert next(lines) == "retry: 2000"  # the first chunk: the stream is live
            on_open()
        last_id = None
        for line in lines:
            if line.startswith("id: "):
                last_id = int(line[4:])
            elif line.startswith("data: "):
                event = json.loads(line[6:])
                assert event["id"] == last_id
                got.append(event)
                if len(got) >= want:
                    break
    return got


def test_sse_catches_up_then_follows_live_events(serve: Callable[..., Served]) -> None:
    s = serve()
    s.emit(5)
    got = read_sse(s.base, after=2, want=6, on_open=lambda: s.emit(3))
    assert [e["id"] for e in got] == [3, 4, 5, 6, 7, 8]
    assert got[0]["type"] == "ticket.called" and got[0]["hall"] == "h1"
    assert got[0]["number"] == "A002" and got[0]["at"].endswith("+00:00")


def test_websocket_sends_one_json_frame_per_event(serve: Callable[..., Served]) -> None:
    s = serve()
    s.emit(3)
    with ws_connect(f"ws://{s.base}/events/ws?after=1", compression=None) as ws:
        first = [json.loads(ws.recv(timeout=5)) for _ in range(2)]
        s.emit(2)
        live = [json.loads(ws.recv(timeout=5)) for _ in range(2)]
    assert [e["id"] for e in first + live] == [2, 3, 4, 5]
    assert live[0]["number"] == "A000"


def test_websocket_is_not_compressed(serve: Callable[..., Served]) -> None:
    s = serve()
    with ws_connect(f"ws://{s.base}/events/ws") as ws:  # the client offers permessage-deflate
        assert ws.response is not None
        assert "permessage-deflate" not in (ws.response.headers.get("Sec-WebSocket-Extensions")
                                            or "")


def test_subscribers_see_only_their_hall(serve: Callable[..., Served]) -> None:
    s = serve()
    s.emit(2, hall="h1")
    s.emit(2, hall="h2")

    def more() -> None:
        s.emit(1, hall="h1")
        s.emit(1, hall="h2")

    got = read_sse(s.base, after=0, want=3, hall="h2", on_open=more)
    assert [(e["id"], e["hall"]) for e in got] == [(3, "h2"), (4, "h2"), (6, "h2")]


def test_reconnect_with_after_gets_every_later_event_once(serve: Callable[..., Served]) -> None:
    s = serve()
    s.emit(4)
    first = read_sse(s.base, after=0, want=2)
    s.emit(3)  # while disconnected
    rest = read_sse(s.base, after=first[-1]["id"], want=5, on_open=lambda: s.emit(2))
    assert [e["id"] for e in first + rest] == list(range(1, 8))


def test_many_subscribers_get_a_burst_in_order_exactly_once(serve: Callable[..., Served]) -> None:
    s = serve()
    total, results = 300, {}
    errors: list[BaseException] = []

    def sse(k: int) -> None:
        try:
            results[f"sse{k}"] = [e["id"] for e in read_sse(s.base, 0, total, timeout=10)]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def ws(k: int) -> None:
        try:
            with ws_connect(f"ws://{s.base}/events/ws?after=0") as conn:
                results[f"ws{k}"] = [json.loads(conn.recv(timeout=10))["id"] for _ in range(total)]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=f, args=(k,)) for k in range(6) for f in (sse, ws)]
    for t in threads:
        t.start()
    for i in range(total):  # one writer, waking the hub after each commit, while clients join
        s.table.add(number=f"B{i:03d}")
        s.hub.notify()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert len(results) == 12
    for name, ids in results.items():
        assert ids == list(range(1, total + 1)), name


def test_pings_at_connect_and_while_idle(serve: Callable[..., Served]) -> None:
    s = serve(ping_interval=0.2)
    lines: list[str] = []
    with httpx.stream("GET", f"http://{s.base}/events", timeout=5) as resp:
        end = time.monotonic() + 0.7
        for line in resp.iter_lines():
            lines.append(line)
            if time.monotonic() > end:
                break
    assert lines[:2] == ["retry: 2000", ": ping"]
    assert lines.count(": ping") >= 4  # one at connect, then one per 0.2 s of silence
    assert not [line for line in lines if line.startswith("data:")]


def test_stop_ends_streams(serve: Callable[..., Served]) -> None:
    s = serve()
    s.emit(1)
    with ws_connect(f"ws://{s.base}/events/ws?after=0") as ws:
        assert json.loads(ws.recv(timeout=5))["id"] == 1
        asyncio.run_coroutine_threadsafe(s.hub.stop(), s.hub._loop).result(5)  # type: ignore[arg-type]
        with pytest.raises(Exception) as closed:
            ws.recv(timeout=5)
        assert getattr(closed.value, "rcvd", None) is not None
        assert closed.value.rcvd.code == 1001  # type: ignore[attr-defined]
    assert s.hub.subscribers == 0


def test_hub_survives_a_failing_fetch(serve: Callable[..., Served]) -> None:
    s = serve()
    real, failures = s.table.fetch, [2]

    def flaky(hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        if hall is None and failures[0] > 0:
            failures[0] -= 1
            raise sqlite3.OperationalError("database is locked")
        return real(hall, after, limit)

    def break_then_emit() -> None:
        s.hub.fetch = flaky
        s.emit(2)

    got = read_sse(s.base, after=0, want=2, on_open=break_then_emit)
    assert [e["id"] for e in got] == [1, 2] and failures[0] == 0


def test_a_subscriber_that_falls_behind_is_dropped(tmp_path: Path) -> None:
    table = EventTable(tmp_path / "e.db")

    async def scenario() -> tuple[list[int], int]:
        hub = EventHub(table.fetch, queue_size=5)
        await hub.start()
        follow = hub._follow(None, 0)
        table.add()
        seen = [i for i, _ in await anext(follow)]
        for _ in range(8):  # the client stops reading while events pour in
            table.add()
        hub.notify()
        while hub.last_id < 9:
            await asyncio.sleep(0.01)
        with pytest.raises(Dropped):
            async for batch in follow:
                seen.extend(i for i, _ in batch)
        subscribers = hub.subscribers
        await hub.stop()
        return seen, subscribers

    seen, subscribers = asyncio.run(scenario())
    assert seen == [1] and subscribers == 0


# -- PostgreSQL: LISTEN/NOTIFY wakes hubs in other processes --------------------------------
PG_URL = os.environ.get("KUAIBAN_TEST_PG")


class PgEventTable:
    """An events table of this test in the PostgreSQL of KUAIBAN_TEST_PG; NOTIFY on commit."""

    def __init__(self, url: str) -> None:
        self.engine = sqlalchemy.create_engine(url)
        self.name = f"stream_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with self.engine.begin() as con:
            con.exec_driver_sql(f"create table {self.name} (id serial primary key, hall text,"
                                " type text, at timestamptz default now(), payload jsonb)")

    def add(self, hall: str = "h1", notify: bool = True) -> None:
        with self.engine.begin() as con:  # no hub.notify(): only the NOTIFY wakes the hubs
            con.exec_driver_sql(f"insert into {self.name} (hall, type, payload) values"
                                " (%(h)s, 'ticket.called', '{\"number\": \"A001\"}')", {"h": hall})
            if notify:
                con.exec_driver_sql("notify kuaiban_events")

    def fetch(self, hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        sql = f"select id, hall, type, at, payload from {self.name} where id > %(a)s"
        if hall is not None:
            sql += " and hall = %(h)s"
        with self.engine.connect() as con:
            rows = con.exec_driver_sql(sql + " order by id limit %(n)s",
                                       {"a": after, "h": hall, "n": limit}).all()
        return [{"id": i, "type": t, "at": at.isoformat(), "hall": h, **p}
                for i, h, t, at, p in rows]

    def drop(self) -> None:
        with self.engine.begin() as con:
            con.exec_driver_sql(f"drop table {self.name}")
        self.engine.dispose()


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="KUAIBAN_TEST_PG is not set")
def test_postgres_notify_wakes_every_hub_and_a_lost_listener_resyncs() -> None:
    assert PG_URL is not None
    table = PgEventTable(PG_URL)
    app_name = f"hubtest{uuid.uuid4().hex[:8]}"
    listen = f"{PG_URL}?application_name={app_name}"

    async def take(follow: Any, n: int) -> list[int]:
        ids: list[int] = []
        while len(ids) < n:
            ids += [i for i, _ in await asyncio.wait_for(anext(follow), 5)]
        return ids

    async def scenario() -> tuple[list[int], list[int]]:
        hubs = [EventHub(table.fetch, listen_url=listen, poll_interval=None) for _ in range(2)]
        for hub in hubs:
            await hub.start()
        follows = [hub._follow(None, 0) for hub in hubs]
        for _ in range(50):  # wait until both hubs LISTEN
            async with await psycopg.AsyncConnection.connect(PG_URL.replace("+psycopg", "")) as c:
                cur = await c.execute("select count(*) from pg_stat_activity where"
                                      " application_name = %s", (app_name,))
                if (await cur.fetchone())[0] == 2:  # type: ignore[index]
                    break
            await asyncio.sleep(0.1)
        await asyncio.to_thread(table.add)
        first = [await take(f, 1) for f in follows]
        async with await psycopg.AsyncConnection.connect(PG_URL.replace("+psycopg", ""),
                                                         autocommit=True) as c:
            await c.execute("select pg_terminate_backend(pid) from pg_stat_activity where"
                            " application_name = %s", (app_name,))
        await asyncio.sleep(0.2)
        await asyncio.to_thread(table.add)  # its NOTIFY is lost: the hubs resync on reconnect
        await asyncio.to_thread(table.add, "h2")
        second = [await take(f, 2) for f in follows]
        for f, hub in zip(follows, hubs, strict=True):
            await f.aclose()
            await hub.stop()
        return [ids[0] for ids in first], [i for ids in second for i in ids]

    try:
        first, second = asyncio.run(scenario())
    finally:
        table.drop()
    assert first == [1, 1]
    assert second == [2, 3, 2, 3]


async def _listening(app_name: str, n: int) -> None:
    """Until `n` connections named `app_name` (the hubs') have run their LISTEN: each hub
    then resyncs at once, before the test goes on."""
    assert PG_URL is not None
    for _ in range(100):
        async with await psycopg.AsyncConnection.connect(PG_URL.replace("+psycopg", "")) as c:
            cur = await c.execute("select count(*) from pg_stat_activity where"
                                  " application_name = %s and state = 'idle'"
                                  " and query like 'LISTEN %%'", (app_name,))
            if (await cur.fetchone())[0] == n:  # type: ignore[index]
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{app_name}: not listening")


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="KUAIBAN_TEST_PG is not set")
def test_a_hub_passes_over_its_own_processs_notify_and_wakes_on_anothers() -> None:
    """A NOTIFY this process sent itself (`sent_here`, its connection's server process) names
    events the hub already has: no read of the table for it. Another server's wakes the halls
    it names; one naming none wakes every hall."""
    assert PG_URL is not None
    table = PgEventTable(PG_URL)
    app_name = f"hubown{uuid.uuid4().hex[:8]}"
    dsn = PG_URL.replace("+psycopg", "")
    reads: list[str | None] = []
    reading = [0]

    def fetch(hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        reads.append(hall)
        reading[0] += 1
        try:
            return table.fetch(hall, after, limit)
        finally:
            reading[0] -= 1

    async def scenario() -> tuple[list[str | None], list[str]]:
        own = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        other = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        hub = EventHub(fetch, listen_url=f"{PG_URL}?application_name={app_name}",
                       poll_interval=None, sent_here=lambda pid: pid == own.info.backend_pid)
        await hub.start()
        await _listening(app_name, 1)
        follows = {hall: hub._follow(hall, 0) for hall in ("h1", "h2", "h3")}
        got = {hall: asyncio.ensure_future(anext(f)) for hall, f in follows.items()}
        # Each feed has read its head, and then the table once more (what came meanwhile)
        while (hub.subscribers < 3 or reading[0]
               or any(reads.count(hall) < 2 for hall in follows)):
            await asyncio.sleep(0.01)
        reads.clear()
        for hall in ("h1", "h2", "h3"):
            await asyncio.to_thread(table.add, hall, False)
        await own.execute("NOTIFY kuaiban_events, 'h1'")  # passed over
        await other.execute("NOTIFY kuaiban_events, 'h2'")  # heard after it: h2 is read
        await asyncio.wait_for(got["h2"], 5)
        after_own = list(reads)
        await other.execute("NOTIFY kuaiban_events")  # every hall
        await asyncio.wait_for(asyncio.gather(got["h1"], got["h3"]), 5)
        halls = [json.loads(got[h].result()[0][1])["hall"] for h in ("h1", "h2", "h3")]
        for f in follows.values():
            await f.aclose()
        await hub.stop()
        await own.close()
        await other.close()
        return after_own, halls

    try:
        after_own, halls = asyncio.run(scenario())
    finally:
        table.drop()
    assert after_own == ["h2"]  # not h1
    assert halls == ["h1", "h2", "h3"]  # h1 and h3 woken by the NOTIFY that named none


@pytest.mark.parametrize("count", [0, 1, 2, 3, 500, 1025])
def test_hub_starts_after_the_last_event(tmp_path: Path, count: int) -> None:
    table = EventTable(tmp_path / "e.db")
    with sqlite3.connect(table.path) as con:
        con.executemany("insert into events (hall, type, at, payload) values ('h1','x','t','{}')",
                        [()] * count)

    async def head() -> tuple[int, int]:
        hub = EventHub(table.fetch)
        await hub.start()
        last = await hub.head("h1")  # where a hall's feed starts when its first board comes
        await hub.stop()
        return last, table.fetches

    last, fetches = asyncio.run(head())
    assert last == count
    assert fetches <= 2 * max(count, 1).bit_length() + 2


def test_a_stuck_websocket_client_is_dropped_and_resumes_with_after(
        serve: Callable[..., Served]) -> None:
    import socket

    s = serve(queue_size=3)
    big = "x" * 100_000  # a few of these fill the socket buffers of a client that stops reading
    url = f"ws://{s.base}/events/ws?after=0"
    host, port = s.base.split(":")
    # A small receive buffer, set before connecting: loopback's autotuned buffers could
    # otherwise take all 60 events (6 MB) and the server would never see a stuck client.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    with ws_connect(url, sock=sock, max_queue=1, compression=None) as ws:
        # Following live events before the first is added (else they come as a catch-up,
        # which no queue limits).
        deadline = time.monotonic() + 10
        while s.hub.subscribers < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        # One event at a time, each handed out before the next is added, so the server sends
        # some before the client's stuck buffers leave the queue of 3 to overflow. (All 60 at
        # once, as a busy machine may read them, overflow the queue before any is sent: then the
        # client is dropped with none and resumes from 0, as it should.)
        deadline = time.monotonic() + 10
        for i in range(1, 61):
            s.table.add(blob=big)
            s.hub.notify()
            while s.hub.last_id < i and s.hub.subscribers and time.monotonic() < deadline:
                time.sleep(0.002)
        time.sleep(0.3)
        got: list[int] = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                got.append(json.loads(ws.recv(timeout=10))["id"])
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    assert got == list(range(1, len(got) + 1)) and len(got) < 60
    resume = got[-1] if got else 0
    with ws_connect(f"ws://{s.base}/events/ws?after={resume}", max_size=None) as ws:
        rest = [json.loads(ws.recv(timeout=10))["id"] for _ in range(60 - len(got))]
    assert rest == list(range(len(got) + 1, 61))
    with ws_connect(f"ws://{s.base}/events/ws?after=59") as other:  # the hub itself is fine
        assert json.loads(other.recv(timeout=10))["id"] == 60


def test_a_slow_sse_reader_gets_every_event_once_in_order(
        serve: Callable[..., Served], monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that stops reading while events (and pings) pour in: its connection goes over
    the high-water mark, the live hand-out gives it back to its own queue, and once it reads
    again it gets every event exactly once, in order, and then live ones straight again."""
    import socket

    from queue_server.api import stream

    refused = []

    def push_now(send: Any, data: bytes) -> bool:
        ok = stream._push_now.__wrapped__(send, data)  # type: ignore[attr-defined]
        if not ok:
            refused.append(data[:8])
        return ok

    push_now.__wrapped__ = stream._push_now  # type: ignore[attr-defined]
    monkeypatch.setattr(stream, "_push_now", push_now)
    s = serve(ping_interval=0.05)
    host, port = s.base.split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills quickly
    sock.connect((host, int(port)))
    sock.settimeout(10)
    with sock:
        sock.sendall(f"GET /events?after=0 HTTP/1.1\r\nHost: {s.base}\r\n\r\n".encode())
        data = sock.recv(65536)
        assert data.startswith(b"HTTP/1.1 200")
        while s.hub.subscribers < 1:
            time.sleep(0.01)
        time.sleep(0.1)  # following live events, pinged meanwhile
        blob, total = "x" * 50_000, 200  # more than the kernel buffers on loopback
        for i in range(total):  # the client does not read: over the high-water mark
            s.table.add(number=f"C{i:03d}", blob=blob)
            s.hub.notify()
            if i % 50 == 0:
                time.sleep(0.1)  # pings fall due while the connection is full
        deadline = time.monotonic() + 10
        while s.hub.last_id < total and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert refused, "the connection never went over its high-water mark"
        ids: list[int] = []
        emitted = False
        while len(ids) < total + 2:
            if len(ids) == total and not emitted:  # caught up: later events come live again
                s.emit(2)  # once: a read that brings only a ping finds it still caught up
                emitted = True
            data += sock.recv(1 << 20)
            frames = data.split(b"\n\n")
            data = frames.pop()
            ids += [int(f[f.index(b"id: ") + 4:f.index(b"\n", f.index(b"id: "))])
                    for f in frames if b"id: " in f]
    assert ids == list(range(1, total + 3))
    assert s.hub.subscribers in (0, 1)


def test_a_reconnection_storm_shares_its_catch_up_reads(serve: Callable[..., Served]) -> None:
    """200 boards (SSE and WebSocket) connect at once behind a backlog of 60 events, from
    nearby `after=` ids, and a call is committed while their catch-up is under way: the hall's
    start is read once and the catch-up in a few shared reads (not one per board and batch),
    and every board gets every event after its own `after=`, once, in order, the live one last."""
    s = serve(batch=25)
    backlog = [s.table.add(number=f"D{i:03d}") for i in range(60)][-1]
    real_fetch, gate = s.table.fetch, threading.Event()
    reads = {"head": 0, "catch-up": 0}

    def fetch(hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        if limit == 1:
            reads["head"] += 1
        elif after < backlog:  # not the feed's own reads, which start at its last id
            reads["catch-up"] += 1
            assert gate.wait(10), "the gate was never opened"
        return real_fetch(hall, after, limit)

    s.hub.fetch = fetch
    boards, want = 200, backlog + 1

    async def sse(after: int, client: httpx.AsyncClient) -> list[int]:
        ids: list[int] = []
        async with client.stream("GET", f"http://{s.base}/events", params={"after": after}) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    ids.append(json.loads(line[6:])["id"])
                    if ids[-1] >= want:
                        return ids
        return ids

    async def ws(after: int) -> list[int]:
        from websockets.asyncio.client import connect

        ids: list[int] = []
        async with connect(f"ws://{s.base}/events/ws?after={after}", compression=None) as conn:
            while not ids or ids[-1] < want:
                ids.append(json.loads(await conn.recv())["id"])
        return ids

    async def storm() -> list[tuple[int, list[int]]]:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=15, limits=limits) as client:
            afters = [k % 3 for k in range(boards)]
            tasks = [asyncio.ensure_future(sse(a, client) if k % 4 else ws(a))
                     for k, a in enumerate(afters)]
            deadline = time.monotonic() + 15
            while s.hub.subscribers < boards:  # every board in its feed, catching up
                assert time.monotonic() < deadline, f"{s.hub.subscribers} boards subscribed"
                await asyncio.sleep(0.01)
            await asyncio.to_thread(s.emit, 1)  # a call committed during the catch-up
            while s.hub.last_id < want:  # handed out to every board's queue
                assert time.monotonic() < deadline, "the live event was not handed out"
                await asyncio.sleep(0.01)
            gate.set()
            got = await asyncio.wait_for(asyncio.gather(*tasks), 15)
        return list(zip(afters, got, strict=True))

    results = asyncio.run(storm())
    for after, ids in results:
        assert ids == list(range(after + 1, want + 1)), after
    assert reads["head"] <= 2 * backlog.bit_length() + 2, reads  # one start of the feed
    assert reads["catch-up"] <= 9, reads  # at most 3 starting points x 3 batches; was 600


def test_live_events_to_many_subscribers_go_out_in_slices() -> None:
    """Events for 1,000 subscribers are offered `fanout_slice` at a time, a turn of the event
    loop each, beginning `answer_grace` after they were taken: what the loop must do meanwhile
    (a counter's answer, its client reading it) runs before the first slice and between two
    slices, not after the whole hand-out, and every subscriber still gets every event once, in
    order."""

    async def scenario() -> None:
        hub = EventHub(lambda hall, after, limit: [], fanout_slice=100, poll_interval=None,
                       answer_grace=0.05)
        await hub.start()
        try:
            loop = asyncio.get_running_loop()
            feed = hub._feeds["h1"] = _Feed("h1", 0)
            subs = [_Subscriber("h1", 10) for _ in range(1000)]
            feed.subs.update(subs)
            rows = [{"id": i, "type": "ticket.called", "at": "", "hall": "h1"} for i in (1, 2)]
            began = time.monotonic()
            hub._hand_out(feed, rows)
            answered: list[int] = []

            def answer() -> None:
                answered.append(sum(len(sub.queue) for sub in subs))

            loop.call_soon(answer)
            loop.call_later(0.02, answer)  # within the grace
            while not any(sub.queue for sub in subs):
                await asyncio.sleep(0)
            assert time.monotonic() - began >= 0.05
            loop.call_soon(answer)  # during the hand-out
            while feed.pumping:
                await asyncio.sleep(0)
            assert answered[:2] == [0, 0] and 100 <= answered[2] <= 300, answered
            assert all([i for i, _ in sub.queue] == [1, 2] for sub in subs)
        finally:
            await hub.stop()

    asyncio.run(scenario())


def test_a_slice_waits_while_writes_wait_but_not_for_ever() -> None:
    """While requests wait for their unit of work the hand-out pauses (the counter's answer
    first); once they are answered it goes on, and writes that never stop (a busy hall) hold
    each slice back `yield_limit` seconds at most."""

    async def scenario() -> None:
        writes = [True]
        hub = EventHub(lambda hall, after, limit: [], fanout_slice=100, poll_interval=None,
                       writes_waiting=lambda: writes[0], yield_limit=60.0)
        await hub.start()
        try:
            feed = hub._feeds["h1"] = _Feed("h1", 0)
            subs = [_Subscriber("h1", 10) for _ in range(300)]
            feed.subs.update(subs)
            hub._hand_out(feed, [{"id": 1, "type": "t", "at": "", "hall": "h1"}])
            await asyncio.sleep(0.05)
            assert feed.pumping and not any(sub.queue for sub in subs)  # put off
            writes[0] = False
            await asyncio.wait_for(_pumped(feed), 5)
            assert all([i for i, _ in sub.queue] == [1] for sub in subs)

            writes[0], hub.yield_limit = True, 0.01  # writes never stop
            hub._hand_out(feed, [{"id": 2, "type": "t", "at": "", "hall": "h1"}])
            await asyncio.wait_for(_pumped(feed), 5)
            assert all([i for i, _ in sub.queue] == [1, 2] for sub in subs)
        finally:
            await hub.stop()

    asyncio.run(scenario())


async def _pumped(feed: _Feed) -> None:
    while feed.pumping:
        await asyncio.sleep(0.001)


def test_a_shared_reads_frames_are_joined_once_for_all_its_subscribers() -> None:
    """Each subscriber of a shared catch-up read sends the SSE frames of the events after its
    own cursor; the frames are made once for the read, whatever the cursors."""
    events = stream._Events([(i, json.dumps({"id": i, "n": "窗口"}, ensure_ascii=False))
                             for i in (3, 4, 7, 9)])
    for cursor, ids in ((0, [3, 4, 7, 9]), (4, [7, 9]), (5, [7, 9]), (8, [9]), (9, [])):
        tail = events.after(cursor)
        assert [i for i, _ in tail] == ids
        assert tail.sse() == "".join(stream.frame(i, text) for i, text in tail).encode()
    frames = events._frames
    assert frames is not None and events.after(2).sse() == frames  # made once, kept
    assert events.after(6).sse() == frames[events._starts[2]:]
