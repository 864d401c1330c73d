"""Group commit for SQLite: units of work that queue for the write lock share one transaction
and one `synchronous=FULL` commit.

Why: the fsync of a commit costs ~4 ms here (an issue writes ~13 pages to the WAL), more than
the work of an issue itself, so one commit per request capped the server near 100 issues/s.

How: the write lock still lets one unit run at a time. A unit runs in its own session, in a
SAVEPOINT of the open batch transaction (`BEGIN IMMEDIATE`), so a unit that fails rolls back
alone. When a unit ends and nobody waits for the lock (or the batch is full), that thread
commits the batch; the others of the batch wait for that commit before they answer, so a 2xx
still means durable. Event ids are taken inside each unit from `event_seq`, in lock order, and
the batch commits as a whole: ids stay strictly increasing in commit order.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection, RootTransaction
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from queue_server.store import Busy, Tx, _is_lock_error

if TYPE_CHECKING:
    from queue_server.store import Store

MAX_UNITS = 16  # bounds how long the first unit of a busy batch waits for its commit


class _Batch:
    def __init__(self, conn: Connection, trans: RootTransaction) -> None:
        self.conn, self.trans = conn, trans
        self.units = 0
        self.wrote_events = False
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0  # threads queued for the write lock: they will join the batch
        self._batch: _Batch | None = None

    def _acquire(self) -> None:
        with self._count_lock:
            self._waiting += 1
        try:
            got = self._lock.acquire(timeout=self.store.lock_timeout)
        finally:
            with self._count_lock:
                self._waiting -= 1
        if not got:
            raise Busy("the database is busy")

    def _open(self) -> _Batch:
        if self._batch is None:
            conn = self.store.writer.connect()
            try:
                self._batch = _Batch(conn, conn.begin())
            except BaseException:
                conn.close()
                raise
        return self._batch

    @contextmanager
    def unit(self) -> Iterator[Tx]:
        self._acquire()
        batch = None
        try:
            batch = _translate(self._open)
            with _translating():
                yield from self._run(batch)
        finally:
            mine = batch if batch is not None and self._batch is batch else None
            if mine is not None and (self._waiting == 0 or mine.units >= MAX_UNITS):
                self._commit(mine)
            self._lock.release()
        self._await(batch)

    def _run(self, batch: _Batch) -> Iterator[Tx]:
        with Session(bind=batch.conn, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session, session.begin():
            tx = Tx(session, self.store.clock())
            yield tx
            if tx.events:
                self.store._flush_events(tx)
                batch.wrote_events = True
        batch.units += 1

    def _commit(self, batch: _Batch) -> None:
        """Under the write lock: commit the batch and wake its units."""
        self._batch = None
        try:
            if batch.units:
                batch.trans.commit()
            else:  # only failed units: nothing to keep
                batch.trans.rollback()
        except BaseException as exc:  # noqa: BLE001 - every unit of the batch must learn it
            batch.error = exc
            with contextlib.suppress(Exception):  # the connection is closed below anyway
                batch.trans.rollback()
        finally:
            batch.conn.close()
            batch.done.set()
        if batch.wrote_events and batch.error is None:
            self.store.on_events()

    def _await(self, batch: _Batch | None) -> None:
        """Wait for the commit of the batch this unit joined. Normally a later unit commits
        it; if that unit gave up waiting for the lock, commit it here."""
        if batch is None:
            return
        while not batch.done.wait(0.02):
            if self._lock.acquire(blocking=False):
                try:
                    if self._batch is batch:
                        self._commit(batch)
                finally:
                    self._lock.release()
        if batch.error is not None:
            raise _busy_or(batch.error)


def _busy_or(exc: BaseException) -> BaseException:
    if isinstance(exc, OperationalError) and _is_lock_error(exc):
        return Busy("the database is busy")
    return exc


def _translate(fn: Callable[[], _Batch]) -> _Batch:
    with _translating():
        return fn()


@contextmanager
def _translating() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Busy("the database is busy") from exc
        raise
    except PoolTimeout as exc:
        raise Busy("no free database connection") from exc

