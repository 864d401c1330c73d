"""How the database is doing, as the requests and the health probe find it: `ok`, or the code of
the last failure (`storage_full`, `db_unavailable`) until something works again. It logs one
line per change ("database: ok -> storage_full (database or disk is full)"), never one per
failed request, and the probe looks at what a SELECT cannot see: a full or read-only file
system under an SQLite file."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from queue_server.db.busy import DbUnavailable, StorageFull, Unavailable, unavailable

log = logging.getLogger("queue_server.db")
OK = "ok"
MIN_FREE_BYTES = 8 * 1024 * 1024  # below this an SQLite write may fail at any moment
HOLD_S = 3.0  # a failure this recent still counts when the probe itself finds nothing wrong


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL: None for another database or one in memory. A SQLite URI
    (`sqlite:///file:/path?mode=ro&uri=true`) names its file after the `file:` scheme."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        if parsed.query.get("mode") == "memory":
            return None
        database = database[len("file:"):]
    return Path(database).expanduser()


class StorageHealth:
    """Thread-safe: requests fail and succeed on worker threads and the event loop."""

    def __init__(self, url: str, min_free: int = MIN_FREE_BYTES) -> None:
        file = sqlite_file(url)
        self.folder = file.resolve().parent if file is not None else None
        self.min_free = min_free
        self.state, self.detail = OK, ""
        self._last: Unavailable | None = None
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def failed(self, error: Unavailable) -> None:
        """A request met `error`. A busy database is load, not a fault: it changes nothing."""
        if error.code == "busy":
            return
        with self._lock:
            self._failed_at = time.monotonic()
            if self.state != error.code:
                log.warning("database: %s -> %s (%s)", self.state, error.code, error.detail)
                self.state, self.detail = error.code, error.detail
            self._last = error

    def succeeded(self, began: float | None = None) -> None:
        """Something was written, or the probe found all well: the database works again. A
        unit that `began` (`time.monotonic()`) before the last failure tells nothing of now:
        under load its commit can reach PostgreSQL just before a restart and its answer come
        back just after another unit's failure, and the state would flip back to ok and to
        the failure again a few milliseconds later (two more log lines each time)."""
        if self.state == OK:
            return
        with self._lock:
            if self.state != OK and (began is None or began >= self._failed_at):
                log.warning("database: %s -> ok", self.state)
                self.state, self.detail = OK, ""

    def disk_problem(self) -> Unavailable | None:
        """For an SQLite file: a read-only or (nearly) full file system under it."""
        if self.folder is None:
            return None
        try:
            st = os.statvfs(self.folder)
        except OSError as exc:
            return DbUnavailable(f"cannot stat {self.folder}: {exc.strerror}")
        if st.f_flag & os.ST_RDONLY or not os.access(self.folder, os.W_OK):
            return DbUnavailable(f"{self.folder} is read-only")
        if st.f_bavail * st.f_frsize < self.min_free:
            return StorageFull(f"{st.f_bavail * st.f_frsize} bytes free under {self.folder}")
        return None

    def check(self, ping: Callable[[], None]) -> Unavailable | None:
        """The health probe: `ping` (a trivial read), the file system under an SQLite file,
        and a failure requests met a moment ago. None when all is well (a busy database is
        well: it answers, slowly)."""
        try:
            ping()
        except Exception as exc:  # noqa: BLE001 - whatever it is, the database did not answer
            problem = unavailable(exc) or DbUnavailable(str(exc).splitlines()[0][:200]
                                                        if str(exc) else repr(exc))
        else:
            problem = self.disk_problem()
        if problem is None:
            with self._lock:
                if self.state != OK and time.monotonic() - self._failed_at < HOLD_S:
                    return self._last  # held, not failed anew: the hold runs out by itself
                    # (renewed by every probe, it lasted as long as a balancer asked each second)
        if problem is not None and problem.code != "busy":
            self.failed(problem)
            return problem
        self.succeeded()
        return None
