"""The unit of work a use case runs in (`Tx`): its connection, an ORM session made on first use,
the events it will write at commit, and what runs once it is durable.

Where its transaction comes from is the store's business (store.py: its own transaction on
PostgreSQL, a savepoint of a shared group commit on SQLite); a use case sees only this."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

Db = Session | Connection  # what the read helpers take: an ORM session or a Core connection
EventRows = list[dict[str, Any]]


def connection_of(db: Db) -> Connection:
    return db if isinstance(db, Connection) else db.connection()


_KEYS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def db_key(db: Db | Engine) -> str:
    """Which database `db` reads, as a key for per-process caches (tests run several). Kept
    per engine: rendering its URL cost the hot units some 10 µs at each call."""
    engine = db.engine if isinstance(db, (Connection, Engine)) else db.get_bind().engine
    key = _KEYS.get(engine)
    if key is None:
        key = _KEYS[engine] = str(engine.url)
    return key


class Tx:
    """One write transaction: its connection, an ORM session (made on first use: the busiest
    use cases are Core only), the events it will write at commit and its after-commit hooks."""

    def __init__(self, session: Session | None, now: datetime, *,
                 conn: Connection | None = None,
                 make_session: Callable[[], Session] | None = None) -> None:
        self._session = session
        self._make_session = make_session
        self._conn = conn
        self.now = now
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.hooks: list[Callable[[], None]] = []
        # Event rows (with their ids) that the unit's last statement wrote and committed
        # itself (`committed_with_last`): the store hands these out and writes nothing more.
        self.written: EventRows = []

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
        """An event row to write in this transaction (ids are given at commit)."""
        if self.written:
            raise RuntimeError("this unit has already committed")
        self.events.append((hall, type_, payload))

    @property
    def may_commit_with_last(self) -> bool:
        """Whether the unit's next statement may carry its events and COMMIT itself (see
        `committed_with_last`): nothing is waiting to be written at the commit yet (no events,
        no ORM session with a flush to come)."""
        return not self.events and self._session is None and not self.written

    def committed_with_last(self, rows: EventRows) -> None:
        """The unit's last statement (or statements sent with the COMMIT) wrote `rows` (event
        rows with their ids, after those of an earlier call) and committed: the use case
        sends nothing more in it, and the store only hands the rows out."""
        self.written.extend(rows)

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` once this unit is durable (never if it rolls back)."""
        self.hooks.append(hook)


# Process-wide observers of committed events (e.g. caches that must forget what an event
# changed): called with the event rows of every commit, in id order, from the committing thread.
_OBSERVERS: list[Callable[[EventRows], None]] = []


def observe_commits(observer: Callable[[EventRows], None]) -> None:
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)


def committed(rows: EventRows, hooks: list[Callable[[], None]]) -> None:
    """After a commit: the observers see its events, then the units' own hooks run."""
    if rows:
        for observer in _OBSERVERS:
            observer(rows)
    for hook in hooks:
        hook()
