"""The queue through the use cases (no HTTP), on a real SQLite file and on PostgreSQL (when
KUAIBAN_TEST_PG is set): call order (transferred, priority with its cap, the counter's
services, issue time), the place kept by issue time in the next zone, the estimate from people
ahead and recent service times, and idempotency keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queue_server import wire
from queue_server.db.store import Store
from queue_server.domain.errors import Conflict, NoTicketWaiting
from queue_server.usecases import counters
from queue_server.usecases.auth import Principal
from queue_server.usecases.tickets import issue
from tests.conftest import either_database

OLD = {"number": "150102194001011234", "name": "张三"}  # born 1940: elderly


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=30)
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for url in either_database(request.param, tmp_path / "q.db"):
        s = Store(url, clock=Clock())
        yield s
        s.close()


KIOSK = Principal("kiosk", "t1", 1, "k")


def take(store: Store, service: str, card: dict | None = None, **kw: object) -> str:
    req = wire.TicketCreate(service=service, id_card=wire.IdCardIn(**card) if card else None,
                            **kw)  # type: ignore[arg-type]
    return issue(store, KIOSK, req, None, "")[0].number


def staff(counter: str) -> Principal:
    return Principal("staff", "t1", 1, "pad", counter, "s001", "staff")


def drain(store: Store, counter: str, outcome: str = "done") -> list[str]:
    who, out = staff(counter), []
    while True:
        try:
            out.append(counters.call_next(store, who, counter, "").number)
        except NoTicketWaiting:
            return out
        counters.finish(store, who, counter, wire.FinishIn(outcome=outcome), "")  # type: ignore[arg-type]


def test_priority_then_services_then_issue_time(store: Store) -> None:
    take(store, "general")                        # A001
    take(store, "case")                           # B001
    take(store, "general", OLD)                   # A002, elderly
    take(store, "general", priority="priority", priority_reason="disabled")  # A003
    assert drain(store, "W02") == ["A002", "A003", "B001", "A001"]  # W02: case, general


def test_priority_cap_lets_normal_tickets_through(store: Store) -> None:
    take(store, "general")                        # A001 normal
    for _ in range(4):
        take(store, "general", OLD)               # A002..A005 priority
    take(store, "general")                        # A006 normal
    # cap 2: two priority calls in a row, then a normal one
    assert drain(store, "W01") == ["A002", "A003", "A001", "A004", "A005", "A006"]


def test_next_zone_keeps_the_place_by_issue_time(store: Store) -> None:
    first, second = take(store, "case"), take(store, "case")
    who = staff("W01")
    assert counters.call_next(store, who, "W01", "").number == first
    counters.transfer(store, who, "W01", wire.TransferIn(counter="W02"), "")
    assert counters.call_next(store, who, "W01", "").number == second
    counters.finish(store, who, "W01", wire.FinishIn(outcome="next"), "")  # second: approval
    assert drain(store, "W02", "next") == [first]  # first reaches approval later ...
    assert drain(store, "W03", "next") == [first, second]  # ... but is called first there
    assert drain(store, "W04") == [first, second]


def test_transfer_to_a_service_requeues_by_issue_time(store: Store) -> None:
    a1, b1 = take(store, "general"), take(store, "case")
    who = staff("W01")
    counters.call_next(store, who, "W01", "")  # A001
    out = counters.transfer(store, who, "W01", wire.TransferIn(service="case"), "")
    assert out.service == "case" and out.status == "waiting"
    assert drain(store, "W02") == [a1, b1]  # A001 (now a case) is older than B001


def test_estimate_uses_people_ahead_and_recent_service_times(store: Store) -> None:
    for _ in range(3):
        take(store, "general")
    assert drain(store, "W01") == ["A001", "A002", "A003"]  # each took 30 s in this clock
    counters_open = counters.get_counter(store, staff("W01"), "W01", "")
    assert counters_open.waiting["general"] == 0
    for _ in range(4):
        out = issue(store, KIOSK, wire.TicketCreate(service="general"), None, "")[0]
    assert out.ahead == 3
    assert out.estimated_wait_s == 3 * 30  # 3 ahead x 30 s, shared by at least one counter


def test_people_ahead_are_counted_once_a_moment_per_service(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """An issue's `ahead` comes from a count of the service's queue kept a moment
    (estimate.waiting_now): this process's own issues are added to it, any other event of the
    hall (here a call) has it counted anew, and so does its age. Counting every waiting row at
    every issue made issuing dearer the longer a service's queue grew."""
    from queue_server.usecases import estimate

    counted: list[str] = []
    real = estimate.waiting_ahead

    def counting(s: object, hall: str, zone: str, service: str, before: datetime) -> int:
        counted.append(service)
        return real(s, hall, zone, service, before)  # type: ignore[arg-type]

    monkeypatch.setattr(estimate, "waiting_ahead", counting)

    def ahead(service: str = "general") -> int:
        return issue(store, KIOSK, wire.TicketCreate(service=service), None, "")[0].ahead

    assert [ahead() for _ in range(4)] == [0, 1, 2, 3] and counted == ["general"]
    assert ahead("case") == 0 and counted == ["general", "case"]
    assert counters.call_next(store, staff("W01"), "W01", "").number == "A001"
    assert ahead() == 3 and counted == ["general", "case", "general"]
    monkeypatch.setattr(estimate, "_WAITING", estimate.TtlCache(0.0))
    assert ahead() == 4 and ahead() == 5 and counted[3:] == ["general", "general"]


def test_numbers_past_999_and_the_daily_cap(store: Store) -> None:
    """Numbers as policy.format_number writes them past three digits (PostgreSQL formats
    them in the issue's one statement); a refused issue over the cap writes nothing."""
    from sqlalchemy import text


    assert take(store, "general") == "A001"
    with store.write() as tx:
        tx.conn.execute(text("UPDATE number_counters SET last = 998 WHERE prefix = 'A'"))
    assert [take(store, "general") for _ in range(3)] == ["A999", "A1000", "A1001"]
    assert [take(store, "case") for _ in range(5)] == [f"B00{i}" for i in range(1, 6)]  # cap 5

    def counts() -> tuple[int, ...]:
        with store.read() as s:
            return tuple(s.execute(text(q)).scalar_one() for q in (
                "SELECT count(*) FROM tickets", "SELECT count(*) FROM stages",
                "SELECT max(last) FROM number_counters WHERE prefix = 'B'"))

    before = counts()
    with pytest.raises(Conflict) as refused:
        take(store, "case")
    assert refused.value.code == "daily_cap_reached"
    assert counts() == before == (9, 9, 5)


def test_service_list_counts_waits_and_caps(store: Store) -> None:
    from datetime import date

    from queue_server.usecases.views import service_infos

    for _ in range(3):
        take(store, "general")
    drain(store, "W01")
    for service in ("general", "general", "case"):
        take(store, service)
    with store.read() as s:
        infos = {i.code: i for i in service_infos(s, "t1", date(2026, 3, 2))}
    assert infos["general"].waiting == 2 and infos["general"].estimated_wait_s == 2 * 30
    assert infos["case"].waiting == 1 and infos["case"].remaining_today == 4
    assert infos["consult"].waiting == 0 and infos["consult"].open is True


def test_numbers_taken_on_a_closed_day_count_in_the_day_they_are_called_on(
        store: Store) -> None:
    """The test hall works Monday to Friday around the clock: on Saturday the 24-hour room
    issues Monday's numbers, against Monday's cap, and the kiosk's list counts them there."""
    from queue_server.usecases.terminals import services

    store.clock.now = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert [take(store, "case") for _ in range(2)] == ["B001", "B002"]  # Saturday 10:00
    left = {i.code: i for i in services(store, "t1")}["case"]
    assert (left.remaining_today, left.waiting) == (3, 2)  # Monday's cap of 5, two used
    store.clock.now = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert [take(store, "case") for _ in range(3)] == ["B003", "B004", "B005"]  # Monday
    with pytest.raises(Conflict) as refused:
        take(store, "case")
    assert refused.value.code == "daily_cap_reached"


def test_an_idempotency_key_gives_one_ticket_and_refuses_another_body(store: Store) -> None:
    from queue_server.domain.errors import Conflict

    body = wire.TicketCreate(service="general")
    first, created = issue(store, KIOSK, body, "key-1", "")
    again, replayed = issue(store, KIOSK, body, "key-1", "")
    assert created and not replayed
    assert (again.id, again.number) == (first.id, first.number)
    assert issue(store, KIOSK, body, "key-2", "")[0].number != first.number
    with pytest.raises(Conflict):
        issue(store, KIOSK, wire.TicketCreate(service="case"), "key-1", "")


def test_one_key_sent_by_eight_threads_at_once_gives_one_ticket(store: Store) -> None:
    """The claim (INSERT ... ON CONFLICT) waits for a concurrent claim of the same key and
    answers its ticket: no error, no second ticket, on either database."""
    import threading

    body = wire.TicketCreate(service="general")
    got: list[tuple[str, bool]] = []
    start = threading.Barrier(8)

    def send() -> None:
        start.wait()
        out, created = issue(store, KIOSK, body, "same-key", "")
        got.append((out.number, created))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 8
    assert {number for number, _ in got} == {got[0][0]}
    assert sum(created for _, created in got) == 1
    assert issue(store, KIOSK, body, "other-key", "")[0].number == "A002"


@pytest.mark.pg
def test_a_unit_whose_events_cannot_be_written_keeps_nothing(store: Store) -> None:
    """PostgreSQL: a unit's events statement carries its COMMIT (one round trip). While
    another transaction holds the hall's event row, the statement waits out the lock timeout:
    the unit fails busy and keeps nothing, neither its ticket nor its events; once the row is
    free the next unit commits with the next id. A hall's first event makes its row."""
    if store.is_sqlite:
        pytest.skip("the events' COMMIT in one round trip: PostgreSQL only")
    from sqlalchemy import text

    from queue_server.db.busy import Busy

    quick = Store(store.url, lock_timeout=0.5, clock=Clock())  # PostgreSQL's lock_timeout
    try:
        first = take(quick, "general")
        before = quick.fetch_events("t1", 0, 1000)
        with quick.writer.connect() as other, other.begin():
            other.execute(text("SELECT last FROM hall_event_seq WHERE hall = 't1' FOR UPDATE"))
            with pytest.raises(Busy):
                take(quick, "general")
        assert quick.fetch_events("t1", 0, 1000) == before
        assert take(quick, "general") == _next_number(first)
        after = quick.fetch_events("t1", 0, 1000)
        assert [e["id"] for e in after] == list(range(1, len(after) + 1))
        with quick.write() as tx:  # a hall never written to: its row is made
            tx.emit("t9", "test.first")
        assert [e["type"] for e in quick.fetch_events("t9", 0, 10)] == ["test.first"]
    finally:
        quick.close()


@pytest.mark.pg
def test_an_issue_commits_with_its_own_statement(store: Store) -> None:
    """PostgreSQL: an issue without a booking, of a service without a daily cap, writes its
    number, ticket, stage and `ticket.issued` event in one statement sent with the COMMIT
    (the number's row is locked only while PostgreSQL runs it and commits): the ticket is
    durable before the unit ends, the event reads back as the hub was handed it (the number
    put in, the hall's next id), the key replays it, and nothing more can be emitted in the
    committed unit. A capped service's issue keeps the usual path (its refusal keeps nothing:
    test_numbers_past_999_and_the_daily_cap)."""
    if store.is_sqlite:
        pytest.skip("the issue's COMMIT with its statement: PostgreSQL only")
    from sqlalchemy import text

    from queue_server.usecases.tickets import issue_in

    handed: list[dict[str, object]] = []
    first = take(store, "general")
    base = store.last_event("t1")
    store.on_events = handed.extend
    with store.write() as tx:
        out, created = issue_in(tx, KIOSK, wire.TicketCreate(service="general"), "k-1", "")
        with store.writer.connect() as other:  # another connection sees it committed
            assert other.execute(text("SELECT number FROM tickets WHERE id = :i"),
                                 {"i": out.id}).scalar_one() == out.number
        with pytest.raises(RuntimeError):
            tx.emit("t1", "test.too_late")
    assert created and out.number == _next_number(first) and out.ahead == 1
    stored = store.fetch_events("t1", base, 100)
    assert handed == stored and len(stored) == 1
    assert stored[-1] == {"id": base + 1, "type": "ticket.issued", "at": stored[-1]["at"],
                          "hall": "t1", "ticket": out.id, "number": out.number,
                          "service": "general", "zone": out.zone, "priority": False,
                          "channel": "kiosk"}
    again, created = issue(store, KIOSK, wire.TicketCreate(service="general"), "k-1", "")
    assert not created and again.id == out.id
    assert take(store, "case") == "B001"  # capped: number and event as two statements
    assert [e["number"] for e in store.fetch_events("t1", base + 1, 10)] == ["B001"]


@pytest.mark.pg
def test_a_known_kiosks_plain_issue_is_one_statement(store: Store) -> None:
    """PostgreSQL: once this process has accepted a kiosk's token, its plain issue is one
    statement sent with the unit's BEGIN and COMMIT (`issue_at_once`), which checks the
    terminal again and claims the key itself. Anything else it leaves to the usual path having
    written nothing: a token not seen yet, a known key (replayed, or refused for another body),
    an unknown service, a terminal revoked since (the memory is no grant: refused, and
    forgotten). No number is taken by what it left."""
    if store.is_sqlite:
        pytest.skip("the issue in one statement: PostgreSQL only")
    import asyncio

    from sqlalchemy import text

    from queue_server.db.models import Terminal
    from queue_server.domain.errors import Conflict, Invalid, Unauthorized
    from queue_server.usecases.auth import enrol_terminal, known_terminal, revoke_in
    from queue_server.usecases.tickets import issue_at_once, issue_for

    token = enrol_terminal(store, "kiosk", "k-fast", hall="t1")[0]
    plain = wire.TicketCreate(service="general")

    def at_once(key: str, req: wire.TicketCreate = plain) -> object:
        with store.write() as tx:
            done = issue_at_once(tx, token, req, key, "")
            status = tx.conn.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]
            if done is not None:  # committed by its own statement: nothing left open
                assert status == 0  # psycopg.pq.TransactionStatus.IDLE
            return done

    def issue_for_(req: wire.TicketCreate, key: str) -> tuple[wire.TicketIssued, bool]:
        return asyncio.run(issue_for(store, token, req, key, ""))

    def keys(*names: str) -> int:
        with store.writer.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM idempotency_keys WHERE key = "
                                         "ANY(:k)"), {"k": list(names)}).scalar_one())

    assert at_once("f-0") is None and keys("f-0") == 0  # not seen in this process yet
    first, _ = issue_for_(plain, "f-1")
    base = store.last_event("t1")
    done = at_once("f-2")
    assert isinstance(done, tuple) and done[1]
    out = done[0]
    assert out.number == _next_number(first.number) and out.ahead == 1
    assert store.fetch_events("t1", base, 10) == [{
        "id": base + 1, "type": "ticket.issued", "at": store.fetch_events("t1", base, 1)[0]["at"],
        "hall": "t1", "ticket": out.id, "number": out.number, "service": "general",
        "zone": out.zone, "priority": False, "channel": "kiosk"}]
    assert at_once("f-2") is None  # a known key: left to the usual path, which replays it
    again, created = issue_for_(plain, "f-2")
    assert not created and again.id == out.id
    with pytest.raises(Conflict, match="Idempotency-Key"):
        issue_for_(wire.TicketCreate(service="case"), "f-2")
    assert at_once("f-3", wire.TicketCreate(service="nope")) is None
    with pytest.raises(Invalid):
        issue_for_(wire.TicketCreate(service="nope"), "f-3")
    with store.write() as tx:
        revoke_in(tx, tx.session.query(Terminal).filter_by(name="k-fast").one())
    assert at_once("f-4") is None
    with pytest.raises(Unauthorized):
        issue_for_(plain, "f-4")
    with store.writer.connect() as conn:
        assert known_terminal(conn, token) is None
    assert keys("f-0", "f-3", "f-4") == 0
    assert take(store, "general") == _next_number(out.number)


@pytest.mark.pg
def test_a_plain_issue_reads_what_it_does_not_keep_in_one_round_trip(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: when the count of people ahead and the estimate's inputs are not kept (a
    quiet service, or a second since), a known kiosk's plain issue reads them in one pipeline
    (`estimate.prefetch`, `lean.reads`: one round trip) with no BEGIN, then sends its
    statement and COMMIT (also with no BEGIN): two round trips, where it made five (BEGIN, the
    count, the counters, the recent times, the statement). What it answers is what the reads
    one by one answer."""
    if store.is_sqlite:
        pytest.skip("the pipelined reads: PostgreSQL only")
    import asyncio

    from psycopg.pq import TransactionStatus

    from queue_server.db import lean
    from queue_server.usecases import estimate
    from queue_server.usecases.auth import enrol_terminal
    from queue_server.usecases.tickets import issue_for

    token = enrol_terminal(store, "kiosk", "k-reads", hall="t1")[0]
    plain = wire.TicketCreate(service="general")

    def status(conn: object) -> object:
        return conn.connection.dbapi_connection.pgconn.transaction_status  # type: ignore[attr-defined]

    def issue_counted(key: str, cold: bool) -> tuple[wire.TicketIssued, list[str]]:
        if cold:
            estimate._WAITING.forget()
            estimate._ESTIMATES.forget()
        sent: list[str] = []  # what went to the database, in order
        reads, rows, each = lean.reads, lean.rows, lean.each_then_commit

        def spy_reads(conn: object, steps: list[object]) -> object:
            got = reads(conn, steps)  # type: ignore[arg-type]
            idle = status(conn) == TransactionStatus.IDLE
            sent.append(f"{len(steps)} reads, {'nothing begun' if idle else 'begun'}")
            return got

        def spy_rows(conn: object, stmt: object, params: object = None) -> object:
            sent.append("a read")
            return rows(conn, stmt, params)  # type: ignore[arg-type]

        def spy_each(conn: object, steps: list[object]) -> object:
            idle = status(conn) == TransactionStatus.IDLE
            sent.append(f"statement, {'no BEGIN' if idle else 'in a transaction'}")
            return each(conn, steps)  # type: ignore[arg-type]

        with monkeypatch.context() as m:
            m.setattr(lean, "reads", spy_reads)
            m.setattr(lean, "rows", spy_rows)
            m.setattr(lean, "each_then_commit", spy_each)
            out, created = asyncio.run(issue_for(store, token, plain, key, ""))
        assert created
        return out, sent

    asyncio.run(issue_for(store, token, plain, "r-0", ""))  # the kiosk is known from now on
    take(store, "general")  # one more waiting, counted by the next issue's read
    out, sent = issue_counted("r-1", cold=True)
    assert sent == ["3 reads, nothing begun", "statement, no BEGIN"]
    assert out.ahead == 2
    with store.read() as s:  # the same inputs read one by one
        estimate._ESTIMATES.forget()
        assert out.estimated_wait_s == estimate.estimate(s, "t1", out.zone, "general", 2)
    out, sent = issue_counted("r-2", cold=False)  # kept: its statement only
    assert sent == ["statement, no BEGIN"] and out.ahead == 3


@pytest.mark.pg
def test_the_one_statement_issue_under_contention(store: Store) -> None:
    """PostgreSQL, `issue_at_once` under contention: one key sent eight times at once gives
    one ticket (the other claims wait for its commit, take no number, and the usual path
    replays it); while another transaction holds the hall's event row the issue fails busy
    after the lock timeout and keeps nothing, not even its key, and the same key then
    issues."""
    if store.is_sqlite:
        pytest.skip("the issue in one statement: PostgreSQL only")
    import asyncio

    from sqlalchemy import text

    from queue_server.db.busy import Busy
    from queue_server.usecases.auth import enrol_terminal
    from queue_server.usecases.tickets import issue_for

    quick = Store(store.url, lock_timeout=0.5, clock=Clock())
    try:
        token = enrol_terminal(quick, "kiosk", "k-race", hall="t1")[0]
        body = wire.TicketCreate(service="general")

        async def tickets_for(key: str) -> tuple[wire.TicketIssued, bool]:
            return await issue_for(quick, token, body, key, "")

        async def eight() -> list[tuple[wire.TicketIssued, bool]]:
            await tickets_for("warm-up")  # the kiosk is seen: the rest go in one statement
            return await asyncio.gather(*(tickets_for("same-key") for _ in range(8)))

        got = asyncio.run(eight())
        assert {out.id for out, _ in got} == {got[0][0].id}
        assert sum(created for _, created in got) == 1
        number = got[0][0].number
        with quick.writer.connect() as other, other.begin():
            other.execute(text("SELECT last FROM hall_event_seq WHERE hall = 't1' FOR UPDATE"))
            with pytest.raises(Busy):
                asyncio.run(tickets_for("held"))
        with quick.writer.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM idempotency_keys WHERE key = "
                                     "'held'")).scalar_one() == 0
        out, created = asyncio.run(tickets_for("held"))
        assert created and out.number == _next_number(number)
    finally:
        quick.close()


def _next_number(number: str) -> str:
    return f"{number[0]}{int(number[1:]) + 1:03d}"


@pytest.mark.pg
def test_other_servers_hear_of_a_halls_events_after_the_commit(store: Store) -> None:
    """PostgreSQL: the halls that committed events are NOTIFYed after the commit, from the
    store's own thread (a NOTIFY inside the unit would make every commit of every hall wait
    for PostgreSQL's one notify lock); halls announced meanwhile share a NOTIFY, and `close`
    sends what is still queued (a command that writes and exits)."""
    if store.is_sqlite:
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    import psycopg

    from queue_server.db import events

    assert "notify" not in str(events._pg_write(1)).lower()
    url = events.conninfo(store.url)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {events.NOTIFY_CHANNEL}")
        writer = Store(store.url, clock=Clock())
        try:
            take(writer, "general")
            heard = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
            assert heard == ["t1"]
            for hall in ("t7", "t8", "t9"):
                with writer.write() as tx:
                    tx.emit(hall, "test.announced")
        finally:
            writer.close()  # what is still queued goes first
        halls: set[str] = set()
        for note in listener.notifies(timeout=2):
            halls.update(note.payload.split(","))
            if halls >= {"t7", "t8", "t9"}:
                break
        assert halls == {"t7", "t8", "t9"}


@pytest.mark.pg
def test_the_announcer_replaces_a_lost_connection_without_a_warning(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """The Announcer's NOTIFYs go on a connection of its own (`backend_pid` names its server
    process). One lost since the last NOTIFY (a restart, or here its server process ended) is
    replaced and the NOTIFY sent on the new one: nothing lost, nothing logged."""
    if store.is_sqlite:
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    import psycopg

    from queue_server.db import events

    url = events.conninfo(store.url)
    announcer = events.Announcer(store.writer)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {events.NOTIFY_CHANNEL}")
        try:
            announcer.announce({"a1"})
            first = next(listener.notifies(timeout=5, stop_after=1))
            assert first.payload == "a1" and first.pid == announcer.backend_pid
            listener.execute("select pg_terminate_backend(%s)", (first.pid,))
            announcer.announce({"a2"})
            second = next(listener.notifies(timeout=5, stop_after=1))
        finally:
            announcer.close()
    assert second.payload == "a2"
    assert second.pid != first.pid
    assert announcer.backend_pid is None  # closed
    assert not [r for r in caplog.records if "NOTIFY" in r.getMessage()]
