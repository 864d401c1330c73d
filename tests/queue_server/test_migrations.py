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


def test_head_is_alembics_and_a_database_at_it_needs_no_alembic(tmp_path: Path) -> None:
    """`store.HEAD` is the newest migration, and a server starting on a database already at it
    does not import Alembic (its import and the migrations' reading were about 0.15 s of the
    start); a new database, and one a migration behind, are built or upgraded by Alembic as
    before."""
    import subprocess
    import sys

    from alembic import command
    from alembic.script import ScriptDirectory

    from queue_server.db.store import HEAD, MIGRATIONS, alembic_config

    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert ScriptDirectory.from_config(alembic_config(url)).get_current_head() == HEAD
    assert str(MIGRATIONS).endswith("migrations")
    probe = ("import sys; from queue_server.db.store import migrate; migrate(sys.argv[1]); "
             "print('alembic' in sys.modules)")

    def migrate_apart() -> str:
        return subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()

    assert migrate_apart() == "True"  # a new database: built by Alembic
    assert _diff(url) == []
    assert migrate_apart() == "False"  # at the head: nothing to do, Alembic not imported
    url = f"sqlite:///{tmp_path / 'behind.db'}"  # a database one migration behind
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    engine.dispose()
    assert migrate_apart() == "True"  # upgraded by Alembic
    assert _diff(url) == []
