"""A fresh server warms up before it listens (`api.app._warm`, `db.warm`): the routes walked,
the thread pool for sync code started, the hot statements' plans built, PostgreSQL's pooled
connections opened and the issue's statement run on each (taking no number), the halls'
settings and services read, the active terminals remembered and their tokens counted as seen
valid; and a warm-up that fails still lets the server start. On SQLite and PostgreSQL, with
the real app served by uvicorn on loopback."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from provisioning.terminals import revoke
from queue_server.api import app as app_module
from queue_server.api import routes
from queue_server.db import lean
from queue_server.db.store import PG_POOL, Store
from queue_server.db.unit import db_key
from queue_server.domain.security import token_hash
from queue_server.usecases import auth, estimate, halls, tickets
from tests.procs import start_server
from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, database, enrol, journey_db


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with database(request.param, tmp_path) as url:
        yield journey_db(tmp_path, url=url)


def _start(url: str) -> InProcServer:
    return InProcServer(url, Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ)))


_WRITTEN = ("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM stages), "
            "(SELECT count(*) FROM number_counters), (SELECT count(*) FROM idempotency_keys), "
            "(SELECT count(*) FROM events WHERE type = 'ticket.issued')")


def test_a_fresh_server_is_warm_before_its_first_request(
        hall_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    token = enrol(hall_url, "kiosk", "warm-kiosk")
    auth._SEEN.forget()
    routes._SEEN_VALID.clear()
    pooled: list[int] = []  # the connections the issue's statement ran on (PostgreSQL)
    warm_connection = tickets.warm_connection

    def record(conn: Any, now: datetime) -> None:
        warm_connection(conn, now)
        pooled.append(id(conn.connection.dbapi_connection))

    monkeypatch.setattr(tickets, "warm_connection", record)
    started: list[str] = []  # the thread pool's first use
    run_in_threadpool = app_module.run_in_threadpool

    async def first_use(func: Any, *args: Any) -> Any:
        started.append("pool")
        return await run_in_threadpool(func, *args)

    monkeypatch.setattr(app_module, "run_in_threadpool", first_use)
    before = Store(hall_url)
    try:
        with before.writer.connect() as conn:
            written = tuple(conn.execute(text(_WRITTEN)).one())
    finally:
        before.close()
    caplog.set_level(logging.INFO, logger="queue_server")
    server = _start(hall_url)
    try:
        store = server.store
        warmed = [r.getMessage() for r in caplog.records if "warmed up" in r.getMessage()]
        assert len(warmed) == 1 and "(answered [404])" in warmed[0], warmed
        assert started == ["pool"]
        # the kiosk's token counts as seen valid: its first request skips the look-up
        assert routes._SEEN_VALID.get(token_hash(token), 0.0) > time.monotonic()
        # PostgreSQL: the issue's statement ran on each pooled connection, and wrote nothing
        assert len(set(pooled)) == (0 if store.is_sqlite else PG_POOL) == len(pooled)
        with store.writer.connect() as conn:
            assert tuple(conn.execute(text(_WRITTEN)).one()) == written
        # the issue's statements have their plans, before any request
        plans = lean._PLANS[store.writer.dialect]
        assert plans.get(id(tickets._PG_ISSUE_AT_ONCE)) is not None or store.is_sqlite
        assert plans.get(id(auth._TERMINAL)) is not None
        # the hall's settings, services and counters' services are in the short caches
        key = db_key(store.writer)
        assert halls._CACHE.get((key, "j1"))[0]
        assert halls._SERVICE_CACHE.get((key, "j1", "general"))[0]
        assert halls._SERVICE_CACHE.get((key, "j1", "case"))[0]
        assert estimate._SERVICES_CACHE.get((key, "j1"))[0]
        # read together, they are what the requests' own reads, one by one, give
        warmed_hall = halls._CACHE.get((key, "j1"))[1]
        warmed_services = estimate._SERVICES_CACHE.get((key, "j1"))[1]
        assert warmed_services  # the journey hall's counters serve something
        halls.forget_halls()
        estimate._SERVICES_CACHE.forget()
        with store.read() as s:
            assert halls.load_hall(s, "j1") == warmed_hall
            assert estimate._counter_services(s, "j1") == warmed_services
        # the kiosk is known: on PostgreSQL its first issue goes the hot way
        known = auth.known_terminal(store.writer, token)
        assert known is not None and known[0].terminal_name == "warm-kiosk"
        if not store.is_sqlite:
            pool: Any = store.writer.pool  # open: in the pool, or in use by the hub meanwhile
            assert pool.checkedin() + pool.checkedout() >= PG_POOL
        # the walk left nothing behind: a 404 is a 404, and the first issue works, with
        # every statement's plan built by the warm-up (none built while it waits)
        built: list[Any] = []
        build = lean._build

        def record_build(dialect: Any, stmt: Any) -> Any:
            built.append(stmt)
            return build(dialect, stmt)

        monkeypatch.setattr(lean, "_build", record_build)
        with server.client(token) as client:
            missing = client.get("/no-such-thing")
            assert missing.status_code == 404
            issued = client.post("/tickets", json={"service": "general"},
                                 headers={"Idempotency-Key": "warm-1"})
            assert issued.status_code == 201, issued.text
            assert issued.json()["number"].endswith("001")
        assert [str(stmt) for stmt in built] == []
    finally:
        server.stop()
        server.store.close()


def test_a_revoked_terminal_remembered_by_the_warm_up_takes_no_number(hall_url: str) -> None:
    """Remembering is not a grant: on PostgreSQL the issue's statement checks the terminal
    again, and on both databases the unit authenticates the token, which the warm-up counted
    as seen valid."""
    token = enrol(hall_url, "kiosk", "revoked-kiosk")
    server = _start(hall_url)
    try:
        assert auth.known_terminal(server.store.writer, token) is not None
        assert routes._SEEN_VALID.get(token_hash(token), 0.0) > time.monotonic()
        other = Store(hall_url)  # `provisioning terminal revoke`, another process's store
        try:
            revoke(other, name="revoked-kiosk", hall="j1")
        finally:
            other.close()
        with server.client(token) as client:
            refused = client.post("/tickets", json={"service": "general"},
                                  headers={"Idempotency-Key": "warm-2"})
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"]["code"] == "unauthorized"
    finally:
        server.stop()
        server.store.close()


def test_a_warm_up_that_fails_leaves_the_work_to_the_first_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    url = journey_db(tmp_path)
    token = enrol(url, "kiosk", "cold-kiosk")

    def fails(*_args: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("the database went away"))

    monkeypatch.setattr(app_module, "warm", fails)
    caplog.set_level(logging.INFO, logger="queue_server")
    server = _start(url)
    try:
        messages = [r.getMessage() for r in caplog.records]
        assert any("warming the database's connections and statements failed" in m
                   for m in messages), messages
        with server.client(token) as client:
            issued = client.post("/tickets", json={"service": "general"},
                                 headers={"Idempotency-Key": "cold-1"})
        assert issued.status_code == 201, issued.text
    finally:
        server.stop()
        server.store.close()


def test_a_server_starts_without_what_it_needs_only_later(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A start is a hall's outage after a crash (and most of the kill -9 tests' time): the real
    `python -m queue_server`, on a database at the newest migration with a webhook to send to,
    is healthy and warm without having imported Alembic (migrations), numpy (the reports'
    percentiles), httpx (the first webhook message) or qrcode and Pillow (the first QR code):
    together about a third of a second here (`-X importtime`). Python lists every module it
    imports (`PYTHONPROFILEIMPORTTIME`) in the server's log."""
    url = journey_db(tmp_path, webhook="http://127.0.0.1:9/hook")
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    server = start_server(url, tmp_path)
    try:
        imported = {line.rsplit("|", 1)[1].strip().split(".")[0]
                    for line in server.log.read_text(errors="replace").splitlines()
                    if line.startswith("import time:") and "|" in line}
    finally:
        server.stop()
    assert {"fastapi", "sqlalchemy", "uvicorn"} <= imported  # the listing is there
    assert imported.isdisjoint({"alembic", "numpy", "httpx", "qrcode", "PIL"}), sorted(imported)
