"""When the database cannot take a request now: `Unavailable` and its kinds (`Busy`,
`StorageFull`, `DbUnavailable`; the API answers each with 503, its code and Retry-After), and
the translation of driver errors that mean one of them.

What counts as which (SQLite result codes, PostgreSQL SQLSTATEs):
- busy: a lock or pool wait that ran out (SQLITE_BUSY/LOCKED, 55P03 lock_not_available,
  40001/40P01 serialization failure or deadlock, 53300 too many connections);
- storage_full: SQLITE_FULL, 53100 disk_full;
- db_unavailable: the database cannot be reached or written at all: a read-only file system
  (SQLITE_READONLY), an I/O error, a file that cannot be opened; PostgreSQL refusing or
  dropping connections (class 08, 57P01-03 while it shuts down, restarts or starts up), a
  standby after a failover (25006 read_only_sql_transaction), a connection SQLAlchemy found
  invalidated.
Everything else (constraint violations, bad SQL) is not translated: it is a defect or the
request's fault and is handled where it is raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class Unavailable(Exception):
    """The database cannot serve this request now; a retry later may succeed."""

    code = "db_unavailable"
    retry_after = 2  # seconds

    def __init__(self, detail: str = "the database is unavailable") -> None:
        super().__init__(detail)
        self.detail = detail


class Busy(Unavailable):
    """The database stayed locked longer than the request may wait."""

    code = "busy"
    retry_after = 1

    def __init__(self, detail: str = "the database is busy") -> None:
        super().__init__(detail)


class StorageFull(Unavailable):
    """The disk under the database is full."""

    code = "storage_full"
    retry_after = 10


class DbUnavailable(Unavailable):
    """The database cannot be reached or written (down, restarting, read-only)."""


_SQLITE = {5: Busy, 6: Busy, 13: StorageFull, 8: DbUnavailable, 10: DbUnavailable,
           14: DbUnavailable, 7: DbUnavailable, 15: DbUnavailable, 26: DbUnavailable,
           11: DbUnavailable}  # BUSY LOCKED FULL READONLY IOERR CANTOPEN NOMEM PROTOCOL NOTADB
_PG_EXACT = {"55P03": Busy, "40001": Busy, "40P01": Busy, "53300": Busy, "57014": Busy,
             "53100": StorageFull, "25006": DbUnavailable, "57P01": DbUnavailable,
             "57P02": DbUnavailable, "57P03": DbUnavailable, "57P04": DbUnavailable}
_PG_CLASS = {"08": DbUnavailable, "53": Busy, "58": DbUnavailable}
_LOCK_WORDS = ("locked", "lock timeout", "lock_timeout", "busy")


def first_line(exc: BaseException) -> str:
    """An error's first line (its driver's where it wraps one), at most 200 characters: what a
    log line or an answer says of it."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__


def _kind(orig: BaseException | None) -> type[Unavailable] | None:
    if orig is None:
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE.get(int(code) & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if state:
        return _PG_EXACT.get(state) or _PG_CLASS.get(state[:2])
    if type(orig).__module__.startswith("psycopg") and type(orig).__name__ in (
            "OperationalError", "InterfaceError"):
        return DbUnavailable  # no SQLSTATE: the connection itself failed or was closed
    return None


def unavailable(exc: BaseException) -> Unavailable | None:
    """The `Unavailable` that a driver or pool error means, or None for any other error."""
    if isinstance(exc, Unavailable):
        return exc
    if isinstance(exc, PoolTimeout):
        return Busy("no free database connection")
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return None
    kind = _kind(exc.orig)
    if kind is None and exc.connection_invalidated:
        kind = DbUnavailable
    if kind is None and any(w in str(exc.orig).lower() for w in _LOCK_WORDS):
        kind = Busy
    return kind(first_line(exc)) if kind is not None else None


def connection_lost(dialect: Dialect, exc: BaseException, dbapi_conn: Any, cursor: Any = None
                    ) -> bool:
    """Whether the driver connection that raised `exc` can take no further command: the
    dialect's own test, and (psycopg) a connection whose socket failed while a command was in
    flight. psycopg then raises "connection socket closed" but keeps the connection as it was:
    not broken, its command still in progress, so SQLAlchemy would keep it and its ROLLBACK on
    return to the pool would fail ("another command is already in progress")."""
    if dialect.is_disconnect(exc, dbapi_conn, cursor):
        return True
    info = getattr(dbapi_conn, "info", None)
    status = getattr(info, "transaction_status", None)
    return status is not None and status.name in ("ACTIVE", "UNKNOWN")


def _on_error(context: ExceptionContext) -> None:
    dbapi_conn = getattr(context.connection, "connection", None)
    if (not context.is_disconnect and context.original_exception is not None
            and dbapi_conn is not None and context.dialect is not None
            and connection_lost(context.dialect, context.original_exception,
                                dbapi_conn.dbapi_connection)):
        context.is_disconnect = True  # SQLAlchemy invalidates the connection


def invalidate_lost(engine: Engine) -> Engine:
    """Every statement SQLAlchemy runs on `engine` invalidates a connection left unusable as
    `connection_lost` tells (lean's own statements do so themselves)."""
    event.listen(engine, "handle_error", _on_error)
    return engine


def is_lock_error(exc: DBAPIError) -> bool:
    return isinstance(unavailable(exc), Busy)


def busy_or(exc: BaseException) -> BaseException:
    """The `Unavailable` that `exc` means, else `exc` itself."""
    return unavailable(exc) or exc


@contextmanager
def busy_on_lock() -> Iterator[None]:
    """A lock or pool wait that ran out becomes `Busy`; a full disk, a database that is down,
    restarting or read-only becomes `StorageFull` or `DbUnavailable` (chained to the cause)."""
    try:
        yield
    except (DBAPIError, PoolTimeout) as exc:
        translated = unavailable(exc)
        if translated is None:
            raise
        raise translated from exc
