"""Group commit for SQLite: units of work that queue for the write lock share one transaction
and one `synchronous=FULL` commit.

Why: one commit (and its fsync) per request capped the server near 100 issues/s; shared, the
commit is paid once for everything that arrived meanwhile.

How: the write lock lets one unit run at a time, on the batch's connection (`BEGIN IMMEDIATE`).
The first unit of a batch runs in the transaction itself (if it fails, the batch is rolled back
and the next unit opens another); each later unit runs in a SAVEPOINT, so it rolls back alone,
a failed ORM flush included. A unit's events are kept until the commit, when the batch takes its
ids from `event_seq` in one statement and writes the rows: ids grow strictly in commit order.
A 2xx still means durable: every unit is answered only after its batch's commit. Units come
two ways:

- `unit()`, a context manager for any thread (the less frequent endpoints, the tools): when it
  ends and nobody waits for the lock (or the batch is full), that thread commits the batch;
  the others of the batch wait for that commit before they answer.
- `Writer`, one thread that runs the hot endpoints' jobs (`Store.run`): it drains its queue
  under one hold of the lock, committing every `MAX_UNITS`, and always commits before it lets
  the lock go. The event loop hands a job over and gets the answer back, one thread hop per
  request, and jobs that arrive during a commit's fsync form the next batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine, RootTransaction
from sqlalchemy.orm import Session

from queue_server.db import events, lean
from queue_server.db.busy import Busy, Unavailable, busy_on_lock, busy_or
from queue_server.db.unit import EventRows, Tx

log = logging.getLogger(__name__)
MAX_UNITS = 32  # bounds how long the first unit of a busy batch waits for its commit


class _Batch:
    def __init__(self, conn: Connection, trans: RootTransaction) -> None:
        self.conn, self.trans = conn, trans
        self.units = 0
        # The events of its units, in unit order: ids are taken and the rows written just
        # before the commit.
        self.rows: list[dict[str, Any]] = []  # event rows to insert
        self.events: EventRows = []  # the same, as the event hub hands them out
        self.hooks: list[Callable[[], None]] = []  # the units' after-commit hooks
        self.done = threading.Event()
        self.error: BaseException | None = None
        # Run after the commit (or its failure) with the error or None: how the writer
        # thread's units learn that their batch is durable without waiting for it.
        self.callbacks: list[Callable[[BaseException | None], None]] = []


class _Savepoint:
    """A unit's SAVEPOINT, run on the driver's cursor (SQLAlchemy is not told: the units of a
    batch come one after the other, each ending its own before the next begins). `inner`:
    SQLAlchemy's savepoint inside it, made when the unit opens an ORM session (which joins
    that one)."""

    NAME = '"kb_unit"'

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.inner: Any = None
        self._run(f"SAVEPOINT {self.NAME}")

    def _run(self, sql: str) -> None:
        lean.driver(self._conn, sql)  # a driver error comes out as SQLAlchemy's

    def release(self) -> None:
        if self.inner is not None:
            self.inner.commit()
        self._run(f"RELEASE SAVEPOINT {self.NAME}")

    def rolled_back(self) -> bool:
        """Undo the unit (SQLAlchemy's savepoint inside it first); False if that failed."""
        try:
            if self.inner is not None and self.inner.is_active:
                self.inner.rollback()
            self._run(f"ROLLBACK TO SAVEPOINT {self.NAME}")
            self._run(f"RELEASE SAVEPOINT {self.NAME}")
        except Exception:  # noqa: BLE001 - the batch's transaction is in doubt: abandoned
            return False
        return True


class GroupCommit:
    """`on_commit(events, hooks)` runs after every commit that kept something."""

    def __init__(self, engine: Engine, lock_timeout: float, clock: Callable[[], datetime],
                 on_commit: Callable[[EventRows, list[Callable[[], None]]], None]) -> None:
        self.engine, self.lock_timeout, self.clock = engine, lock_timeout, clock
        self.on_commit = on_commit
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0  # threads queued for the write lock: they will join the batch
        self._batch: _Batch | None = None
        self._conn: Connection | None = None  # kept from batch to batch while it works

    def _acquire(self, timeout: float | None = None) -> None:
        with self._count_lock:
            self._waiting += 1
        try:
            got = self._lock.acquire(timeout=self.lock_timeout if timeout is None
                                     else max(timeout, 0.0))
        finally:
            with self._count_lock:
                self._waiting -= 1
        if not got:
            raise Busy("the database is busy")

    def _open(self) -> _Batch:
        if self._batch is None:
            conn = self._conn or self.engine.connect()
            self._conn = None
            try:
                trans = conn.begin()
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the engine leaves BEGIN to us
                self._batch = _Batch(conn, trans)
            except BaseException:
                conn.close()
                raise
        return self._batch

    def _end(self, batch: _Batch, healthy: bool) -> None:
        """After a batch: keep its connection for the next one, unless something failed."""
        if healthy and self._conn is None:
            self._conn = batch.conn
        else:
            with contextlib.suppress(Exception):
                if not healthy:  # its state is suspect: a new one, not one from the pool
                    batch.conn.invalidate()
                batch.conn.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None

    @contextmanager
    def unit(self) -> Iterator[Tx]:
        self._acquire()
        batch = None
        try:
            batch = _translate(self._open)
            with busy_on_lock(), self._run(batch) as tx:
                yield tx
        finally:
            mine = batch if batch is not None and self._batch is batch else None
            if mine is not None and (self._waiting == 0 or mine.units >= MAX_UNITS):
                self._commit(mine)
            self._lock.release()
        self._await(batch)

    @contextmanager
    def _run(self, batch: _Batch) -> Iterator[Tx]:
        """One unit in a SAVEPOINT of the batch, with its own ORM session if it wants one
        (made on first use; the counter actions write with Core, so an ORM object kept from an
        earlier unit could be stale). The first unit of a batch needs no savepoint: if it
        fails, the whole transaction goes and the next unit opens another.

        The savepoint is the driver's own (`_Savepoint`): SQLAlchemy's nested transaction cost
        a unit ~30 µs of the writer, the driver's ~3. A unit that opens a session gets a nested
        transaction of SQLAlchemy's inside it, which the session joins "rollback_only":
        whatever fails in the unit, a flush included, rolls back to the unit's savepoint and
        never further."""
        savepoint = _Savepoint(batch.conn) if batch.units else None

        def session() -> Session:
            if savepoint is not None:
                savepoint.inner = batch.conn.begin_nested()
            return unit_session(batch.conn)

        tx = Tx(None, self.clock(), conn=batch.conn, make_session=session)
        try:
            yield tx
            if tx.opened_session is not None:
                tx.opened_session.flush()
            if savepoint is not None:
                savepoint.release()
        except BaseException as exc:
            if savepoint is None:
                self._discard(batch)
            elif _batch_lost(batch.conn, exc) or not savepoint.rolled_back():
                self._abandon(batch, exc)
            raise
        finally:
            if tx.opened_session is not None:
                with contextlib.suppress(Exception):
                    tx.opened_session.close()
        batch.units += 1
        batch.rows.extend(events.pending(tx.events, tx.now))  # numbered at the commit
        batch.hooks.extend(tx.hooks)

    def _discard(self, batch: _Batch) -> None:
        """Roll back a batch whose first unit failed (it holds nothing else)."""
        self._batch = None
        healthy = True
        try:
            if batch.trans.is_active:
                batch.trans.rollback()
        except Exception:  # noqa: BLE001 - the connection is dropped instead
            healthy = False
        self._end(batch, healthy)
        batch.done.set()

    def _abandon(self, batch: _Batch, exc: BaseException) -> None:
        """A later unit met a storage failure (a full disk, an I/O error): SQLite may have
        rolled the whole transaction back already, so the batch's other units are lost too.
        Every unit of it fails with that error (none was answered yet: they retry)."""
        self._batch = None
        batch.error = busy_or(exc)
        with contextlib.suppress(Exception):
            if batch.trans.is_active:
                batch.trans.rollback()
        self._end(batch, False)
        batch.done.set()
        for callback in batch.callbacks:
            callback(batch.error)

    def _commit(self, batch: _Batch) -> None:
        """Under the write lock: commit the batch and wake its units."""
        self._batch = None
        try:
            if batch.units:
                if batch.rows:  # ids follow commit order: the batch holds the write lock
                    batch.events = events.write(batch.conn, batch.rows)
                batch.trans.commit()
            else:  # only failed units: nothing to keep
                batch.trans.rollback()
        except BaseException as exc:  # noqa: BLE001 - every unit of the batch must learn it
            batch.error = busy_or(exc)
            with contextlib.suppress(Exception):  # the connection is closed below anyway
                batch.trans.rollback()
        finally:
            self._end(batch, batch.error is None)
            batch.done.set()
        for callback in batch.callbacks:  # the answers first: the fan-out comes after them
            callback(batch.error)
        if batch.error is None:
            self.on_commit(batch.events, batch.hooks)

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
            raise batch.error

    # -- the writer thread's side ----------------------------------------------------------
    def serve(self, first: _Job, more: queue.SimpleQueue[_Job | None]) -> None:
        """Run `first` and whatever else is queued in `more`, under one hold of the lock."""
        try:
            self._acquire(first.deadline - time.monotonic())
        except Busy as exc:
            first.settle(None, exc)
            return
        batch: _Batch | None = None
        try:
            pending = [first]
            while pending:
                job = pending.pop(0)
                if time.monotonic() > job.deadline:
                    job.settle(None, Busy("the database is busy"))
                else:
                    batch = self._run_job(job, batch, pending)
                if batch is not None and batch.units >= MAX_UNITS:
                    self._commit(batch)
                    batch = None
                if not pending:
                    _drain(more, pending)
        finally:
            if batch is not None and self._batch is batch:
                self._commit(batch)
            self._lock.release()

    def _run_job(self, job: _Job, batch: _Batch | None, pending: list[_Job]) -> _Batch | None:
        try:
            batch = batch or _translate(self._open)
        except BaseException as exc:  # noqa: BLE001 - no transaction: the queued jobs fail too
            job.settle(None, exc)
            while pending:
                pending.pop(0).settle(None, exc)
            return None
        try:
            with busy_on_lock(), self._run(batch) as tx:
                result = job.work(tx)
        except BaseException as exc:  # noqa: BLE001 - the unit rolled back alone
            job.settle(None, exc)
        else:
            batch.callbacks.append(lambda error: job.settle(result, error))
        return batch if self._batch is batch else None  # a failed first unit ends its batch


def _drain(more: queue.SimpleQueue[_Job | None], into: list[_Job]) -> None:
    """Move what is queued now into `into`, up to the stop mark."""
    while True:
        try:
            job = more.get_nowait()
        except queue.Empty:
            return
        if job is None:
            more.put(None)  # seen again by the writer's main loop once this batch is done
            return
        into.append(job)


@dataclass
class _Job:
    work: Callable[[Tx], Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    deadline: float
    settled: bool = field(default=False)

    def settle(self, result: Any, error: BaseException | None) -> None:
        if self.settled:
            return
        self.settled = True
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            self.loop.call_soon_threadsafe(_set, self.future, result, error)


def _set(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the request was cancelled (its client went away)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Writer:
    """The thread that runs the hot endpoints' units of work on SQLite (see the module's
    docstring). Started on the first job; `close()` lets it finish what is queued."""

    def __init__(self, group: GroupCommit) -> None:
        self.group = group
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, work: Callable[[Tx], Any]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._ensure_thread()
        self._jobs.put(_Job(work, loop, future,
                            time.monotonic() + self.group.lock_timeout))
        return future

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._main, name="kuaiban-writer",
                                                daemon=True)
                self._thread.start()

    def _main(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self.group.serve(job, self._jobs)
            except Exception:  # noqa: BLE001 - the thread must outlive any one batch
                log.exception("writer: a batch failed unexpectedly")

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10)
            self._thread = None


def unit_session(conn: Connection) -> Session:
    """A unit's ORM session on `conn`, joining its transaction "rollback_only": the session
    never commits what it joined, and its rollback (a failed flush) reaches only the unit's
    own transaction or savepoint, the innermost of `conn`."""
    return Session(bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False)


def _batch_lost(conn: Connection, exc: BaseException) -> bool:
    """Whether a unit's failure took the batch's transaction with it: a storage failure, or
    SQLite no longer inside a transaction (it rolls back by itself on some errors)."""
    translated = busy_or(exc)
    if isinstance(translated, Unavailable) and not isinstance(translated, Busy):
        return True
    with contextlib.suppress(Exception):
        return not getattr(conn.connection.dbapi_connection, "in_transaction", True)
    return True


def _translate(fn: Callable[[], _Batch]) -> _Batch:
    with busy_on_lock():
        return fn()
