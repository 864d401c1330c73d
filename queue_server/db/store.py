"""The database: engines for SQLite and PostgreSQL, the migrations, and where units of work run.

Writes follow PERFORMANCE.md: on SQLite one in-process write lock plus `BEGIN IMMEDIATE`
(SQLite's own busy handler backs off unfairly), WAL and `synchronous=FULL` (a printed number
must survive a power cut), units of work that arrive together sharing one commit
(group_commit.py; the busy endpoints' units run on one writer thread, `Store.run`); on
PostgreSQL row locks, each unit its own transaction, but one hall's plain issues that arrive
while the hall's previous ones commit share the next transaction (`Store.together`: a hall's
writes take turns on its event row to the end of their commit). A request waits for the lock at most
`lock_timeout` seconds, then `Busy` (the API answers 503 with Retry-After). Events are numbered
and written by events.py, once per commit.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from queue_server.db import events
from queue_server.db.busy import Busy, Unavailable, busy_on_lock, invalidate_lost
from queue_server.db.checkpoint import Checkpointer
from queue_server.db.group_commit import GroupCommit, Writer, unit_session
from queue_server.db.health import StorageHealth, sqlite_file
from queue_server.db.unit import EventRows, Tx, committed
from queue_server.domain.clock import utcnow

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")
log = logging.getLogger(__name__)
# `Store.together`: units of one key running at once, and asks in one unit. One unit a key:
# the next one gathers what arrives while it runs (a second would only wait for the first's
# row and commit).
TOGETHER_RUNNING = 1
TOGETHER_MAX = 32
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Set inside `Store.admitted`: the request already holds its place.
_ADMITTED: contextvars.ContextVar[bool] = contextvars.ContextVar("admitted", default=False)


def _refuse(place: asyncio.Future[None]) -> None:
    if not place.done():
        place.set_exception(Busy("too many requests are waiting for the database"))


@dataclass
class _Lane:
    """`Store.together`'s asks of one key waiting (each with its answer) and units running."""

    waiting: list[tuple[Any, asyncio.Future[Any]]] = field(default_factory=list)
    running: int = 0


class ShedGauge:
    """How many units may wait at once: `max_pending`, or fewer when the units are served
    slowly, so that what is accepted waits at most about `target_wait` seconds (units served a
    busy second × target_wait, at least `floor`). The rate is measured over busy time only
    (while units wait), so a quiet spell does not lower it. Event loop thread only.

    30 ms: at 100 ms an overloaded server kept 64 units waiting (its 1,100-1,900 units a
    second × 0.1), and what it accepted waited 58-85 ms at p99 at 80 % of the closed-loop
    capacity (in an open loop fewer units share a commit, so that rate is near the open
    loop's own capacity) and 112-122 ms at twice it; at 30 ms, 30-58 and 51-58 ms
    (bench_scale --parts sqlite,open, alternating). The floor keeps 32 kiosks waiting at once
    unrefused however slowly the units go."""

    def __init__(self, max_pending: int, target_wait: float = 0.03, floor: int = 32,
                 door_wait: float = 0.02) -> None:
        self.max_pending, self.target_wait = max_pending, target_wait
        # A request refused (no place left) is answered at once while refusals are few: up
        # to `refusals_per_unit` for each unit served, saved up to that many times
        # `max_pending`. Beyond them it waits up to `door_wait` seconds at the door for a
        # place (`Store.admitted`, `door_time`): clients then retry a refusal at once (a
        # closed loop that ignores Retry-After), and each of them is refused at most once a
        # wait.
        self.door_wait = door_wait
        self.refusals_per_unit = 4
        self._refusals = self._most_refusals = self.refusals_per_unit * max_pending
        self.floor = min(floor, max_pending)
        self.limit = max_pending
        # Places beyond the limit kept for the first request of a terminal with nothing
        # waiting (`Store.admitted(first=True)`): one hall's flood (or one runaway terminal)
        # fills the limit with its own requests, and a quiet kiosk of another hall was refused
        # 3 times in 4 (an outside check: 2 servers, 200 connections flooding one hall).
        self.reserve = max(8, max_pending // 4)
        self.rate = 0.0  # units a busy second, smoothed
        self._busy_since: float | None = None
        self._busy = 0.0  # busy seconds in the current window
        self._done = 0

    def started(self, pending: int) -> None:
        if pending == 1:
            self._busy_since = time.monotonic()

    def door_time(self, ahead: int) -> float:
        """How long a request waits at the door behind `ahead` others: `door_wait`, or as
        long as serving them takes at the measured rate (at most a second, the Retry-After
        it would be told), so that however many clients retry at once, the door refuses
        about as many a second as are served."""
        return min(1.0, max(self.door_wait, ahead / self.rate if self.rate else 0.0))

    def refuse_now(self) -> bool:
        """A request that finds no place: refused at once (True), or to wait at the door."""
        if self._refusals >= 1:
            self._refusals -= 1
            return True
        return False

    def ended(self, pending: int) -> None:
        self._done += 1
        self._refusals = min(self._refusals + self.refusals_per_unit, self._most_refusals)
        now = time.monotonic()
        if self._busy_since is not None:
            self._busy += now - self._busy_since
            self._busy_since = now if pending else None
        if self._busy >= 0.25 and self._done >= 16:
            rate = self._done / self._busy
            self.rate = rate if not self.rate else 0.5 * self.rate + 0.5 * rate
            self._busy, self._done = 0.0, 0
            self.limit = max(self.floor, min(self.max_pending,
                                             int(self.rate * self.target_wait)))


def _sqlite_engine(url: str, immediate: bool | None, timeout: float) -> Engine:
    """`immediate`: BEGIN IMMEDIATE (True) or BEGIN (False) at every transaction's start, or
    None: the caller issues BEGIN itself (the group commit's engine: without an engine-level
    event listener SQLAlchemy skips its event dispatch on every statement)."""
    engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False},
                           pool_size=8, max_overflow=32, pool_timeout=timeout)
    file = sqlite_file(url)  # after the URL was found good: a refused one makes no folder
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cur.close()

    _plain_savepoints(engine)
    if immediate is not None:
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _plain_savepoints(engine: Engine) -> None:
    """SAVEPOINT, RELEASE and ROLLBACK TO as plain SQL text: SQLAlchemy builds and compiles a
    clause for each (its name differs every time, so its statement cache never helps), and
    the group commit opens one for every unit after a batch's first. The same SQL."""
    dialect = engine.dialect
    quote = dialect.identifier_preparer.quote

    def savepoint(conn: Any, name: str) -> None:
        conn.exec_driver_sql(f"SAVEPOINT {quote(name)}")

    def release(conn: Any, name: str) -> None:
        conn.exec_driver_sql(f"RELEASE SAVEPOINT {quote(name)}")

    def rollback_to(conn: Any, name: str) -> None:
        conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {quote(name)}")

    dialect.do_savepoint = savepoint  # type: ignore[method-assign,assignment]
    dialect.do_release_savepoint = release  # type: ignore[method-assign,assignment]
    dialect.do_rollback_to_savepoint = rollback_to  # type: ignore[method-assign,assignment]


PG_POOL = 10  # connections kept open to PostgreSQL; also the threads that run its units


def make_engine(url: str, *, immediate: bool = True, timeout: float = 5.0) -> Engine:
    """No ping at checkout (it cost every unit a round trip): a connection that died meanwhile
    (a restart) fails its statement, SQLAlchemy then drops every pooled connection opened
    before, and the request is answered 503 `db_unavailable` (busy.py); the retry gets a new
    one."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate, timeout)
    return invalidate_lost(create_engine(
        url, pool_size=PG_POOL, max_overflow=20, pool_timeout=timeout, pool_use_lifo=True,
        connect_args={"options": f"-c lock_timeout={int(timeout * 1000)}"}))


# The newest migration's revision (test_migrations checks it is Alembic's head): a database
# already at it needs no Alembic when a server starts. Importing Alembic and reading the
# migrations were 7 % of the instructions to import the app and migrate (about 0.15 s of a
# server's 2.5 s start here, and a start is a hall's outage after a crash).
HEAD = "0011"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def _revisions(conn: Connection) -> list[str] | None:
    """The database's Alembic revisions, or None when it has none (a new database)."""
    try:
        return [str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))
                .scalars()]
    except SQLAlchemyError:
        return None


def known_revisions() -> set[str]:
    """The schema versions (Alembic revisions) this Kuaiban has migrations for."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(""))
    return {rev.revision for rev in script.walk_revisions()}


def foreign_tables(url: str) -> list[str]:
    """Another program's tables in the database at `url`, which Kuaiban must not build its own
    beside (the server at its start, `provisioning init` and `restore` refuse it): the tables
    that are not Kuaiban's when it holds no Kuaiban schema version (an `alembic_version` of
    revisions Kuaiban never had is another program's). [] for Kuaiban's own at any version
    (an older one is upgraded, a newer one refused by the migration), an empty database or a
    missing SQLite file (made later). Reads only, on a plain engine: the server's would turn
    another program's SQLite file to WAL on connecting. A failure to read is raised."""
    if make_url(url).get_backend_name() == "sqlite":
        file = sqlite_file(url)
        if file is None or not file.is_file():
            return []
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            found = (set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
                     if "alembic_version" in tables else set())
    finally:
        engine.dispose()
    if found and (found == {HEAD} or found <= known_revisions()
                  or {"halls", "terminals"} <= tables):
        return []  # Kuaiban's: of this version, an older or a newer one
    from queue_server.db.models import Base

    ours = set(Base.metadata.tables) | (set() if found else {"alembic_version"})
    return sorted(tables - ours)


class NewerSchema(Exception):
    """The database was made by a newer Kuaiban: this one has no migration for its schema
    version, and never downgrades it (the words: `failure_words.newer_schema`)."""

    def __init__(self, found: list[str]) -> None:
        super().__init__(", ".join(found))
        self.found = ", ".join(found)


def migrate(url: str) -> None:
    """Create or upgrade the schema to the newest migration; an upgrade of a database that had
    a schema is logged (a production database changed at a server's start left no trace).
    A newer Kuaiban's database is `NewerSchema` (it was Alembic's traceback, exit 1, and a
    restart loop under systemd)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = _revisions(conn)
            if found == [HEAD]:
                return
            if found and set(found) - known_revisions():
                raise NewerSchema(found)
            conn.rollback()  # the read's transaction (failed, on a new PostgreSQL database)
            from alembic import command

            with conn.begin():
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        if found:
            log.warning("database schema upgraded from %s to %s", ", ".join(found), HEAD)
    finally:
        engine.dispose()


class Store:
    """Engines, the write lock and the unit of work; `on_events(rows)` runs after a commit
    that wrote events, with those rows in id order (the server's event hub takes them
    there)."""

    def __init__(self, url: str, *, lock_timeout: float = 5.0,
                 clock: Callable[[], datetime] | None = None, max_pending: int = 64) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.lock_timeout = lock_timeout
        self.clock = clock or utcnow
        # On SQLite only the group commit writes, and it begins its transactions itself.
        self.writer = (_sqlite_engine(url, None, lock_timeout) if self.is_sqlite
                       else make_engine(url, timeout=lock_timeout))
        # SQLite: the WAL is copied back by a thread of its own, ahead of the commits (checkpoint.py)
        file = sqlite_file(url) if self.is_sqlite else None
        self._checkpoints = Checkpointer(file, timeout=lock_timeout) if file else None
        self.reader = (make_engine(url, immediate=False, timeout=lock_timeout)
                       if self.is_sqlite else self.writer)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        self.on_events: Callable[[EventRows], None] = lambda rows: None
        self.health = StorageHealth(url)
        self._group = GroupCommit(self.writer, lock_timeout, self.clock, self._committed)
        self._writer_thread = Writer(self._group) if self.is_sqlite else None
        # Units handed to `run` and not answered yet: beyond `max_pending` a unit is refused at
        # once (`Busy`, 503 with Retry-After) instead of queueing, so what is accepted is
        # answered in bounded time above capacity and kiosks retry with the same key.
        self.shed = ShedGauge(max_pending)
        self.pending = 0  # counted on the event loop's thread only
        # Of them, those whose unit is with the database now (the event hub lets them go
        # first: `EventHub.writes_waiting`); a request holds its place from the door on.
        self.units = 0
        self._door: deque[asyncio.Future[None]] = deque()  # waiting for a place (`admitted`)
        # PostgreSQL units run on as many threads as the pool has connections: more threads
        # would only wait for a connection while competing for the interpreter.
        self._pg_threads = (None if self.is_sqlite else ThreadPoolExecutor(
            PG_POOL, thread_name_prefix="pg-unit"))
        # PostgreSQL: the other server processes hear of new events by a NOTIFY sent after
        # the commit (events.Announcer); one process needs none.
        self._announcer = None if self.is_sqlite else events.Announcer(self.writer)
        self._lanes: dict[Hashable, _Lane] = {}  # `together`'s keys with asks (loop thread)
        self._lane_tasks: set[asyncio.Task[None]] = set()

    def announced_here(self, backend_pid: int) -> bool:
        """Whether a NOTIFY from PostgreSQL's server process `backend_pid` was this store's
        own (`events.Announcer`): the events it names reach `on_events` in this process
        anyway (the commits that announce them hand them over)."""
        return self._announcer is not None and self._announcer.backend_pid == backend_pid

    @property
    def max_pending(self) -> int:
        return self.shed.max_pending

    @max_pending.setter
    def max_pending(self, value: int) -> None:
        self.shed = ShedGauge(value)

    def _committed(self, rows: EventRows, hooks: list[Callable[[], None]],
                   fan_out: bool = True, began: float | None = None) -> None:
        """After a commit: observers and hooks, then the event hub (which hands the rows out
        in a later turn of the event loop than the answers of the same commit). Only a commit
        that wrote events tells the health the database works again: a unit that merely read
        commits even on a read-only database, and must not flip the state back and forth; nor
        does a PostgreSQL unit that `began` before the last failure (`StorageHealth.succeeded`;
        SQLite's batches follow one another on the one writer thread)."""
        if self._checkpoints is not None:
            self._checkpoints.committed()
        if rows:
            self.health.succeeded(began)
            if self._announcer is not None:
                self._announcer.announce(events.halls_of(rows))
        committed(rows, hooks)
        if rows and fan_out:
            self.on_events(rows)

    async def run(self, work: Callable[[Tx], T]) -> T:
        """`work(tx)` as one unit of work, from the event loop: on SQLite on the writer
        thread (one hop, group commit), on PostgreSQL in a worker thread in its own
        transaction. Answers what `work` answered, once that is durable; `Busy` when no place
        is free for it (`admitted`: load is shed at the door)."""
        async with self.admitted():
            with self._unit_waits():
                if self._writer_thread is not None:
                    return cast(T, await self._writer_thread.submit(work))
                return await self._pg_unit(work)

    @contextmanager
    def _unit_waits(self) -> Iterator[None]:
        self.units += 1
        try:
            yield
        finally:
            self.units -= 1

    @asynccontextmanager
    async def admitted(self, retrying: bool = True, first: bool = False
                       ) -> AsyncIterator[None]:
        """One request counted as waiting for the database from here to the block's end: at
        once while fewer than `shed.limit` are, or, the `first` of a terminal that has nothing
        else waiting, while fewer than `shed.limit + shed.reserve` are (a flood of one hall or
        terminal does not crowd out the others); else `Busy` at once, or, when refusals already
        outnumber the units served several times over (`ShedGauge.refuse_now`), at the door,
        first come first served, for a place that frees within `shed.door_time` (20 ms, or as
        long as serving those ahead takes, at most a second), and `Busy` when none does. Only
        a request `retrying` a refusal without waiting (the HTTP door knows its connection)
        waits there; any other is refused at once, its refusal counted all the same.

        The wait paces clients that retry a refusal at once. Refused at once, 64 of them beyond
        the limit took the server's whole core (24,000 refusals a second), and the requests it
        had accepted waited for them: 245 issues a second instead of 2,400. With a fixed 20 ms,
        448 of them were refused 11,000 times a second (145 issues a second). Inside the block
        the store's own units count no more (the HTTP door, `http_errors.Shed`, holds the place
        for the request)."""
        if _ADMITTED.get():
            yield
            return
        door = self._door
        while door and door[0].done():  # refused or gone
            door.popleft()
        if (self.pending < self.shed.limit and not door) or (
                first and self.pending < self.shed.limit + self.shed.reserve):
            self.pending += 1
            self.shed.started(self.pending)
        elif self.shed.refuse_now() or not retrying:
            raise Busy("too many requests are waiting for the database")
        else:
            await self._wait_at_door()
        token = _ADMITTED.set(True)
        try:
            yield
        finally:
            _ADMITTED.reset(token)
            self._leave()

    async def _wait_at_door(self) -> None:
        loop = asyncio.get_running_loop()
        place: asyncio.Future[None] = loop.create_future()
        timer = loop.call_later(self.shed.door_time(len(self._door)), _refuse, place)
        self._door.append(place)
        try:
            await place
        except asyncio.CancelledError:  # the request went away just as it got its place
            if place.done() and not place.cancelled() and place.exception() is None:
                self._leave()
            raise
        finally:
            timer.cancel()

    def _leave(self) -> None:
        """A place frees: the door's first waiter (if any) takes it, or it is given up."""
        self.pending -= 1
        self.shed.ended(self.pending)
        door = self._door
        while door and self.pending < self.shed.limit:
            place = door.popleft()
            if not place.done():
                self.pending += 1
                self.shed.started(self.pending)
                place.set_result(None)

    async def _pg_unit(self, work: Callable[[Tx], T]) -> T:
        assert self._pg_threads is not None
        done = asyncio.get_running_loop().run_in_executor(
            self._pg_threads, contextvars.copy_context().run, self._run_here, work)
        try:
            result, rows = await asyncio.shield(done)
        except asyncio.CancelledError:  # the request went away: its unit still ends
            done.add_done_callback(self._late_events)
            raise
        if rows:
            self.on_events(rows)  # after the answer is ready: the hub defers its fan-out
        return result

    async def together(self, key: Hashable, ask: A,
                       work: Callable[[Tx, list[A]], list[R | None]]) -> R | None:
        """PostgreSQL: `ask` done with the other asks of `key` (one hall's plain issues) that
        are waiting when a unit of that key can start, in one unit `work(tx, asks)`, which
        answers each ask's answer or None (the caller then goes the usual way). At most
        `TOGETHER_RUNNING` units of a key run at once, each with at most `TOGETHER_MAX` asks:
        a key whose writes take turns on one row (a hall's event row, held to the end of its
        commit) then takes that turn and waits for that commit once for many asks; asks of
        other keys never wait for it. Each ask counts as one request waiting (`Busy` beyond
        the limit, as `run`). A unit whose statements fail answers None to every ask (it
        wrote nothing); `Busy` and an unreachable database (busy.py has turned those
        errors into them) and any other error are raised to every ask."""
        async with self.admitted():
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = _Lane()
            answer: asyncio.Future[R | None] = asyncio.get_running_loop().create_future()
            # Read even when the request went away meanwhile (no "never retrieved" log).
            answer.add_done_callback(lambda done: done.cancelled() or done.exception())
            lane.waiting.append((ask, answer))
            self._start_lane(key, lane, work)
            with self._unit_waits():
                return await asyncio.shield(answer)

    def _start_lane(self, key: Hashable, lane: _Lane, work: Callable[[Tx, list[Any]], list[Any]]
                    ) -> None:
        while lane.waiting and lane.running < TOGETHER_RUNNING:
            batch = lane.waiting[:TOGETHER_MAX]
            del lane.waiting[:TOGETHER_MAX]
            lane.running += 1
            task = asyncio.get_running_loop().create_task(self._lane_unit(key, lane, batch, work))
            self._lane_tasks.add(task)
            task.add_done_callback(self._lane_tasks.discard)

    async def _lane_unit(self, key: Hashable, lane: _Lane, batch: list[tuple[Any, Any]],
                         work: Callable[[Tx, list[Any]], list[Any]]) -> None:
        asks = [ask for ask, _ in batch]
        try:
            answers = await self._pg_unit(lambda tx: work(tx, asks))
        except DataError:  # a value the database cannot hold (a NUL character): the input's
            # fault, which its own ask is answered (400) the usual way; nothing to log (a
            # traceback a request: a kiosk sending one every 20 ms wrote 21,000 lines in 8 s)
            answers = [None] * len(batch)
        except SQLAlchemyError:  # its statements failed: it wrote nothing, and each ask
            # goes the usual way (a busy or unreachable database is raised to them all)
            log.warning("%d asks done together failed; each goes the usual way", len(batch),
                        exc_info=True)
            answers = [None] * len(batch)
        except BaseException as exc:
            for _, answer in batch:
                answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            lane.running -= 1
            if lane.waiting:
                self._start_lane(key, lane, work)
            elif not lane.running:
                self._lanes.pop(key, None)
        for (_, answer), got in zip(batch, answers, strict=True):
            answer.set_result(got)

    def _late_events(self, done: asyncio.Future[tuple[Any, EventRows]]) -> None:
        if not done.cancelled() and done.exception() is None and done.result()[1]:
            self.on_events(done.result()[1])

    def _run_here(self, work: Callable[[Tx], T]) -> tuple[T, EventRows]:
        """A PostgreSQL unit in a worker thread; its events go to the hub from the loop."""
        rows: EventRows = []
        with self._unit(rows) as tx:
            result = work(tx)
        return result, rows

    def close(self) -> None:
        if self._writer_thread is not None:
            self._writer_thread.close()
        if self._pg_threads is not None:
            self._pg_threads.shutdown(wait=True)
        if self._announcer is not None:
            self._announcer.close()
        self._group.close()
        if self._checkpoints is not None:
            self._checkpoints.close()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with busy_on_lock(), self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One unit of work. On SQLite it runs in a savepoint of a shared write transaction
        (group commit, see group_commit.py) and returns once that transaction is committed;
        on PostgreSQL it is its own transaction (row locks let units run side by side)."""
        if self.is_sqlite:
            with self._group.unit() as tx:
                yield tx
            return
        with self._unit(None) as tx:
            yield tx

    @contextmanager
    def _unit(self, deferred: EventRows | None) -> Iterator[Tx]:
        """A PostgreSQL unit of work in its own transaction. Its event rows go to the hub at
        once, or into `deferred` for the caller to hand over."""
        rows: EventRows = []
        began = time.monotonic()
        with busy_on_lock(), self.writer.connect() as conn, conn.begin():
            # Core first, an ORM session only if the unit asks for one (as in the group
            # commit): a session's own begin, flush and commit cost more than most statements.
            tx = Tx(None, self.clock(), conn=conn, make_session=lambda: unit_session(conn))
            try:
                yield tx
                if tx.opened_session is not None:
                    tx.opened_session.flush()
            finally:
                if tx.opened_session is not None:
                    tx.opened_session.close()
            if tx.events:  # the events' statement carries the COMMIT: one round trip less,
                # and the hall's row is locked only while PostgreSQL commits (the exit's
                # commit then finds nothing left to do)
                rows = events.write(conn, events.pending(tx.events, tx.now), commit=True)
            elif tx.written:  # the unit's last statement wrote its events and committed
                rows = [events.as_event(row) for row in tx.written]
        self._committed(rows, tx.hooks, fan_out=deferred is None, began=began)
        if deferred is not None:
            deferred.extend(rows)

    def ping(self) -> None:
        """One trivial read: raises if the database does not answer."""
        with self.reader.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def check(self) -> Unavailable | None:
        """The health probe (`StorageHealth.check`): None when the database works."""
        return self.health.check(self.ping)

    def last_event_before(self, hall: str, when: datetime) -> int:
        """The id of the hall's last event written before `when` (0 if none): where a
        subscriber that wants "today" starts."""
        with self.read() as session:
            return events.last_before(session.connection(), hall, when)

    def last_event(self, hall: str) -> int:
        """The hall's last event id now visible (where a new hub feed starts)."""
        with self.read() as session:
            return events.last_id(session.connection(), hall)

    def fetch_events(self, hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        """The event hub's reader: the hall's events after `after` in id order, as dicts."""
        with self.read() as session:
            return events.read_after(session.connection(), hall, after, limit)
