"""The Alembic migrations build exactly the tables of `queue_server.db.models` (SQLite, and
PostgreSQL when KUAIBAN_TEST_PG is set), with SQLite in WAL mode and synchronous=FULL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from queue_server.db.models import Base
from queue_server.db.store import Store, make_engine, migrate


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate(url)
    migrate(url)  # idempotent
    assert _diff(url) == []
    store = Store(url)
    with store.writer.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("SELECT count(*) FROM hall_event_seq")).scalar() == 0
    store.close()


@pytest.mark.pg
def test_postgresql_migrations_match_the_models(pg_url: str) -> None:
    migrate(pg_url)
    migrate(pg_url)
    assert _diff(pg_url) == []
