"""The event stream: one hub per server process that fans the event table out to Server-Sent
Events and WebSocket subscribers (CONTRACT.md §4).

The event table is the truth. `notify()` (after a commit) and, on PostgreSQL, a NOTIFY on
channel `kuaiban_events` (from any server process) are only wake-ups: the hub then re-reads the
table after the last id it has seen and hands each new event to every subscriber of its hall.
A subscriber first catches up from the table (`after=N`), then follows the live events; an id
at or below the last one it sent is skipped, so no event comes twice and none is missed.

Each subscriber has its own bounded queue, so a stuck display cannot slow the others: a
subscriber whose queue overflows is dropped and reconnects with `after=` its last id.

Shutdown: an event stream never ends by itself, and uvicorn waits for open responses before it
runs the lifespan shutdown. So, when started in the main thread, the hub chains itself in front
of the SIGTERM/SIGINT handlers already installed (uvicorn's) and ends every stream at once —
displays reconnect straight away to the restarted or another server instead of after a timeout.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import make_url
from starlette.responses import StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

log = logging.getLogger(__name__)

Fetch = Callable[[str | None, int, int], list[dict[str, Any]]]
CHANNEL = "kuaiban_events"
# Options for uvicorn that the stream needs: no per-message deflate (it costs every broadcast
# a compression per client), and a bounded graceful shutdown (an SSE response never ends on
# its own, so uvicorn would otherwise wait for it forever).
UVICORN_OPTIONS: dict[str, Any] = {"ws_per_message_deflate": False, "timeout_graceful_shutdown": 3}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def encode(event: dict[str, Any]) -> str:
    """One event as the compact JSON text sent on both transports."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=_json_default)


class _Subscriber:
    """One connected client: its hall filter and its bounded queue of (id, json) items."""

    def __init__(self, hall: str | None, limit: int) -> None:
        self.hall = hall
        self.limit = limit
        self.queue: collections.deque[tuple[int, str]] = collections.deque()
        self.wake = asyncio.Event()
        self.overflowed = False
        self.closed = False

    def offer(self, item: tuple[int, str]) -> None:
        if self.overflowed or self.closed:
            return
        if len(self.queue) >= self.limit:
            self.overflowed = True  # the client fell behind: it is dropped and resumes by id
            self.queue.clear()
        else:
            self.queue.append(item)
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()


class Dropped(Exception):
    """A subscriber's queue overflowed: it must reconnect with `after=` its last id."""


class EventHub:
    """Fans events out to subscribers; `fetch(hall, after, limit)` reads the table (sync, in a
    thread). `listen_url` (a PostgreSQL SQLAlchemy URL) adds the LISTEN wake-up."""

    def __init__(self, fetch: Fetch, *, listen_url: str | None = None, queue_size: int = 1000,
                 ping_interval: float = 10.0, batch: int = 500,
                 poll_interval: float | None = 5.0) -> None:
        self.fetch = fetch
        self.listen_url = listen_url
        self.queue_size = queue_size
        self.ping_interval = ping_interval
        self.batch = batch
        # A slow safety poll: a wake-up lost in a crash between commit and notify() would
        # otherwise delay an event until the next one. None turns it off.
        self.poll_interval = poll_interval
        self.last_id = 0
        self._subs: set[_Subscriber] = set()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._saved_signals: dict[int, Any] = {}

    # -- life cycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.last_id = await self._head()
        self._tasks.append(asyncio.create_task(self._dispatch_loop(), name="event-hub"))
        self._chain_signals()
        if self.listen_url and make_url(self.listen_url).get_backend_name() == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen_loop(), name="event-listen"))

    async def stop(self) -> None:
        for sig, handler in self._saved_signals.items():
            signal.signal(sig, handler)
        self._saved_signals.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._end_streams()

    def _end_streams(self) -> None:
        self._closing = True
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()

    def _chain_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers belong to the main thread (the server runs there)
        loop = self._loop
        assert loop is not None
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue  # no graceful shutdown installed: nothing to run ahead of

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                with contextlib.suppress(RuntimeError):  # the loop may already be closed
                    loop.call_soon_threadsafe(self._end_streams)
                previous(signum, frame)

            self._saved_signals[sig] = previous
            signal.signal(sig, handler)

    def notify(self, rows: list[dict[str, Any]] | None = None) -> None:
        """After a commit that wrote events; safe from any thread. `rows` (the committed
        events in id order, shaped as `fetch` reads them) lets the hub hand them out without
        reading the table again; without them, or when they do not follow on from the last
        event the hub saw (another process wrote in between), it re-reads the table."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        try:
            if asyncio.get_running_loop() is loop:
                self._take(rows)
                return
        except RuntimeError:
            pass
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._take, rows)

    def _take(self, rows: list[dict[str, Any]] | None) -> None:
        assert self._wake is not None
        fresh = [r for r in rows or () if int(r["id"]) > self.last_id]
        if not fresh or int(fresh[0]["id"]) != self.last_id + 1 or self._wake.is_set():
            if rows is None or fresh:
                self._wake.set()  # a gap, or a read already due: the table decides
            return
        self._hand_out(fresh)

    def _hand_out(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            event_id = int(row["id"])
            if event_id <= self.last_id:
                continue
            self.last_id = event_id
            item = (event_id, encode(row))
            hall = row.get("hall")
            for sub in self._subs:
                if sub.hall is None or sub.hall == hall:
                    sub.offer(item)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    # -- reading the table ------------------------------------------------------------------
    async def _read(self, hall: str | None, after: int) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.fetch, hall, after, self.batch)

    async def _head(self) -> int:
        """The last event id now in the table, in O(log n) one-row reads (a galloping then a
        binary search on "is there an event after X?"), so a big table starts fast."""

        async def any_after(x: int) -> bool:
            return bool(await asyncio.to_thread(self.fetch, None, x, 1))

        if not await any_after(0):
            return 0
        low, high = 0, 1  # invariant: an event after `low`; none after `high` once found
        while await any_after(high):
            low, high = high, high * 2
        while high - low > 1:
            mid = (low + high) // 2
            if await any_after(mid):
                low = mid
            else:
                high = mid
        return high

    async def _dispatch_loop(self) -> None:
        assert self._wake is not None
        failing = False  # log the first failure and the recovery, not every retry
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()
            try:
                await self._dispatch_new()
            except Exception as exc:  # a database hiccup must not end the stream; retry
                if not failing:
                    log.warning("event hub: reading new events failed (%s); retrying",
                                str(exc).splitlines()[0][:200] if str(exc) else repr(exc))
                failing = True
                await asyncio.sleep(0.5)
                self._wake.set()
            else:
                if failing:
                    log.warning("event hub: reading new events works again")
                failing = False

    async def _dispatch_new(self) -> None:
        while True:
            rows = await self._read(None, self.last_id)
            self._hand_out(rows)
            if len(rows) < self.batch:
                return

    async def _listen_loop(self) -> None:
        """LISTEN on PostgreSQL; reconnect with back-off, and resync after each reconnect."""
        import psycopg

        assert self.listen_url is not None
        dsn = make_url(self.listen_url).set(drivername="postgresql")
        conninfo = dsn.render_as_string(hide_password=False)
        delay, lost = 0.5, False
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = 0.5
                    if lost:
                        log.warning("event hub: LISTEN %s back", CHANNEL)
                    lost = False
                    self.notify()  # events may have come while we were not listening
                    async for _ in conn.notifies():
                        self.notify()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not lost:  # once per outage, not once per retry
                    log.warning("event hub: LISTEN %s lost (%s); retrying",
                                CHANNEL, str(exc).splitlines()[0][:200] if str(exc) else exc)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    # -- one subscriber ---------------------------------------------------------------------
    async def _follow(self, hall: str | None, after: int
                      ) -> AsyncGenerator[list[tuple[int, str]], None]:
        """Yield batches of (id, json) for every event after `after`, then live ones, in id
        order; an empty batch means "ping now". Raises Dropped when the subscriber overflows."""
        if self._closing:
            return
        sub = _Subscriber(hall, self.queue_size)
        self._subs.add(sub)  # before catching up, so nothing committed meanwhile is missed
        try:
            cursor = after
            while True:  # catch up from the table
                rows = [r for r in await self._read(hall, cursor) if int(r["id"]) > cursor]
                if rows:
                    cursor = int(rows[-1]["id"])
                    yield [(int(r["id"]), encode(r)) for r in rows]
                if len(rows) < self.batch:
                    break
            next_ping = time.monotonic() + self.ping_interval
            while not sub.closed:
                if sub.overflowed:
                    raise Dropped(f"subscriber fell {self.queue_size} events behind")
                batch = []
                while sub.queue:
                    item = sub.queue.popleft()
                    if item[0] > cursor:
                        cursor = item[0]
                        batch.append(item)
                if batch:
                    yield batch  # several events that came together go out as one write
                    continue
                wait = next_ping - time.monotonic()
                if wait <= 0:
                    next_ping = time.monotonic() + self.ping_interval
                    yield []
                    continue
                sub.wake.clear()
                if sub.queue or sub.overflowed or sub.closed:
                    continue
                # asyncio.timeout, not wait_for: no task per wait (it matters at 500 clients)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await sub.wake.wait()
        finally:
            self._subs.discard(sub)

    async def watch(self, hall: str) -> AsyncGenerator[list[dict[str, Any]], None]:
        """The live events of `hall` from now on, in batches (an empty batch at every ping
        interval), for a follower inside the server (a public ticket page). Raises Dropped
        when it falls behind."""
        async with contextlib.aclosing(self._follow(hall, self.last_id)) as events:
            async for batch in events:
                yield [json.loads(text) for _, text in batch]

    # -- transports -------------------------------------------------------------------------
    async def sse_response(self, hall: str | None, after: int) -> StreamingResponse:
        """A Server-Sent Events response: `id:`/`data:` per event, `: ping` at connect and
        every `ping_interval` seconds. A dropped subscriber's stream simply ends."""

        async def body() -> AsyncIterator[str]:
            yield "retry: 2000\n: ping\n\n"
            try:
                async with contextlib.aclosing(self._follow(hall, after)) as events:
                    async for batch in events:
                        yield "".join(f"id: {i}\ndata: {text}\n\n" for i, text in batch
                                      ) or ": ping\n\n"
            except Dropped as exc:
                log.info("event stream: %s; dropped", exc)

        return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)

    async def serve_websocket(self, websocket: WebSocket, hall: str | None, after: int) -> None:
        """Send every event after `after` as one JSON text frame each, until the client goes.
        A dropped subscriber is closed with 1013 (try again later), a stopped hub with 1001."""
        if websocket.application_state == WebSocketState.CONNECTING:
            await websocket.accept()
        sender = asyncio.create_task(self._send_frames(websocket, hall, after))
        reader = asyncio.create_task(self._drain_client(websocket))
        try:
            await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, reader):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        code = None if sender.cancelled() or sender.exception() else sender.result()
        if code is not None:
            with contextlib.suppress(Exception):
                await websocket.close(code)

    async def _send_frames(self, websocket: WebSocket, hall: str | None, after: int) -> int:
        try:
            async with contextlib.aclosing(self._follow(hall, after)) as events:
                async for batch in events:
                    for _, text in batch:
                        await websocket.send_text(text)
        except Dropped as exc:
            log.info("event websocket: %s; dropped", exc)
            return 1013
        return 1001  # the hub stopped: the server is going away

    @staticmethod
    async def _drain_client(websocket: WebSocket) -> None:
        """Read (and ignore) what the client sends, so its going away is noticed at once."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
