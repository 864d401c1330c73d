"""Opening the hall database for a subcommand: the server's `Store`, or a one-line usage error
(a mistyped URL, a missing SQLite file) instead of a traceback. Never creates a database:
that is `provisioning init`'s job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from provisioning.errors import UsageError
from queue_server.db.health import sqlite_file
from queue_server.db.store import Store


@contextmanager
def open_store(url: str) -> Iterator[Store]:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(f"--db {url!r}: not a database URL "
                         "(expected sqlite:///path/hall.db or postgresql+psycopg://...)") from None
    file = sqlite_file(url) if parsed.get_backend_name() == "sqlite" else None
    if parsed.get_backend_name() == "sqlite" and (file is None or not file.is_file()):
        raise UsageError(f"--db {url}: no such database file (run `provisioning init` first)")
    try:
        store = Store(url)
        with store.reader.connect() as conn:
            if not inspect(conn).has_table("terminals"):
                raise UsageError(f"--db {url}: not a Kuaiban database "
                                 "(run `provisioning init` first)")
    except SQLAlchemyError as exc:
        raise UsageError(f"--db {url}: {str(exc).splitlines()[0]}") from None
    try:
        yield store
    finally:
        store.close()
