"""The Alembic migrations build exactly the tables of `queue_server.db.models` (SQLite, and
PostgreSQL when KUAIBAN_TEST_PG is set), with SQLite in WAL mode and synchronous=FULL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from queue_server.db.models import Base
from queue_server.db.store import Store, make_engine, migrate
from tests.procs import ServerProcess, load_test_hall


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


@pytest.mark.parametrize("db", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def test_0009_counts_the_tickets_forwarded_before_it(
        db: str, tmp_path: Path, run_server: Callable[..., ServerProcess],
        request: pytest.FixtureRequest) -> None:
    """A bank branch's ticket forwarded to its hall and folded into the figures before 0009
    (status `done`, counted done): after the upgrade its status is `forwarded` and the
    branch's figures count it in `forwarded`, not in `done`."""
    from alembic import command
    from sqlalchemy import inspect

    from queue_server.db.store import alembic_config
    from queue_server.usecases.auth import enrol_terminal, make_admin_token

    url = (f"sqlite:///{tmp_path / 'fw.db'}" if db == "sqlite"
           else request.getfixturevalue("pg_url"))
    load_test_hall(url)
    store = Store(url)
    bank_token, _ = enrol_terminal(store, "bank", "bank", None, "bank1")
    admin_token = make_admin_token(store)
    store.close()
    today = datetime.now(UTC).date()
    days = {"hall": "bank1", "from": str(today - timedelta(days=2)),
            "to": str(today + timedelta(days=2))}

    def figures() -> dict[str, Any]:
        server = run_server(url)
        try:
            with httpx.Client(base_url=server.api(""), timeout=10) as api:
                api.headers["Authorization"] = f"Bearer {bank_token}"
                if not fw_done:
                    t = api.post("/tickets", json={"service": "case", "channel": "bank"}).json()
                    assert api.post(f"/tickets/{t['id']}/forward", json={}).status_code == 201
                    fw_done.append(t["id"])
                api.headers["Authorization"] = f"Bearer {admin_token}"
                resp = api.get("/reports/kpi", params=days)
                assert resp.status_code == 200, resp.text
                return dict(resp.json())
        finally:
            server.stop()

    fw_done: list[str] = []
    assert figures()["forwarded"] == 1  # folded at the head
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")  # as a database folded by the code before 0009
        assert conn.execute(text("SELECT status FROM tickets WHERE forwarded_to IS NOT NULL")
                            ).scalar() == "done"
        assert "forwarded" not in {c["name"] for c in inspect(conn).get_columns("fig_tickets")}
    engine.dispose()
    migrate(url)
    got = figures()
    assert (got["tickets"], got["done"], got["forwarded"], got["open"]) == (1, 0, 1, 0)
    assert _diff(url) == []
