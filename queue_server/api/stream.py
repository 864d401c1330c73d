"""The event stream: one hub per server process that fans the event table out to Server-Sent
Events and WebSocket subscribers (CONTRACT.md §4).

Every subscriber follows one hall, and event ids grow per hall (db/events.py): the hub keeps a
feed per hall that has subscribers, with the last id it handed out. The event table is the
truth. `notify(rows)` (after a commit, with the committed rows) and, on PostgreSQL, a NOTIFY on
channel `kuaiban_events` (from any server process, naming the halls) are only wake-ups: a feed
whose new rows do not follow on from its last id re-reads the table after it, and hands each
new event to its subscribers. A subscriber joins its feed, catches up from the table
(`after=N`) up to the feed's last id at that moment, then follows the live events; an id at or
below the last one it sent is skipped, so no event comes twice and none is missed.

Catch-up reads are shared: the boards of a hall that reconnect together (a server restart)
ask for the same or nearby `after`, and each joins a read already made or under way that holds
what it needs (`_Read`) instead of queueing its own in the thread pool; a board whose `after`
is the feed's last id needs no read at all. A read's events are encoded, and their SSE frames
joined, once for all the boards that share it (`_Events`). So the first call after a
reconnection storm does not wait behind thousands of reads.

The counter that made a change is answered first: a commit's events are handed out in a later
turn of the event loop than the one that completes its request, so a board's fan-out never
stands in front of the answer. And the hand-out begins `answer_grace` (2 ms) later still: its
writes to 2,000 boards keep a core busy for some 20 ms, and their readers wake at once, so the
counter's client, when it shares the machine's cores (the same PC, or a loader), could not be
scheduled to read its answer: 2.2 -> 6 ms with 2,000 boards on 2 cores, its time in the
server unchanged. Boards hear of a call 2 ms later, some 40 ms after it.

Each subscriber has its own bounded queue, so a stuck display cannot slow the others: a
subscriber whose queue overflows is dropped and reconnects with `after=` its last id.

Shutdown: an event stream never ends by itself, and uvicorn waits for open responses before it
runs the lifespan shutdown. So, when started in the main thread, the hub chains itself in front
of the SIGTERM/SIGINT handlers already installed (uvicorn's) and ends every stream at once —
displays reconnect straight away to the restarted or another server instead of after a timeout.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextlib
import functools
import json
import logging
import signal
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from queue_server.api.guard import chunk_writer
from queue_server.api.http_errors import at_once
from queue_server.db.busy import first_line
from queue_server.db.events import NOTIFY_CHANNEL, conninfo

log = logging.getLogger(__name__)

T = TypeVar("T")
Fetch = Callable[[str | None, int, int], list[dict[str, Any]]]
CHANNEL = NOTIFY_CHANNEL
# Options for uvicorn that the stream needs: no per-message deflate (it costs every broadcast
# a compression per client), and a bounded graceful shutdown (an SSE response never ends on
# its own, so uvicorn would otherwise wait for it forever).
UVICORN_OPTIONS: dict[str, Any] = {"ws_per_message_deflate": False, "timeout_graceful_shutdown": 3}
YIELD_STEP = 0.001  # a slice put off for waiting writes looks again after this (seconds)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def frame(event_id: int, text: str) -> str:
    """One event as an SSE frame: its id and its JSON."""
    return f"id: {event_id}\ndata: {text}\n\n"


def encode(event: dict[str, Any]) -> str:
    """One event as the compact JSON text sent on both transports."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=_json_default)


class _Subscriber:
    """One connected client: its hall filter and its bounded queue of (id, json) items, or,
    once it follows live events over SSE, its `sink`: the hand-out writes each event straight
    into the client's connection (no task woken per subscriber and event)."""

    def __init__(self, hall: str | None, limit: int, owner: int | None = None) -> None:
        self.hall = hall
        self.owner = owner  # the terminal whose token (or staff session) it follows with
        self.limit = limit
        self.queue: collections.deque[tuple[int, str]] = collections.deque()
        self.wake = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.sink: Callable[[bytes], bool] | None = None
        self.cursor = 0  # with a sink: the last id written
        self.next_ping = 0.0  # with a sink: when to send a ping if no event came before
        self.ping_every = 10.0

    def offer(self, item: _Item) -> None:
        if self.overflowed or self.closed:
            return
        if self.sink is not None:
            if item.id > self.cursor:
                if self.sink(item.sse):
                    self.cursor = item.id
                    self.next_ping = time.monotonic() + self.ping_every
                    return
                # The client reads slowly (its buffer is full): back to its queue, which its
                # own coroutine sends as the client takes it (or drops it at `limit`).
                self.sink = None
            else:
                return
        if len(self.queue) >= self.limit:
            self.overflowed = True  # the client fell behind: it is dropped and resumes by id
            self.queue.clear()
        else:
            self.queue.append((item.id, item.text))
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()


class _Item:
    """One event as every subscriber of a feed gets it: encoded once, its SSE frame made on
    first use."""

    __slots__ = ("id", "text", "_sse")

    def __init__(self, event_id: int, text: str) -> None:
        self.id, self.text, self._sse = event_id, text, b""

    @property
    def sse(self) -> bytes:
        if not self._sse:
            self._sse = frame(self.id, self.text).encode()
        return self._sse


def _push_now(send: Callable[[dict[str, Any]], Awaitable[None]], data: bytes) -> bool:
    """Write one body chunk through the ASGI `send` without a task: the server's send returns
    without suspending unless the client's buffer is over its high-water mark, and then (or on
    any error) nothing was written and the answer is False (the subscriber is dropped)."""
    try:
        return at_once(send({"type": "http.response.body", "body": data, "more_body": True}))[0]
    except BaseException:  # noqa: BLE001 - a connection already gone
        return False


class _Read:
    """One catch-up read of a hall's events after `after` (at most `batch` rows), shared by
    the subscribers it serves, each event as (id, its JSON) encoded once for all of them. It began when the feed had handed out every event up to
    `known`, all committed by then, so its rows hold every event in (`after`, `known`] (or,
    when it comes back full, every one up to its last row): a subscriber that joined the feed
    at `known` or before, and whose own `after` is not below this one's, may use it."""

    __slots__ = ("after", "known", "task")

    def __init__(self, after: int, known: int, task: asyncio.Future[_Events]
                 ) -> None:
        self.after, self.known, self.task = after, known, task


class _Events(list[tuple[int, str]]):
    """A catch-up read's events as (id, JSON), in id order, shared by the subscribers it
    serves, with their SSE frames joined once, at the first use, for all of them: each
    subscriber sends the part after its own cursor. (2,000 boards caught up from shared reads
    each joined the frames of up to a batch of events, on the event loop; a counter's request
    that came meanwhile waited behind a round of them.)"""

    def __init__(self, events: list[tuple[int, str]]) -> None:
        super().__init__(events)
        self._frames: bytes | None = None
        self._starts: list[int] = []

    def after(self, cursor: int) -> _Tail:
        """The events with an id above `cursor`."""
        return _Tail(self, bisect.bisect_right(self, cursor, key=lambda event: event[0]))

    def sse_from(self, k: int) -> bytes:
        """The SSE frames of the events from the `k`-th on."""
        if self._frames is None:
            parts = [frame(i, text).encode() for i, text in self]
            starts, at = [], 0
            for part in parts:
                starts.append(at)
                at += len(part)
            self._frames, self._starts = b"".join(parts), starts
        return self._frames[self._starts[k]:] if k < len(self) else b""


class _Tail(list[tuple[int, str]]):
    """The events of a shared read after one subscriber's cursor, and their SSE frames."""

    def __init__(self, source: _Events, k: int) -> None:
        super().__init__(source[k:])
        self.source, self.k = source, k

    def sse(self) -> bytes:
        return self.source.sse_from(self.k)


class _Feed:
    """The subscribers of one hall (None: of every hall, for one-hall tools and tests), the
    last event id handed to them, and the recent catch-up reads of the hall."""

    def __init__(self, hall: str | None, last_id: int) -> None:
        self.hall = hall
        self.last_id = last_id  # the last event accepted (handed out, or being handed out)
        self.subs: set[_Subscriber] = set()
        self.stale = False  # the table must be read after `last_id`
        self.reads: list[_Read] = []
        # The hand-out in slices: events accepted and not yet offered to every subscriber,
        # the one being offered, and the subscribers (as they were when it began) still due.
        self.waiting: collections.deque[_Item] = collections.deque()
        self.due: list[_Subscriber] = []
        self.item: _Item | None = None
        self.pumping = False  # a slice is scheduled on the loop
        self.revoked: set[int] = set()  # terminals revoked by the events just accepted

    def accept(self, rows: list[dict[str, Any]]) -> None:
        """Take the events after `last_id` for handing out (`offer_some`), in id order."""
        for row in rows:
            event_id = int(row["id"])
            if event_id <= self.last_id:
                continue
            self.last_id = event_id
            self.waiting.append(_Item(event_id, encode(row)))
            if row.get("type") == "terminal.revoked" and row.get("terminal_id") is not None:
                self.revoked.add(int(row["terminal_id"]))

    def end_revoked(self) -> None:
        """A revoked terminal's token no longer works: its open streams end too (they went on
        for as long as they stayed connected). It reconnects, and is refused."""
        if self.revoked:
            for sub in [s for s in self.subs if s.owner in self.revoked]:
                sub.close()
            self.revoked.clear()

    def offer_some(self, budget: int) -> bool:
        """Offer the accepted events to the subscribers, at most `budget` offers; answers
        whether some are left. Each event goes to every subscriber before the next begins,
        so a subscriber gets them in id order however the offers are sliced; one that joined
        while an event was being offered read it from the table (its catch-up reads up to
        `last_id`) or gets it later from its queue, where its cursor drops a repeat."""
        while budget > 0:
            if not self.due:
                if not self.waiting:
                    self.item = None
                    return False
                self.item = self.waiting.popleft()
                self.due = list(self.subs)
                self.due.reverse()  # popped from the end: offered in the set's order
                continue
            item = self.item
            assert item is not None
            take = min(budget, len(self.due))
            budget -= take
            for _ in range(take):
                self.due.pop().offer(item)
        return bool(self.due or self.waiting)


class Dropped(Exception):
    """A subscriber's queue overflowed: it must reconnect with `after=` its last id."""


class EventHub:
    """Fans events out to subscribers; `fetch(hall, after, limit)` reads the table (sync, in a
    thread). `listen_url` (a PostgreSQL SQLAlchemy URL) adds the LISTEN wake-up."""

    def __init__(self, fetch: Fetch, *, listen_url: str | None = None, queue_size: int = 1000,
                 ping_interval: float = 10.0, batch: int = 500,
                 poll_interval: float | None = 5.0, fanout_slice: int = 200,
                 writes_waiting: Callable[[], bool] | None = None,
                 yield_limit: float = 0.004, answer_grace: float = 0.002,
                 sent_here: Callable[[int], bool] | None = None) -> None:
        self.fetch = fetch
        self.listen_url = listen_url
        # Whether a NOTIFY came from this process (its server process id): `_heard`.
        self.sent_here = sent_here
        self.queue_size = queue_size
        self.ping_interval = ping_interval
        self.batch = batch
        self.fanout_slice = fanout_slice  # offers of live events in one turn of the loop
        # While requests wait for their unit of work, a slice waits (at most `yield_limit`
        # seconds): the writer's thread needs the GIL, and the counter's answer comes first.
        self.writes_waiting = writes_waiting
        self.yield_limit = yield_limit
        self.answer_grace = answer_grace  # seconds between an answer and its fan-out's start
        # A slow safety poll: a wake-up lost in a crash between commit and notify() would
        # otherwise delay an event until the next one. None turns it off.
        self.poll_interval = poll_interval
        self._feeds: dict[str | None, _Feed] = {}
        self._starting: dict[str | None, asyncio.Future[int]] = {}  # a feed's head being read
        self.max_reads = 16  # catch-up reads kept per feed for later subscribers to share
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._saved_signals: dict[int, Any] = {}

    # -- life cycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._dispatch_loop(), name="event-hub"))
        self._tasks.append(asyncio.create_task(self._ping_loop(), name="event-ping"))
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
        for feed in list(self._feeds.values()):
            for sub in list(feed.subs):
                sub.close()
        self._feeds.clear()

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

    def notify(self, rows: list[dict[str, Any]] | None = None,
               halls: set[str] | None = None) -> None:
        """After a commit that wrote events; safe from any thread. `rows` (the committed
        events in id order per hall, shaped as `fetch` reads them) lets the hub hand them out
        without reading the table again; without them (`halls`: which halls wrote, when
        known), or when they do not follow on from the last event a feed saw (another process
        wrote in between), the feed re-reads the table."""
        loop = self._loop
        if loop is None or self._wake is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody listens any more
            loop.call_soon_threadsafe(self._take, rows, halls)

    def _take(self, rows: list[dict[str, Any]] | None, halls: set[str] | None) -> None:
        """On the loop: decide what each feed must do; the handing out itself runs in a later
        turn (`call_soon`), after the requests this commit answers have been resumed."""
        assert self._wake is not None and self._loop is not None
        ready: list[tuple[_Feed, list[dict[str, Any]]]] = []
        for feed in list(self._feeds.values()):
            if rows is None:
                if halls is None or feed.hall is None or feed.hall in halls:
                    feed.stale = True
                continue
            mine = [r for r in rows if (feed.hall is None or r.get("hall") == feed.hall)
                    and int(r["id"]) > feed.last_id]
            if not mine:
                continue
            if feed.stale or int(mine[0]["id"]) != feed.last_id + 1:
                feed.stale = True  # a gap, or a read already due: the table decides
            else:
                ready.append((feed, mine))
        if any(feed.stale for feed in self._feeds.values()):
            self._wake.set()
        if ready:
            self._loop.call_soon(self._hand_out_all, ready)

    def _hand_out_all(self, ready: list[tuple[_Feed, list[dict[str, Any]]]]) -> None:
        for feed, rows in ready:
            if not feed.stale:
                self._hand_out(feed, rows)

    def _hand_out(self, feed: _Feed, rows: list[dict[str, Any]]) -> None:
        """Offer `rows` to the feed's subscribers, `fanout_slice` offers a turn of the event
        loop: with 2,000 boards one event is some 20 ms of writes, and a counter's request
        that arrives meanwhile is read and answered between two slices, not after them all."""
        feed.accept(rows)
        feed.end_revoked()
        if not feed.pumping:
            feed.pumping = True
            assert self._loop is not None
            self._loop.call_later(self.answer_grace, self._offer_slice, feed)

    def _offer_slice(self, feed: _Feed, waited: float = 0.0) -> None:
        assert self._loop is not None
        if (self.writes_waiting is not None and waited < self.yield_limit
                and self.writes_waiting()):
            self._loop.call_later(YIELD_STEP, self._offer_slice, feed, waited + YIELD_STEP)
            return
        if feed.offer_some(self.fanout_slice):
            self._loop.call_soon(self._offer_slice, feed)
        else:
            feed.pumping = False

    @property
    def subscribers(self) -> int:
        return sum(len(feed.subs) for feed in self._feeds.values())

    @property
    def last_id(self) -> int:
        """The highest id handed out by any feed (a one-hall hub's last event)."""
        return max((feed.last_id for feed in self._feeds.values()), default=0)

    async def _feed(self, hall: str | None) -> _Feed:
        """The hall's feed, made on its first subscriber, starting at the table's last id (one
        read of it however many subscribers come meanwhile)."""
        feed = self._feeds.get(hall)
        if feed is None:
            start = self._starting.get(hall)
            if start is None:
                start = asyncio.ensure_future(self._retrying(lambda: self.head(hall)))
                self._starting[hall] = start

                def started(done: asyncio.Future[int]) -> None:
                    if self._starting.get(hall) is done:
                        del self._starting[hall]

                start.add_done_callback(started)
            head = await asyncio.shield(start)
            feed = self._feeds.get(hall)  # another subscriber may have made it meanwhile
            if feed is None:
                feed = self._feeds[hall] = _Feed(hall, head)
                feed.stale = True  # what committed while the head was read comes next
                assert self._wake is not None
                self._wake.set()
        return feed

    # -- reading the table ------------------------------------------------------------------
    async def _read(self, hall: str | None, after: int) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.fetch, hall, after, self.batch)

    async def _retrying(self, read: Callable[[], Awaitable[T]], tries: int = 4) -> T:
        """`read()`, tried again a few times: a busy database when a board connects should
        delay its stream, not end it."""
        for attempt in range(tries):
            try:
                return await read()
            except Exception:
                if attempt == tries - 1:
                    raise
                await asyncio.sleep(0.1 * 2 ** attempt)
        raise AssertionError("unreachable")

    async def head(self, hall: str | None) -> int:
        """The hall's last event id now in the table, in O(log n) one-row reads (a galloping
        then a binary search on "is there an event after X?"), so a big table starts fast."""

        async def any_after(x: int) -> bool:
            return bool(await asyncio.to_thread(self.fetch, hall, x, 1))

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

    async def _ping_loop(self) -> None:
        """Ping the SSE streams that follow live events, each when its ping is due, in small
        steps: no task woken per subscriber, and subscribers that connected together (a
        restart) are not pinged in one burst that would stand in front of a counter's answer."""
        step = max(self.ping_interval / 20, 0.05)
        ping = b": ping\n\n"
        while True:
            await asyncio.sleep(step)
            now = time.monotonic()
            for feed in list(self._feeds.values()):
                for sub in list(feed.subs):
                    if sub.sink is None or now < sub.next_ping or sub.closed:
                        continue
                    sub.next_ping = now + self.ping_interval
                    if not sub.sink(ping):  # a slow client: its coroutine takes over
                        sub.sink = None
                        sub.wake.set()

    async def _dispatch_loop(self) -> None:
        assert self._wake is not None
        failing = False  # log the first failure and the recovery, not every retry
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                if self.listen_url is None:
                    # Without LISTEN nothing tells of another process's events (a
                    # `provisioning revoke`, `init` or `enrol` on the SQLite file): every
                    # feed looks at the table now and then (they waited for this process's
                    # next write, and a revoked display's stream went on until then).
                    for feed in self._feeds.values():
                        feed.stale = True
            self._wake.clear()
            try:
                await self._dispatch_new()
            except Exception as exc:  # a database hiccup must not end the stream; retry
                if not failing:
                    log.warning("event hub: reading new events failed (%s); retrying",
                                first_line(exc))
                failing = True
                await asyncio.sleep(0.5)
                self._wake.set()
            else:
                if failing:
                    log.warning("event hub: reading new events works again")
                failing = False

    async def _dispatch_new(self) -> None:
        for feed in list(self._feeds.values()):
            if not feed.stale:
                continue
            feed.stale = False
            try:
                while True:
                    rows = await self._read(feed.hall, feed.last_id)
                    self._hand_out(feed, rows)
                    if len(rows) < self.batch:
                        break
            except Exception:
                feed.stale = True
                raise

    async def _listen_loop(self) -> None:
        """LISTEN on PostgreSQL; reconnect with back-off, and resync after each reconnect."""
        import psycopg

        assert self.listen_url is not None
        dsn = conninfo(self.listen_url)
        delay, lost = 0.5, False
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = 0.5
                    if lost:
                        log.warning("event hub: LISTEN %s back", CHANNEL)
                    lost = False
                    self.notify()  # events may have come while we were not listening
                    await self._heard(conn.pgconn, conn.info.encoding)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not lost:  # once per outage, not once per retry
                    log.warning("event hub: LISTEN %s lost (%s); retrying",
                                CHANNEL, first_line(exc))
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _heard(self, pgconn: Any, encoding: str) -> None:
        """Take the NOTIFYs that come on the listening connection (the driver's `PGconn`)
        until it fails, which raises. Whatever has come when its socket is readable is taken
        at once, and the halls named go to `notify` together (one naming none: every hall).
        A NOTIFY sent by this process (`sent_here`) is passed over: its events come to the hub
        from this process's own commits anyway, and a read of the table would find nothing
        new. This reads the socket itself rather than by `AsyncConnection.notifies`, which
        registers and removes the socket with the loop for every wait: 45 µs of CPU a NOTIFY
        here against 120."""
        assert self._loop is not None
        loop, fd = self._loop, pgconn.socket
        ended: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            named: set[str] | None = set()
            try:
                pgconn.consume_input()
                while (note := pgconn.notifies()) is not None:
                    if self.sent_here is not None and self.sent_here(note.be_pid):
                        continue
                    halls = {h for h in note.extra.decode(encoding).split(",") if h}
                    named = None if named is None or not halls else named | halls
            except Exception as exc:  # noqa: BLE001 - the connection is lost: reconnect
                if not ended.done():
                    ended.set_exception(exc)
            if named is None or named:
                self.notify(halls=named)

        loop.add_reader(fd, readable)
        try:
            await ended
        finally:
            loop.remove_reader(fd)

    # -- one subscriber ---------------------------------------------------------------------
    async def _backlog(self, feed: _Feed, after: int, upto: int
                       ) -> AsyncGenerator[_Tail, None]:
        """The catch-up of a subscriber that joined `feed` when its last id was `upto`: the
        hall's events after `after` as (id, JSON), in batches, until `upto` is passed or a read
        comes back short (every later event reaches the subscriber's queue). Nothing to read
        when `after` is `upto` or beyond."""
        cursor = after
        while cursor < upto:
            fresh = await self._retrying(lambda c=cursor: self._shared_read(feed, c, upto))
            events = fresh.after(cursor)
            if events:
                cursor = events[-1][0]
                yield events
            if len(fresh) < self.batch:
                return
            cursor = max(cursor, fresh[-1][0])

    async def _read_encoded(self, hall: str | None, after: int) -> _Events:
        """A catch-up read's events as (id, JSON): encoded once, however many subscribers
        share the read (2,000 boards reconnecting behind 500 events were a million encodings,
        each on the event loop)."""
        return _Events([(int(row["id"]), encode(row)) for row in await self._read(hall, after)])

    async def _shared_read(self, feed: _Feed, after: int, upto: int) -> _Events:
        """A read of the feed's hall after `after` or a little before it (the caller drops
        what it already has) that holds every event up to `upto` or a full batch beyond
        `after`: one of the feed's reads if one fits, else a new one the next callers can
        join. The read is shielded: a subscriber that goes away does not cancel it."""
        read = self._fitting_read(feed, after, upto)
        if read is None:
            task = asyncio.ensure_future(self._read_encoded(feed.hall, after))
            read = _Read(after, feed.last_id, task)
            # Reads that no later subscriber can use (events came since) are let go.
            feed.reads = [r for r in feed.reads if not r.task.done() or r.known >= feed.last_id]
            feed.reads.append(read)
            del feed.reads[:-self.max_reads]

            def failed(done: asyncio.Future[_Events]) -> None:
                if done.cancelled() or done.exception() is not None:
                    with contextlib.suppress(ValueError):
                        feed.reads.remove(read)

            task.add_done_callback(failed)
        return await asyncio.shield(read.task)

    def _fitting_read(self, feed: _Feed, after: int, upto: int) -> _Read | None:
        """The feed's read that serves a catch-up from `after` to `upto`, the nearest below
        `after` if several do: begun when the feed was at `upto` or later, from `after` or
        below, and not a full batch that ends before `after` (one under way: less than a
        batch of ids below `after`)."""
        best: _Read | None = None
        for read in feed.reads:
            if read.after > after or read.known < upto:
                continue
            if read.task.done():
                if read.task.cancelled() or read.task.exception() is not None:
                    continue
                events = read.task.result()
                if len(events) >= self.batch and events[-1][0] <= after:
                    continue
            elif after - read.after >= self.batch:
                continue
            if best is None or read.after > best.after:
                best = read
        return best

    async def _follow(self, hall: str | None, after: int, owner: int | None = None
                      ) -> AsyncGenerator[list[tuple[int, str]], None]:
        """Yield batches of (id, json) for every event after `after`, then live ones, in id
        order; an empty batch means "ping now". Raises Dropped when the subscriber overflows."""
        if self._closing:
            return
        feed = await self._feed(hall)
        if self._closing:  # the hub stopped while the feed's start was read
            return
        sub = _Subscriber(hall, self.queue_size, owner)
        feed.subs.add(sub)  # before catching up, so nothing committed meanwhile is missed
        try:
            cursor = after
            async for events in self._backlog(feed, after, feed.last_id):
                cursor = events[-1][0]
                yield events
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
            feed.subs.discard(sub)
            if not feed.subs and self._feeds.get(hall) is feed:
                del self._feeds[hall]  # nobody follows the hall here any more

    async def mark(self, hall: str) -> int:
        """The id of the last event of `hall` handed out: `watch(hall, after=mark)` later
        misses nothing committed after it (a follower reads its state after the mark)."""
        return (await self._feed(hall)).last_id

    async def watch(self, hall: str, after: int | None = None
                    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        """The live events of `hall` from now on (or from after the id `after`, from `mark`),
        in batches (an empty batch at every ping interval), for a follower inside the server
        (a public ticket page). Raises Dropped when it falls behind."""
        start = (await self._feed(hall)).last_id if after is None else after
        async with contextlib.aclosing(self._follow(hall, start)) as events:
            async for batch in events:
                yield [json.loads(text) for _, text in batch]

    # -- transports -------------------------------------------------------------------------
    async def sse_response(self, hall: str | None, after: int, owner: int | None = None
                           ) -> StreamingResponse:
        """A Server-Sent Events response: `id:`/`data:` per event, `: ping` at connect and
        every `ping_interval` seconds. A dropped subscriber's stream simply ends, as does the
        stream of a terminal (`owner`) that is revoked."""
        return _SseResponse(self, hall, after, owner)

    async def serve_sse(self, hall: str | None, after: int, receive: Receive,
                        send: Callable[[dict[str, Any]], Awaitable[None]],
                        direct: Callable[[bytes], bool] | None = None,
                        owner: int | None = None) -> None:
        """The body of an SSE response: catch up from the table through `send`, then let the
        feed write live events straight into the connection (`_Subscriber.sink`: `direct`,
        the connection's own chunk writer where the server has one, else `send` run without
        a task); this coroutine only sends the pings and notices the end (client gone,
        dropped, hub stopped)."""

        async def chunk(data: str | bytes) -> None:
            body = data.encode() if isinstance(data, str) else data
            await send({"type": "http.response.body", "body": body, "more_body": True})

        await chunk("retry: 2000\n: ping\n\n")
        if self._closing:
            return
        feed = await self._feed(hall)
        if self._closing:
            return
        sub = _Subscriber(hall, self.queue_size, owner)
        feed.subs.add(sub)  # before catching up, so nothing committed meanwhile is missed
        gone = asyncio.ensure_future(_disconnected(receive))
        gone.add_done_callback(lambda _: sub.close())
        try:
            cursor = after
            async for events in self._backlog(feed, after, feed.last_id):
                cursor = events[-1][0]
                await chunk(events.sse())
            while not (sub.closed or sub.overflowed):
                while sub.queue and not (sub.closed or sub.overflowed):  # came meanwhile
                    batch = [item for item in _popall(sub.queue) if item[0] > cursor]
                    if batch:
                        cursor = batch[-1][0]
                        await chunk("".join(frame(i, text) for i, text in batch))
                if sub.closed or sub.overflowed:
                    break
                # No await between the queue found empty and the sink set: nothing slips by.
                sub.cursor = cursor
                sub.ping_every = self.ping_interval
                sub.next_ping = time.monotonic() + self.ping_interval  # the hub's pinger
                sub.sink = direct or functools.partial(_push_now, send)
                sub.wake.clear()
                await sub.wake.wait()  # closed, dropped, or a slow client back on its queue
                cursor = sub.cursor
            if sub.overflowed:
                log.info("event stream: subscriber fell behind; dropped")
        finally:
            sub.sink = None
            gone.cancel()
            feed.subs.discard(sub)
            if not feed.subs and self._feeds.get(hall) is feed:
                del self._feeds[hall]  # nobody follows the hall here any more

    async def serve_websocket(self, websocket: WebSocket, hall: str | None, after: int,
                              owner: int | None = None) -> None:
        """Send every event after `after` as one JSON text frame each, until the client goes.
        A dropped subscriber is closed with 1013 (try again later), a stopped hub with 1001."""
        if websocket.application_state == WebSocketState.CONNECTING:
            await websocket.accept()
        sender = asyncio.create_task(self._send_frames(websocket, hall, after, owner))
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

    async def _send_frames(self, websocket: WebSocket, hall: str | None, after: int,
                           owner: int | None = None) -> int:
        try:
            async with contextlib.aclosing(self._follow(hall, after, owner)) as events:
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


def _popall(queue: collections.deque[tuple[int, str]]) -> list[tuple[int, str]]:
    items = list(queue)
    queue.clear()
    return items


async def _disconnected(receive: Receive) -> None:
    """Until the client goes away (a GET's request body is already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class _SseResponse(StreamingResponse):
    """An event stream's response: the status line and headers, then `EventHub.serve_sse`."""

    def __init__(self, hub: EventHub, hall: str | None, after: int, owner: int | None) -> None:
        super().__init__(iter(()), media_type="text/event-stream", headers=SSE_HEADERS)
        self.hub, self.hall, self.after, self.owner = hub, hall, after, owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        with contextlib.suppress(OSError, RuntimeError):  # the client went away meanwhile
            await self.hub.serve_sse(self.hall, self.after, receive, send, chunk_writer(scope),
                                     self.owner)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
