"""The database: engines for SQLite and PostgreSQL, the migrations, and the unit of work.

Writes follow PERFORMANCE.md: on SQLite one in-process write lock plus `BEGIN IMMEDIATE`
(SQLite's own busy handler backs off unfairly), WAL and `synchronous=FULL` (a printed number
must survive a power cut), units of work that arrive together sharing one commit
(group_commit.py; the busy endpoints' units run on one writer thread, `Store.run`); on
PostgreSQL row locks. A request waits for the lock at most `lock_timeout` seconds, then `Busy`
(the API answers 503 with Retry-After).

Event ids: every transaction that writes events locks the single `event_seq` row and takes its
ids from it at the end, so ids become visible in strictly increasing commit order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, bindparam, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from queue_server.models import EventRow, EventSeq

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NOTIFY_CHANNEL = "kuaiban_events"


_SEQ = cast(Table, EventSeq.__table__)
_EVENTS = cast(Table, EventRow.__table__)
_TAKE_IDS = (update(_SEQ).where(_SEQ.c.id == 1).values(last=_SEQ.c.last + bindparam("n"))
             .returning(_SEQ.c.last))
_INSERT_EVENTS = insert(_EVENTS)
_AFTER = (select(_EVENTS).where(_EVENTS.c.id > bindparam("after")).order_by(_EVENTS.c.id)
          .limit(bindparam("limit")))
_AFTER_IN_HALL = _AFTER.where(_EVENTS.c.hall == bindparam("hall"))
_LAST_ID = select(func.max(_EVENTS.c.id))
_FIRST_FROM = (select(_EVENTS.c.id, _EVENTS.c.at).where(_EVENTS.c.id >= bindparam("x"))
               .order_by(_EVENTS.c.id).limit(1))


class Busy(Exception):
    """The database stayed locked longer than the request may wait."""


def _sqlite_engine(url: str, immediate: bool | None, timeout: float) -> Engine:
    """`immediate`: BEGIN IMMEDIATE (True) or BEGIN (False) at every transaction's start, or
    None: the caller issues BEGIN itself (the group commit's engine: without an engine-level
    event listener SQLAlchemy skips its event dispatch on every statement)."""
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False},
                           pool_size=8, max_overflow=32, pool_timeout=timeout)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cur.close()

    if immediate is not None:
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, *, immediate: bool = True, timeout: float = 5.0) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate, timeout)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                         pool_timeout=timeout,
                         connect_args={"options": f"-c lock_timeout={int(timeout * 1000)}"})


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def migrate(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


Db = Session | Connection  # what the read helpers take: an ORM session or a Core connection


def connection_of(db: Db) -> Connection:
    return db if isinstance(db, Connection) else db.connection()


class Tx:
    """One write transaction: its connection, an ORM session (made on first use: the busiest
    use cases are Core only) and the events it will write at commit."""

    def __init__(self, session: Session | None, now: datetime, *,
                 conn: Connection | None = None,
                 make_session: Callable[[], Session] | None = None) -> None:
        self._session = session
        self._make_session = make_session
        self._conn = conn
        self.now = now
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.rows: list[dict[str, Any]] = []  # the event rows as written, once flushed

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self._make_session is not None
            self._session = self._make_session()
        return self._session

    @property
    def opened_session(self) -> Session | None:
        return self._session

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            self._conn = self.session.connection()
        return self._conn

    def emit(self, hall: str, type_: str, **payload: Any) -> None:
        self.events.append((hall, type_, payload))


class Store:
    """Engines, the write lock and the unit of work; `on_events(rows)` runs after a commit
    that wrote events, with those rows in id order (the server's event hub takes them
    there)."""

    def __init__(self, url: str, *, lock_timeout: float = 5.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        from queue_server.clock import utcnow

        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.lock_timeout = lock_timeout
        self.clock = clock or utcnow
        # On SQLite only the group commit writes, and it begins its transactions itself.
        self.writer = (_sqlite_engine(url, None, lock_timeout) if self.is_sqlite
                       else make_engine(url, timeout=lock_timeout))
        self.reader = (make_engine(url, immediate=False, timeout=lock_timeout)
                       if self.is_sqlite else self.writer)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        self.on_events: Callable[[list[dict[str, Any]]], None] = lambda rows: None
        from queue_server.group_commit import GroupCommit, Writer

        self._group = GroupCommit(self)
        self._writer_thread = Writer(self._group) if self.is_sqlite else None

    async def run(self, work: Callable[[Tx], T]) -> T:
        """`work(tx)` as one unit of work, from the event loop: on SQLite on the writer
        thread (one hop, group commit), on PostgreSQL in a worker thread in its own
        transaction. Answers what `work` answered, once that is durable."""
        if self._writer_thread is not None:
            return cast(T, await self._writer_thread.submit(work))
        from anyio import to_thread

        return await to_thread.run_sync(self._run_here, work)

    def _run_here(self, work: Callable[[Tx], T]) -> T:
        with self.write() as tx:
            return work(tx)

    def close(self) -> None:
        if self._writer_thread is not None:
            self._writer_thread.close()
        self._group.close()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self._read_sessions() as session, session.begin():
                yield session
        except PoolTimeout as exc:
            raise Busy("no free database connection") from exc

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One unit of work. On SQLite it runs in a savepoint of a shared write transaction
        (group commit, see group_commit.py) and returns once that transaction is committed;
        on PostgreSQL it is its own transaction (row locks let units run side by side)."""
        if self.is_sqlite:
            with self._group.unit() as tx:
                yield tx
            return
        with self._write_sessions() as session, busy_on_lock(), session.begin():
            tx = Tx(session, self.clock())
            yield tx
            if tx.events:
                self._flush_events(tx)
        if tx.rows:
            self.on_events(tx.rows)

    def _flush_events(self, tx: Tx) -> None:
        """Take ids from the one `event_seq` row (the UPDATE locks it until commit, so ids
        become visible in commit order) and insert the rows, in two statements."""
        session = tx.session
        session.flush()
        last = session.execute(_TAKE_IDS, {"n": len(tx.events)}).scalar_one()
        first = last - len(tx.events) + 1
        rows = [{"id": first + i, "hall": hall, "type": type_, "at": tx.now, "payload": payload}
                for i, (hall, type_, payload) in enumerate(tx.events)]
        session.execute(_INSERT_EVENTS, rows[0] if len(rows) == 1 else rows)
        tx.rows = [event_dict(row) for row in rows]
        if not self.is_sqlite:
            session.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})

    def last_event_before(self, when: datetime) -> int:
        """The id of the last event written before `when` (0 if none): where a subscriber
        that wants "today" starts. Event times grow with their ids, so this is a binary
        search over ids, a couple of dozen primary-key reads however long the table."""
        with self.read() as session:
            conn = session.connection()
            low, high = 0, int(conn.execute(_LAST_ID).scalar() or 0)
            while low < high:  # invariant: the answer is in [low, high]
                mid = (low + high + 1) // 2
                row = conn.execute(_FIRST_FROM, {"x": mid}).first()
                if row is not None and row.at < when:
                    low = row.id  # an event before `when` at or after mid
                else:
                    high = mid - 1
            return low

    def fetch_events(self, hall: str | None, after: int, limit: int) -> list[dict[str, Any]]:
        """The event hub's reader: events after `after` in id order, as dicts. Core rows, not
        ORM objects: the hub reads after every commit."""
        query = _AFTER if hall is None else _AFTER_IN_HALL
        with self.read() as session:
            return [_row_dict(row) for row in session.execute(
                query, {"after": after, "limit": limit, "hall": hall})]


def _row_dict(row: Any) -> dict[str, Any]:
    from queue_server.clock import iso

    return {**row.payload, "id": row.id, "type": row.type, "at": iso(row.at), "hall": row.hall}


def event_dict(row: dict[str, Any]) -> dict[str, Any]:
    """An event row as written (a dict of its columns), shaped as `fetch_events` reads it."""
    from queue_server.clock import iso

    return {**row["payload"], "id": row["id"], "type": row["type"], "at": iso(row["at"]),
            "hall": row["hall"]}


@contextmanager
def busy_on_lock() -> Iterator[None]:
    """A lock or pool wait that ran out becomes `Busy` (the API's 503 with Retry-After)."""
    try:
        yield
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Busy("the database is busy") from exc
        raise
    except PoolTimeout as exc:
        raise Busy("no free database connection") from exc


def _is_lock_error(exc: OperationalError) -> bool:
    msg = str(exc.orig).lower()
    return "locked" in msg or "lock timeout" in msg or "lock_timeout" in msg or "busy" in msg
