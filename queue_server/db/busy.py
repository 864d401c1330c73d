"""When the database cannot take a write now: `Busy` (the API's 503 with Retry-After), and the
translation of driver errors that mean it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class Busy(Exception):
    """The database stayed locked longer than the request may wait."""


def is_lock_error(exc: OperationalError) -> bool:
    msg = str(exc.orig).lower()
    return "locked" in msg or "lock timeout" in msg or "lock_timeout" in msg or "busy" in msg


def busy_or(exc: BaseException) -> BaseException:
    """`Busy` for a lock error, else `exc` itself."""
    if isinstance(exc, OperationalError) and is_lock_error(exc):
        return Busy("the database is busy")
    return exc


@contextmanager
def busy_on_lock() -> Iterator[None]:
    """A lock or pool wait that ran out becomes `Busy`."""
    try:
        yield
    except OperationalError as exc:
        if is_lock_error(exc):
            raise Busy("the database is busy") from exc
        raise
    except PoolTimeout as exc:
        raise Busy("no free database connection") from exc
