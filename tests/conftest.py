"""Shared fixtures: a PostgreSQL database of the test's own (from `KUAIBAN_TEST_PG`, skipped
with a reason when unset); and, from `tests/procs.py`, the real queue server as a separate
process on a free loopback port (`run_server`) and an SQLite file with the test hall (`hall_db`)."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.procs import hall_db, run_server  # noqa: F401 (fixtures of every test)

PG_ENV = "KUAIBAN_TEST_PG"


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the programs the tests start: a shell's background job (bin/test runs
    the suite in two) ignores SIGINT, and a program started from it did too, so the demo
    tests' Ctrl-C stopped nothing. A handler of our own is reset to the default in each
    program started (an ignored signal stays ignored)."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """Create a database of its own on the server of `admin_url`; drop it afterwards."""
    admin = make_url(admin_url)
    name = f"kb_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def either_database(kind: str, sqlite_file: Path) -> Iterator[str]:
    """A database for a test parametrised over both: `kind` "sqlite" (the file) or "pg" (a
    fresh database of its own, dropped after the test; skipped with the reason when
    `KUAIBAN_TEST_PG` is unset). Yields its URL, with the test hall loaded."""
    from tests.procs import load_test_hall

    if kind == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{sqlite_file}"])
    else:
        admin = os.environ.get(PG_ENV, "")
        if not admin:
            pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
        urls = fresh_pg_database(admin)
    url = next(urls)
    load_test_hall(url)
    yield url
    next(urls, None)  # drops the PostgreSQL database


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database for this test (KUAIBAN_TEST_PG names the server)."""
    admin = os.environ.get(PG_ENV, "")
    if not admin:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
    yield from fresh_pg_database(admin)
