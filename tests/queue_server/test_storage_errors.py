"""Storage failures met by the store (db/busy.py, db/health.py, the group commit): a database
that can only be read answers 503 `db_unavailable` with Retry-After and degrades `/health`
while reads go on; a storage failure in one unit of a group commit fails its whole batch, so
nothing half-written is ever committed, and the writer carries on with a fresh connection."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from queue_server.db.busy import StorageFull
from queue_server.db.models import IdempotencyKey
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from tests.procs import ServerProcess, load_test_hall, start_server


def _answering(db_url: str, log_dir: Path) -> ServerProcess:
    """A server process, ready once /health answers at all (it may well say degraded)."""
    return start_server(db_url, log_dir, log=log_dir / "server.log", any_status=True)


def test_a_read_only_database_is_503_db_unavailable_and_reads_go_on(tmp_path: Path) -> None:
    path = tmp_path / "hall.db"
    load_test_hall(f"sqlite:///{path}")
    from queue_server.usecases.auth import enrol_terminal

    store = Store(f"sqlite:///{path}")
    token, _ = enrol_terminal(store, "kiosk", "k", hall="t1")
    store.close()
    server = _answering(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path)  # a read-only disk
    kiosk = httpx.Client(base_url=server.api(""), timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    with kiosk:
        assert kiosk.get("/services").status_code == 200  # reading works
        resp = kiosk.post("/tickets", json={"service": "general"},
                          headers={"Idempotency-Key": "k1"})
        assert resp.status_code == 503, resp.text
        assert resp.json()["error"]["code"] == "db_unavailable"
        assert int(resp.headers["Retry-After"]) >= 1
        health = kiosk.get("/health")
        assert health.status_code == 503 and health.json()["db"] == "db_unavailable"
        assert "readonly" in health.json()["reason"]
    server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log
    assert log.count("database: ok -> db_unavailable") == 1


def test_a_storage_failure_in_one_unit_fails_its_whole_batch(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    load_test_hall(url)
    store = Store(url)
    both_queued = threading.Event()

    def small(tx: Tx) -> str:
        pages = tx.conn.exec_driver_sql("PRAGMA page_count").scalar()
        tx.conn.exec_driver_sql(f"PRAGMA max_page_count = {int(pages) + 2}")  # a full disk
        tx.conn.execute(text("INSERT INTO idempotency_keys (hall, key, ticket_id, body_hash, "
                             "created_at) VALUES ('t1', 'small', 'x', 'h', '2026-01-01')"))
        assert both_queued.wait(5)  # the big unit joins this batch
        return "small"

    def big(tx: Tx) -> str:
        tx.conn.execute(text("INSERT INTO idempotency_keys (hall, key, ticket_id, body_hash, "
                             "created_at) VALUES ('t1', :k, 'x', 'h', '2026-01-01')"),
                        {"k": "b" * 2_000_000})
        return "big"

    async def run() -> list[object]:
        first = asyncio.ensure_future(store.run(small))
        second = asyncio.ensure_future(store.run(big))
        await asyncio.sleep(0)
        both_queued.set()
        return list(await asyncio.gather(first, second, return_exceptions=True))

    try:
        results = asyncio.run(run())
        assert all(isinstance(r, StorageFull) for r in results), results
        with store.read() as s:  # the first unit was not committed without the second
            assert s.scalar(select(func.count()).select_from(IdempotencyKey)) == 0

        def after(tx: Tx) -> int:
            return int(tx.conn.exec_driver_sql("PRAGMA max_page_count").scalar() or 0)

        assert asyncio.run(store.run(after)) > 10_000  # a fresh connection, no limit left
    finally:
        store.close()


@pytest.mark.pg
def test_postgresql_read_only_transactions_are_db_unavailable(pg_url: str) -> None:
    from sqlalchemy import create_engine

    from queue_server import wire
    from queue_server.db.busy import DbUnavailable
    from queue_server.usecases.auth import Principal
    from queue_server.usecases.tickets import issue

    load_test_hall(pg_url)
    name = pg_url.rsplit("/", 1)[1]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a client sees of a standby after a failover
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    store = Store(pg_url)
    try:
        with pytest.raises(DbUnavailable, match="read-only"):
            issue(store, Principal("kiosk", "t1", 1, "k"), wire.TicketCreate(service="general"),
                  None, "")
    finally:
        store.close()


def test_an_sqlite_uri_names_its_file_after_the_scheme(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`sqlite:///file:/path?mode=ro&uri=true` is the file /path: the store makes no folder
    called `file:` where it runs, and the health probe looks at the real folder."""
    from queue_server.db.health import StorageHealth, sqlite_file

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "sub" / "hall.db"
    assert sqlite_file(f"sqlite:///file:{path}?mode=ro&uri=true") == path
    assert sqlite_file(f"sqlite:///{path}") == path
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///file:x?mode=memory&uri=true") is None
    assert sqlite_file("postgresql+psycopg://u@127.0.0.1/db") is None
    assert StorageHealth(f"sqlite:///file:{path}?mode=ro&uri=true").folder == path.parent
    Store(f"sqlite:///file:{path}?mode=rwc&uri=true").close()
    assert path.parent.is_dir() and not (tmp_path / "file:").exists()


def test_a_unit_begun_before_the_failure_does_not_end_it(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    """Under load a PostgreSQL unit can commit just before a restart and be answered just after
    another unit's failure: its success does not flip the state back to ok, which would log
    two more lines a few milliseconds apart. A unit begun after the failure ends it, and so
    does the probe (which already waits for a few quiet seconds)."""
    from queue_server.db.busy import DbUnavailable
    from queue_server.db.health import StorageHealth

    caplog.set_level("WARNING", logger="queue_server.db")
    health = StorageHealth("postgresql+psycopg://u@127.0.0.1/db")
    before = time.monotonic() - 0.001
    health.failed(DbUnavailable("terminating connection due to administrator command"))
    health.succeeded(began=before)
    assert health.state == "db_unavailable"
    health.succeeded(began=time.monotonic())
    assert health.state == "ok"
    health.failed(DbUnavailable("the database system is shutting down"))
    health.succeeded()  # the probe's
    assert health.state == "ok"
    assert [r.getMessage() for r in caplog.records] == [
        "database: ok -> db_unavailable (terminating connection due to administrator command)",
        "database: db_unavailable -> ok",
        "database: ok -> db_unavailable (the database system is shutting down)",
        "database: db_unavailable -> ok"]


def test_the_probe_recovers_while_it_is_asked_every_second(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """After PostgreSQL's connections were cut, a load balancer asking /health each second kept
    every server "degraded" until something was written: each probe inside the 3 s hold
    renewed the failure. The hold runs out, however often the probe asks."""
    from queue_server.db import health as module
    from queue_server.db.busy import DbUnavailable
    from queue_server.db.health import StorageHealth

    now = [1000.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    health = StorageHealth("postgresql+psycopg://u@127.0.0.1/db")
    health.failed(DbUnavailable("terminating connection due to administrator command"))
    seen = []
    for _ in range(6):  # a probe each second, the database fine again
        now[0] += 1.0
        problem = health.check(lambda: None)
        seen.append(problem.code if problem is not None else "ok")
    assert seen == ["db_unavailable", "db_unavailable", "ok", "ok", "ok", "ok"]
    assert health.state == "ok"
