"""`db.lean`: the hot statements on the driver's cursor answer what SQLAlchemy answers (the same
values of the same types, by the same names), on a real SQLite file and on PostgreSQL; a
driver error is raised as SQLAlchemy raises it, so `db.busy` translates it the same; and every
statement marked hot really runs lean (one that fell back would only be slow, silently)."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    MetaData,
    NullPool,
    String,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from queue_server import wire
from queue_server.db import busy, events, lean
from queue_server.db.models import IdempotencyKey
from queue_server.db.store import Store, make_engine
from queue_server.domain.policy import Caller
from queue_server.usecases import auth, call_order, counters, estimate, tickets, views, walk
from queue_server.usecases.auth import authenticate
from queue_server.usecases.login import login
from server_process.hall import provisioning
from tests.conftest import either_database
from tests.procs import load_test_hall

PIN = "135790"


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from either_database(request.param, tmp_path / "lean.db")


@pytest.fixture()
def hall(db_url: str) -> Iterator[dict[str, Any]]:
    """The test hall with a staff member logged in at W01 and a few tickets in several states:
    waiting (one of them a priority ticket), called, served (so rows hold datetimes, JSON,
    booleans and NULLs)."""
    terminal = json.loads(provisioning("enrol", "--db", db_url, "--kind", "counter", "--name",
                                       "pad-W01", "--counter", "W01", "--json"))["token"]
    kiosk = json.loads(provisioning("enrol", "--db", db_url, "--kind", "kiosk", "--name", "k",
                                    "--json"))["token"]
    provisioning("staff", "--db", db_url, "--id", "s001", "--pin-stdin", stdin=PIN + "\n")
    store = Store(db_url)
    try:
        who = authenticate(store, kiosk, store.clock())
        issued = [tickets.issue(store, who, wire.TicketCreate(service=svc, **extra), None, "")[0]
                  for svc, extra in (("general", {}), ("case", {}), ("general", {
                      "id_card": wire.IdCardIn(number="150102194001011234", name="张三")}),
                      ("general", {}))]
        pad = authenticate(store, terminal, store.clock())
        session, _, _ = login(store, pad, "s001", PIN, "W01")
        staff = authenticate(store, session, store.clock())
        counters.call_next(store, staff, "W01", "")
        counters.start(store, staff, "W01", "")
        counters.finish(store, staff, "W01", wire.FinishIn(outcome="done"), "")
        counters.call_next(store, staff, "W01", "")
        yield {"store": store, "tickets": [t.id for t in issued], "session": session,
               "kiosk": kiosk, "staff": staff}
    finally:
        store.close()


def _same(conn: Any, stmt: Any, params: dict[str, Any]) -> list[Any]:
    """The statement's rows through SQLAlchemy and through `lean`: equal values, equal types,
    equal names; answers lean's rows."""
    expected = conn.execute(stmt, params).all()
    got = lean.rows(conn, stmt, params)
    assert [tuple(r) for r in got] == [tuple(r) for r in expected]
    assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in expected]
    if expected and len(set(expected[0]._fields)) == len(expected[0]._fields):
        assert got[0]._fields == expected[0]._fields
    return list(got)


def test_hot_selects_answer_what_sqlalchemy_answers(hall: dict[str, Any]) -> None:
    store: Store = hall["store"]
    first, second, old, _ = hall["tickets"]
    staff = hall["staff"]
    with store.write() as tx:
        conn, now = tx.conn, tx.now
        assert lean.plan_of(conn, walk.STAGE) is not None  # really lean on this database
        stages = [_same(conn, walk.STAGE, {"id": i}) for i in range(1, 6)]
        assert sum(1 for s in stages if s) == 4 and any(s[0].ended_at for s in stages if s)
        assert _same(conn, walk.COUNTER, {"hall": "t1", "code": "W01"})[0].services
        assert _same(conn, counters._TICKET, {"id": old})[0].priority is True
        assert _same(conn, counters._TICKET, {"id": "nope"}) == []
        for ticket in (first, second, old):
            assert _same(conn, views._ANSWER, {"ticket": ticket, "forwarded": None})
        digest = auth.token_hash(hall["session"])
        assert _same(conn, auth._SESSION, {"digest": digest})[0][0] == digest
        _same(conn, auth._TERMINAL, {"digest": auth.token_hash(hall["kiosk"])})
        _same(conn, auth._ADMIN, {"digest": digest})
        assert auth.principal_of(conn, hall["session"], now) == staff
        for service in ("general", "case"):
            where = {"hall": "t1", "zone": "intake", "service": service}
            _same(conn, estimate._AHEAD, {**where, "before": now})
            _same(conn, estimate._STAFFED, where)
            _same(conn, estimate._RECENT, where)
        _same(conn, tickets._STAGE_STATUS, {"id": 2})
        caller = Caller("W02", "intake", ("case", "general"), 0, 3)
        built = call_order._statement(conn, "t1", caller)
        if not isinstance(built, tuple):  # SQLite: the counter's candidates, values in place
            tiers = _same(conn, built.head, {})
            assert {row.tier_ for row in tiers} == {"normal"}
            _same(conn, call_order._NORMAL_FIRST, {"hall": "t1", "zone": "intake",
                                                   "service": "general"})
        picked = call_order.pick(conn, "t1", caller)
        assert picked is not None and picked.service == "case"


def test_hot_writes_change_what_sqlalchemy_would(hall: dict[str, Any]) -> None:
    """UPDATE ... RETURNING, an UPDATE of changed columns (`Record.save`), INSERT ... ON
    CONFLICT ... RETURNING: their effect read back."""
    store: Store = hall["store"]
    with store.write() as tx:
        conn = tx.conn
        day = store.clock().date()
        first = tickets.next_number(conn, "t1", "Z", day, None)
        assert (first, tickets.next_number(conn, "t1", "Z", day, None)) == (1, 2)
        stage = walk.one(conn, walk._STAGES, walk.STAGE, id=1)
        assert stage is not None
        stage.recalls = stage.recalls + 7
        stage.save(conn)
        assert conn.execute(walk.STAGE, {"id": 1}).one().recalls == stage.recalls
        claim = tickets._CLAIM_KEYS[conn.dialect.name]
        row = {"hall": "t1", "key": "k-1", "ticket_id": "tk", "body_hash": "h",
               "created_at": tx.now}
        assert lean.first(conn, claim, row).key == "k-1"
        assert lean.first(conn, claim, row) is None  # the key was there: nothing claimed
        known = conn.execute(tickets._KNOWN, {"hall": "t1", "key": "k-1"}).one()
        assert tuple(known) == ("tk", "h")
        # A stage inserted lean is the row SQLAlchemy's own INSERT makes of the same values.
        template = conn.execute(walk.STAGE, {"id": 1}).one()._asdict()
        values = {k: v for k, v in template.items() if k not in ("id", "number")}
        ids = [lean.scalar(conn, lean.insert_of(walk._STAGES, values, ("id",)), values),
               conn.execute(insert(walk._STAGES).returning(walk._STAGES.c.id), values).scalar()]
        made = [conn.execute(walk.STAGE, {"id": i}).one()._asdict() for i in ids]
        for row in made:
            row.pop("id")
        assert made[0] == made[1] and made[0]["ended_at"] == template["ended_at"]


def test_events_are_written_as_sqlalchemy_writes_them(hall: dict[str, Any]) -> None:
    """The event writer (ids taken, rows inserted in one executemany, lean on SQLite) against
    SQLAlchemy's own INSERT of the same rows: the same rows read back, but their ids."""
    store: Store = hall["store"]
    made = [{"type": "test.lean", "payload": {"n": i, "name": "窗口", "ok": True}}
            for i in range(3)]
    with store.write() as tx:
        conn = tx.conn
        before = events.last_id(conn, "t1")
        written = events.write(conn, events.pending(
            [("t1", e["type"], e["payload"]) for e in made], tx.now))
        top = max(int(e["id"]) for e in written)
        plain = [{"hall": "t1", "id": top + 1 + i, "type": e["type"], "at": tx.now,
                  "payload": e["payload"]} for i, e in enumerate(made)]
        conn.execute(insert(events._EVENTS), plain)
        back = events.read_after(conn, "t1", before, 10)
    assert [e["id"] for e in back] == list(range(before + 1, before + 7))
    lean_made, plain_made = back[:3], back[3:]
    for a, b in zip(lean_made, plain_made, strict=True):
        assert {k: v for k, v in a.items() if k != "id"} == {
            k: v for k, v in b.items() if k != "id"}


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(hall: dict[str, Any]) -> None:
    store: Store = hall["store"]
    keys = IdempotencyKey.__table__
    assert isinstance(keys, Table)
    plain = lean.hot(insert(keys).values(
        {keys.c[c]: bindparam(c, type_=keys.c[c].type)
         for c in ("hall", "key", "ticket_id", "body_hash", "created_at")}))
    with pytest.raises(IntegrityError) as caught, store.write() as tx:
        row = {"hall": "t1", "key": "twice", "ticket_id": "tk", "body_hash": "h",
               "created_at": tx.now}
        lean.rows(tx.conn, plain, row)
        lean.rows(tx.conn, plain, row)
    assert caught.value.orig is not None and busy.unavailable(caught.value) is None
    bad = lean.hot(text("SELECT nonsense FROM nowhere"))
    with pytest.raises(DBAPIError) as caught2, store.read() as s:
        lean.rows(s.connection(), bad)
    assert not caught2.value.connection_invalidated


def test_a_locked_sqlite_database_is_busy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    load_test_hall(url)
    store = Store(url, lock_timeout=0.2)
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with store.read() as s:  # a reader: the write below waits for the blocker's lock
            conn = s.connection()
            with pytest.raises(OperationalError) as caught:
                lean.rows(conn, tickets._SET_STAGE, {"tid": "x", "sid": 1})
        assert isinstance(busy.unavailable(caught.value), busy.Busy)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        store.close()


@pytest.mark.pg
def test_a_lost_postgresql_connection_is_invalidated(hall: dict[str, Any]) -> None:
    store: Store = hall["store"]
    if store.is_sqlite:
        pytest.skip("a server connection to lose: PostgreSQL only")
    with pytest.raises(busy.DbUnavailable) as caught, store.read() as s:  # as db.busy says
        conn = s.connection()
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with store.writer.connect() as killer:
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            killer.commit()
        lean.rows(conn, walk.STAGE, {"id": 1})
    lost = caught.value.__cause__
    assert isinstance(lost, DBAPIError) and lost.connection_invalidated
    with store.write() as tx:  # the pool gives a working connection again
        assert lean.first(tx.conn, walk.STAGE, {"id": 1}) is not None


def _pid(conn: Any) -> int:
    return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())


@contextlib.contextmanager
def _pool_and_killer(db_url: str) -> Iterator[tuple[Any, Any]]:
    """The server's engine for `db_url`, and a way to end server connections by their pids
    (from a connection of its own, waiting until each has ended)."""
    engine, killer = make_engine(db_url), create_engine(db_url, poolclass=NullPool)

    def kill(*pids: int) -> None:
        with killer.connect() as k:
            for pid in pids:
                k.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)")

    try:
        yield engine, kill
    finally:
        engine.dispose()
        killer.dispose()


@pytest.mark.pg
def test_a_lost_connection_retires_every_pooled_one_opened_before(db_url: str) -> None:
    """After a restart every pooled connection is dead. The first to fail retires them all, as
    SQLAlchemy does on a disconnect: the next unit gets a new connection, not the next dead
    one (which made the database's state flap ok -> db_unavailable -> ok once per pooled
    connection, seen in the PostgreSQL restart test)."""
    if db_url.startswith("sqlite"):
        pytest.skip("a server connection to lose: PostgreSQL only")
    with _pool_and_killer(db_url) as (engine, kill):
        with engine.connect() as a, engine.connect() as b:  # two connections kept in the pool
            pids = {_pid(c) for c in (a, b)}
        kill(*pids)
        with pytest.raises(OperationalError) as caught, engine.connect() as c, c.begin():
            lean.rows(c, walk.STAGE, {"id": 1})
        assert caught.value.connection_invalidated
        with engine.connect() as c, engine.connect() as d:  # the other dead one is not handed out
            for conn in (c, d):
                assert _pid(conn) not in pids
                assert lean.rows(conn, walk.STAGE, {"id": 1}) == []


@pytest.mark.pg
def test_a_pipeline_that_fails_logs_nothing_of_its_own(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A pipeline whose COMMIT fails (the connection lost here; PostgreSQL turned read-only is
    the same) raises the error, and leaving the pipeline, which then fails too, is not logged
    by psycopg ("error ignored terminating <psycopg.Pipeline>"): the database's health logs
    the change once, not a line per refused request."""
    if db_url.startswith("sqlite"):
        pytest.skip("a pipeline: PostgreSQL only")
    caplog.set_level("WARNING", logger="psycopg")
    with _pool_and_killer(db_url) as (engine, kill), pytest.raises(OperationalError) as caught, \
            engine.connect() as c, c.begin():
        kill(_pid(c))  # the transaction begun by the pid's read
        lean.each_then_commit(c, [(walk.STAGE, {"id": 1})])
    assert caught.value.connection_invalidated
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")]


@pytest.mark.pg
@pytest.mark.parametrize("way", ["lean", "sqlalchemy"])
def test_a_connection_left_mid_command_is_invalidated(
        hall: dict[str, Any], way: str, caplog: pytest.LogCaptureFixture) -> None:
    """psycopg leaves a connection whose socket failed mid-command as it was: not broken, the
    command in flight. Kept, its ROLLBACK on return to the pool would fail and the pool log a
    traceback (seen when PostgreSQL restarted under load). It is invalidated instead, through
    lean and through SQLAlchemy alike."""
    store: Store = hall["store"]
    if store.is_sqlite:
        pytest.skip("a server connection to lose: PostgreSQL only")
    caplog.set_level("ERROR", logger="sqlalchemy.pool")
    with pytest.raises(busy.DbUnavailable) as caught, store.read() as s:
        conn = s.connection()
        conn.exec_driver_sql("SELECT 1")
        dbapi_conn = conn.connection.dbapi_connection
        dbapi_conn.pgconn.send_query(b"SELECT pg_sleep(0.2)")  # a command left in flight
        if way == "lean":
            lean.rows(conn, walk.STAGE, {"id": 1})
        else:
            conn.execute(walk.STAGE, {"id": 1})
    lost = caught.value.__cause__
    assert isinstance(lost, DBAPIError) and lost.connection_invalidated
    assert dbapi_conn.closed
    assert not [r for r in caplog.records if r.name.startswith("sqlalchemy.pool")]
    with store.write() as tx:  # the pool gives a working connection again
        assert lean.first(tx.conn, walk.STAGE, {"id": 1}) is not None


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()],
                         ids=["sqlite", "postgresql"])
def test_every_hot_statement_runs_lean(dialect: Any) -> None:
    """A statement marked hot that `lean` cannot run (an IN list, a computed parameter)
    would go through SQLAlchemy unnoticed: every one compiles to a plan, on both databases
    (a dialect's own INSERT ... ON CONFLICT only on its own)."""
    own = {"sqlite": "sqlalchemy.dialects.sqlite", "postgresql": "sqlalchemy.dialects.postgresql"}
    others = [mod for name, mod in own.items() if name != dialect.name]
    checked = 0
    for stmt in list(lean._HOT.values()):
        if any(type(stmt).__module__.startswith(mod) for mod in others):
            continue
        assert lean._build(dialect, stmt) is not None, str(stmt)[:120]
        checked += 1
    assert checked >= 14


def test_postgresql_placeholders_are_numbered_once_for_each_name() -> None:
    """psycopg converts `%(name)s` to `$n` at every execution of a long statement: lean does it
    once. A name used twice is one `$n`, a literal `%` (`%%` in pyformat) stays one `%`, and
    each `$n` takes its value from its own parameter."""
    sql = "SELECT %(b)s, 'a%%' || %(a)s, %(b)s WHERE x LIKE '%%(a)s'"
    raw, order = lean._dollar_placeholders(sql, ["a", "b"])
    assert raw == "SELECT $1, 'a%' || $2, $1 WHERE x LIKE '%(a)s'"
    assert order == (1, 0)
    plan = lean._build(postgresql.psycopg.dialect(), tickets._PG_ISSUE)
    assert plan is not None and plan.raw is not None and "%(" not in plan.raw[0]
    names = [name for name, _, _ in plan.params]
    used = [names[i] for i in plan.raw[1]]  # $1, $2... in order, each name once
    assert len(set(used)) == len(used) and set(used) == set(re.findall(r"%\((\w+)\)s",
                                                                         plan.sql))
    assert f"${len(used)} " in plan.raw[0] and f"${len(used) + 1}" not in plan.raw[0]


@pytest.mark.pg
def test_an_issue_on_postgresql_converts_no_query(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's statements run with PostgreSQL's own placeholders: psycopg's per-execution
    conversion (`_query2pg_nocache`, ~0.1 ms for the issue's one statement) is never called,
    and the ticket is the same as ever (its number, its stage)."""
    if db_url.startswith("sqlite"):
        pytest.skip("psycopg's query conversion: PostgreSQL only")
    import psycopg._queries

    kiosk = json.loads(provisioning("enrol", "--db", db_url, "--kind", "kiosk", "--name", "k",
                                    "--json"))["token"]
    store = Store(db_url)
    try:
        who = authenticate(store, kiosk, store.clock())
        tickets.issue(store, who, wire.TicketCreate(service="general"), "warm", "")

        def converted(*args: Any) -> Any:
            raise AssertionError("psycopg converted a query at execution")

        monkeypatch.setattr(psycopg._queries, "_query2pg_nocache", converted)
        made, created = tickets.issue(store, who, wire.TicketCreate(service="general"),
                                      "k-2", "")
        assert created and made.number.endswith("002") and made.ahead == 1
        with store.read() as s:
            stage = s.connection().exec_driver_sql(
                "SELECT s.status, s.ticket_id FROM tickets t JOIN stages s ON s.id = t.stage "
                "WHERE t.id = %(id)s", {"id": made.id}).one()
        assert tuple(stage) == ("waiting", made.id)
    finally:
        store.close()


_PROBE_KEYS = Table("lean_commit_probe", MetaData(), Column("k", String, primary_key=True))
_PROBE_INSERT = lean.hot(insert(_PROBE_KEYS).values(k=bindparam("k"))
                         .returning(_PROBE_KEYS.c.k))


@contextlib.contextmanager
def _probe(pg_url: str) -> Iterator[tuple[Any, Callable[[], list[str]]]]:
    """An engine with the probe table made (dropped after), and the table's keys as another
    connection sees them."""
    from sqlalchemy import create_engine

    engine = create_engine(pg_url)
    _PROBE_KEYS.create(engine)

    def keys() -> list[str]:
        with engine.connect() as other:
            return sorted(other.execute(select(_PROBE_KEYS.c.k)).scalars())

    try:
        yield engine, keys
    finally:
        _PROBE_KEYS.drop(engine)
        engine.dispose()


@pytest.mark.pg
def test_statements_sent_with_their_commit_are_one_transaction(pg_url: str) -> None:
    """`each_then_commit` with nothing sent in the transaction yet runs its statements as
    PostgreSQL's implicit transaction of one pipeline (psycopg's autocommit mode, no BEGIN of
    its own): all of them are written, or none when one fails, and the connection is back
    out of autocommit either way. After a statement already sent, it commits that too."""
    with _probe(pg_url) as (engine, keys), engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        conn.begin()
        with pytest.raises(IntegrityError):  # the second "a" fails: neither is written
            lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "a"}),
                                         (_PROBE_INSERT, {"k": "a"})])
        assert dbapi_conn.autocommit is False
        conn.rollback()
        assert keys() == []

        conn.begin()
        done = lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "a"}),
                                            (_PROBE_INSERT, {"k": "b"})])
        assert [[tuple(r) for r in rows] for rows in done or []] == [[("a",)], [("b",)]]
        assert dbapi_conn.autocommit is False
        assert keys() == ["a", "b"]  # committed: another connection sees them
        conn.commit()

        conn.begin()  # a statement first: then the pipeline's COMMIT ends the transaction
        conn.execute(_PROBE_INSERT, {"k": "c"})
        lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "d"})])
        assert keys() == ["a", "b", "c", "d"]
        conn.commit()

        conn.begin()  # and with one that fails, nothing of the transaction is written
        conn.execute(_PROBE_INSERT, {"k": "e"})
        with pytest.raises(IntegrityError):
            lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "a"})])
        conn.rollback()
        assert keys() == ["a", "b", "c", "d"] and dbapi_conn.autocommit is False


@pytest.mark.pg
def test_one_statement_with_its_commit_goes_without_a_pipeline(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One statement with nothing sent before it in the transaction (a unit of one issue,
    most units over many halls) is its own transaction in psycopg's autocommit mode: sent
    alone, without the pipeline's machinery (some 45 µs less CPU a unit here). It is
    written, or nothing of it when it fails, and the connection is back out of
    autocommit either way. Two statements, or one after another, still go in a pipeline."""
    import psycopg

    pipelines: list[bool] = []
    real = psycopg.Connection.pipeline

    def counted(self: psycopg.Connection[Any]) -> Any:
        pipelines.append(True)
        return real(self)

    monkeypatch.setattr(psycopg.Connection, "pipeline", counted)
    with _probe(pg_url) as (engine, keys), engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        conn.begin()
        done = lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "a"})])
        assert [[tuple(r) for r in rows] for rows in done or []] == [[("a",)]]
        assert keys() == ["a"] and dbapi_conn.autocommit is False
        conn.commit()
        assert pipelines == []

        conn.begin()
        with pytest.raises(IntegrityError):
            lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "a"})])
        assert dbapi_conn.autocommit is False
        conn.rollback()
        assert pipelines == []

        conn.begin()
        lean.each_then_commit(conn, [(_PROBE_INSERT, {"k": "b"}),
                                     (_PROBE_INSERT, {"k": "c"})])
        conn.commit()
        assert keys() == ["a", "b", "c"] and pipelines == [True]

