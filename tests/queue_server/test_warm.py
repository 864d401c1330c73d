"""A fresh server warms up before it listens (`api.app._warm`, `db.warm`): the routes walked,
the hot statements' plans built, PostgreSQL's pooled connections opened, the halls' settings
and services read, the active terminals remembered; and a warm-up that fails still lets the server start. On SQLite and PostgreSQL,
with the real app served by uvicorn on loopback."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from provisioning.terminals import revoke
from queue_server.api import app as app_module
from queue_server.db import lean
from queue_server.db.store import PG_POOL, Store
from queue_server.db.unit import db_key
from queue_server.usecases import auth, estimate, halls, tickets
from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, database, enrol, journey_db


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hall_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    with database(request.param, tmp_path) as url:
        yield journey_db(tmp_path, url=url)


def _start(url: str) -> InProcServer:
    return InProcServer(url, Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ)))


def test_a_fresh_server_is_warm_before_its_first_request(
        hall_url: str, caplog: pytest.LogCaptureFixture) -> None:
    token = enrol(hall_url, "kiosk", "warm-kiosk")
    auth._SEEN.forget()
    caplog.set_level(logging.INFO, logger="queue_server")
    server = _start(hall_url)
    try:
        store = server.store
        warmed = [r.getMessage() for r in caplog.records if "warmed up" in r.getMessage()]
        assert len(warmed) == 1 and "(answered [404])" in warmed[0], warmed
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
        if not store.is_sqlite:
            # the kiosk is known: its first issue goes the hot way
            known = auth.known_terminal(store.writer, token)
            assert known is not None and known[0].terminal_name == "warm-kiosk"
            pool: Any = store.writer.pool  # open: in the pool, or in use by the hub meanwhile
            assert pool.checkedin() + pool.checkedout() >= PG_POOL
        # the walk left nothing behind: a 404 is a 404, and the first issue works
        with server.client(token) as client:
            missing = client.get("/no-such-thing")
            assert missing.status_code == 404
            issued = client.post("/tickets", json={"service": "general"},
                                 headers={"Idempotency-Key": "warm-1"})
            assert issued.status_code == 201, issued.text
            assert issued.json()["number"].endswith("001")
    finally:
        server.stop()
        server.store.close()


@pytest.mark.pg
def test_a_revoked_terminal_remembered_by_the_warm_up_takes_no_number(tmp_path: Path) -> None:
    """PostgreSQL (SQLite issues the usual way, nothing remembered): remembering is not a
    grant, the issue's statement checks the terminal again."""
    with database("pg", tmp_path) as url:
        _revoked_takes_no_number(journey_db(tmp_path, url=url))


def _revoked_takes_no_number(hall_url: str) -> None:
    token = enrol(hall_url, "kiosk", "revoked-kiosk")
    server = _start(hall_url)
    try:
        assert auth.known_terminal(server.store.writer, token) is not None
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
