"""PostgreSQL: one hall's plain issues that arrive together go in one transaction
(`Store.together`, `tickets.issue_together`): their numbers, tickets and events in arrival
order, the requests it leaves answered the usual way, and no deadlock with another server's
units on the same hall."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from queue_server import wire
from queue_server.db import store as store_module
from queue_server.db.store import Store
from queue_server.domain.errors import Conflict, Invalid
from queue_server.usecases.auth import enrol_terminal, known_terminal
from queue_server.usecases.tickets import issue_for
from tests.conftest import either_database
from tests.queue_server.test_queue_store import Clock

pytestmark = pytest.mark.pg


@pytest.fixture()
def url(tmp_path: Path) -> Iterator[str]:
    yield from either_database("pg", tmp_path / "unused.db")


def _tickets(store: Store, ids: list[str]) -> list[tuple[str, str, datetime, int]]:
    """(id, number, issued_at, xmin) of the tickets `ids`, in that order."""
    with store.writer.connect() as conn:
        rows = {r.id: r for r in conn.execute(text(
            "SELECT id, number, issued_at, xmin::text::bigint AS tx FROM tickets "
            "WHERE id = ANY(:ids)"), {"ids": ids})}
    return [(i, rows[i].number, rows[i].issued_at, rows[i].tx) for i in ids]


def test_plain_issues_that_arrive_together_share_one_transaction(url: str) -> None:
    """Twelve issues sent at once by a kiosk this server knows, over two services (one of
    them not yet issued today): the first starts a unit alone, the others wait for it and go
    together in the next unit(s), one transaction each. Numbers, issue times and event ids
    follow the order the requests arrived in, and every event is handed out once."""
    store = Store(url, clock=Clock())
    heard: list[dict] = []
    store.on_events = heard.extend
    try:
        token = enrol_terminal(store, "kiosk", "k-together", hall="t1")[0]
        services = ["general", "consult"] * 6

        async def run() -> list[tuple[wire.TicketIssued, bool]]:
            await issue_for(store, token, wire.TicketCreate(service="general"), "warm", "")
            return await asyncio.gather(*(
                issue_for(store, token, wire.TicketCreate(service=svc), f"t-{i}", "")
                for i, svc in enumerate(services)))

        got = asyncio.run(run())
        assert all(created for _, created in got)
        out = [o for o, _ in got]
        assert [o.number for o in out if o.service == "general"] == [
            f"A{n:03d}" for n in range(2, 8)]
        assert [o.number for o in out if o.service == "consult"] == [
            f"Z{n:03d}" for n in range(1, 7)]
        rows = _tickets(store, [o.id for o in out])
        assert [r[2] for r in rows] == sorted(r[2] for r in rows)
        assert len({r[2] for r in rows}) == len(rows)
        transactions = [r[3] for r in rows]
        assert len(set(transactions)) <= store_module.TOGETHER_RUNNING + 1 < len(rows)
        issued = [e for e in heard if e["type"] == "ticket.issued"][1:]
        assert [e["ticket"] for e in issued] == [o.id for o in out]
        assert [e["id"] for e in issued] == list(range(issued[0]["id"],
                                                        issued[0]["id"] + len(out)))
        assert store.fetch_events("t1", issued[0]["id"] - 1, 100) == issued
    finally:
        store.close()


def test_what_a_batch_leaves_is_answered_the_usual_way(url: str) -> None:
    """In one batch: a key already used (replayed, and refused for another body), one key
    twice (one ticket), an unknown service (refused), a capped service (issued by the usual
    path), plain issues. Each gets the answer it would get alone, and no number is lost."""
    store = Store(url, clock=Clock())
    try:
        token = enrol_terminal(store, "kiosk", "k-mixed", hall="t1")[0]

        def ask(svc: str, key: str) -> object:
            return issue_for(store, token, wire.TicketCreate(service=svc), key, "")

        async def run() -> list[object]:
            first, _ = await ask("general", "old")
            return [first, *await asyncio.gather(
                ask("general", "p-1"), ask("general", "old"), ask("consult", "old"),
                ask("general", "twice"), ask("general", "twice"), ask("nope", "bad"),
                ask("case", "capped"), ask("consult", "p-2"), return_exceptions=True)]

        first, p1, old, old_other, twice_a, twice_b, bad, capped, p2 = asyncio.run(run())
        assert isinstance(first, wire.TicketIssued)
        assert p1[1] and p1[0].number == "A002"
        assert old[0].id == first.id and not old[1]
        assert isinstance(old_other, Conflict)
        assert twice_a[0].id == twice_b[0].id and twice_a[1] != twice_b[1]
        assert twice_a[0].number == "A003"
        assert isinstance(bad, Invalid)
        assert capped[1] and capped[0].number == "B001"
        assert p2[1] and p2[0].number == "Z001"
        again, created = asyncio.run(issue_for(store, token, wire.TicketCreate(
            service="general"), "after", ""))
        assert created and again.number == "A004"
    finally:
        store.close()


def test_two_servers_issue_into_one_hall_together(url: str, caplog: pytest.LogCaptureFixture
                                                  ) -> None:
    """Two servers (two stores) issue into one hall at once, each in batches whose services
    come in the other's order, from the day's first numbers on, beside capped issues that take
    their number the usual way: no batch fails, and the numbers have no duplicate and no
    gap."""
    caplog.set_level(logging.WARNING, logger="queue_server.db.store")
    stores = [Store(url, clock=Clock()), Store(url, clock=Clock())]
    try:
        tokens = [enrol_terminal(s, "kiosk", f"k-{i}", hall="t1")[0]
                  for i, s in enumerate(stores)]
        orders = [["general", "consult"], ["consult", "general"]]

        async def run() -> list[tuple[wire.TicketIssued, bool]]:
            # Known to each server by a capped issue: no plain number is taken yet.
            await asyncio.gather(*(issue_for(s, t, wire.TicketCreate(service="case"), None, "")
                                   for s, t in zip(stores, tokens, strict=True)))
            asks = []
            for n in range(30):
                for s, t, order in zip(stores, tokens, orders, strict=True):
                    svc = "case" if n % 10 == 9 else order[n % 2]
                    asks.append(issue_for(s, t, wire.TicketCreate(service=svc), None, ""))
            return await asyncio.gather(*asks, return_exceptions=True)

        got = asyncio.run(run())
        issued = [g[0].number for g in got if isinstance(g, tuple)]
        refused = [g for g in got if not isinstance(g, tuple)]
        assert all(isinstance(r, Conflict) for r in refused)  # only the capped: 5 a day
        assert sorted(n for n in issued if n[0] == "A") == [f"A{n:03d}" for n in range(1, 28)]
        assert sorted(n for n in issued if n[0] == "Z") == [f"Z{n:03d}" for n in range(1, 28)]
        assert not [r for r in caplog.records if "together failed" in r.getMessage()]
        with stores[0].writer.connect() as conn:
            assert conn.execute(text(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one() == 0
    finally:
        for s in stores:
            s.close()


def test_batches_take_number_rows_before_the_event_row(url: str) -> None:
    """Two servers' batches of one hall with their services in opposite orders, both made to
    wait for the hall's event row (held by a third transaction) and then let go. Each takes
    its number rows (the day's first: not there yet) in the prefixes' order before the event
    row, so the second waits for the first and both issue. Taken in the batch's order
    instead, each would hold the number row the other needs next and wait for the other's
    event row: PostgreSQL would break the deadlock by failing one."""
    from concurrent.futures import ThreadPoolExecutor

    from queue_server.usecases.tickets import issue_together

    stores = [Store(url, clock=Clock()), Store(url, clock=Clock())]
    try:
        tokens = [enrol_terminal(s, "kiosk", f"k-{i}", hall="t1")[0]
                  for i, s in enumerate(stores)]
        for s, t in zip(stores, tokens, strict=True):  # known, no plain number taken
            asyncio.run(issue_for(s, t, wire.TicketCreate(service="case"), None, ""))
        orders = [["consult", "general"], ["general", "consult"]]

        def batch(i: int) -> list[object]:
            known = known_terminal(stores[i].writer, tokens[i])
            assert known is not None
            asks = [(known, wire.TicketCreate(service=svc), None, "") for svc in orders[i]]
            with stores[i].write() as tx:
                return issue_together(tx, asks)

        def waiting(conn: object, n: int) -> None:
            for _ in range(500):
                if conn.execute(text(  # type: ignore[attr-defined]
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'")).scalar_one() >= n:
                    return
                time.sleep(0.01)
            raise AssertionError(f"{n} transactions never waited")

        engine = stores[0].writer
        with ThreadPoolExecutor(2) as pool, engine.connect() as watch:
            watch.execution_options(isolation_level="AUTOCOMMIT")
            with engine.connect() as holder:
                held = holder.begin()
                holder.execute(text("SELECT last FROM hall_event_seq WHERE hall = 't1' "
                                    "FOR UPDATE"))
                first = pool.submit(batch, 0)
                waiting(watch, 1)
                second = pool.submit(batch, 1)
                waiting(watch, 2)
                held.commit()
            answers = first.result(timeout=10) + second.result(timeout=10)
        numbers = sorted(a[0].number for a in answers)  # type: ignore[index]
        assert numbers == ["A001", "A002", "Z001", "Z002"]
    finally:
        for s in stores:
            s.close()


def test_a_batch_whose_statements_fail_sends_its_asks_the_usual_way(
        url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A batch whose statements fail (here made to, as a constraint would) wrote nothing: each
    of its asks is then issued on its own, once, and the failure is logged."""
    from sqlalchemy.exc import IntegrityError

    from queue_server.usecases import tickets

    store = Store(url, clock=Clock())
    try:
        token = enrol_terminal(store, "kiosk", "k-fails", hall="t1")[0]
        asyncio.run(issue_for(store, token, wire.TicketCreate(service="case"), None, ""))

        done_alone = tickets.lean.each_then_commit

        def failing(conn: Any, steps: Any) -> Any:
            if any(stmt is tickets._PG_ISSUE_AT_ONCE for stmt, _ in steps):
                raise IntegrityError("INSERT ...", {}, Exception("made to fail"))
            return done_alone(conn, steps)

        monkeypatch.setattr(tickets.lean, "each_then_commit", failing)

        async def run() -> list[tuple[wire.TicketIssued, bool]]:
            return await asyncio.gather(*(
                issue_for(store, token, wire.TicketCreate(service=svc), f"f-{i}", "")
                for i, svc in enumerate(["general", "consult", "general"])))

        got = asyncio.run(run())
        # Each ask issued once. The first ask's usual way and the later asks' batch run at the
        # same time, so which of the two "general" asks commits first is not fixed.
        assert all(created for _, created in got)
        assert got[1][0].number == "Z001"
        assert sorted(got[i][0].number for i in (0, 2)) == ["A001", "A002"]
        assert [r for r in caplog.records if "together failed" in r.getMessage()]
    finally:
        store.close()


def test_a_key_sent_again_by_another_known_terminal_is_refused(url: str) -> None:
    """On PostgreSQL a terminal this process has seen issues in one statement, which claims
    the key with the keyed hash of the request and its terminal: another terminal's request
    with that key and body is refused (409), not answered the first one's ticket."""
    store = Store(url, clock=Clock())
    try:
        first = enrol_terminal(store, "kiosk", "k-first", hall="t1")[0]
        other = enrol_terminal(store, "kiosk", "k-other", hall="t1")[0]
        req = wire.TicketCreate(service="general")

        async def run() -> None:
            await issue_for(store, other, wire.TicketCreate(service="case"), None, "")
            assert known_terminal(store.writer, other) is not None  # the one-statement way
            issued, created = await issue_for(store, first, req, "shared-key", "")
            assert created
            with pytest.raises(Conflict) as refused:
                await issue_for(store, other, req, "shared-key", "")
            assert refused.value.code == "idempotency_key_reused"
            again, created = await issue_for(store, first, req, "shared-key", "")
            assert again.id == issued.id and not created

        asyncio.run(run())
    finally:
        store.close()
