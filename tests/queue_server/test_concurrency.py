"""Many counters calling at once, through the real server: threads in this process and
separate processes, on SQLite and on PostgreSQL (there also across two server processes on one
database, so `FOR UPDATE SKIP LOCKED` is what keeps a ticket from being called twice).
Every issued ticket is called exactly once; numbers issued concurrently are 001..N, no gap, no
duplicate."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.procs import TEST_HALL, ServerProcess, load_test_hall
from tests.queue_server.conftest import PIN, set_all_pins

COUNTERS = [f"M{i:02d}" for i in range(1, 17)]
TICKETS = 64


def busy_hall(tmp_path: Path) -> Path:
    extra = "".join(f'\n[[counters]]\ncode = "{c}"\nname = "{c}号窗口"\nzone = "intake"\n'
                    f'services = ["general"]\n' for c in COUNTERS)
    path = tmp_path / "busy.toml"
    path.write_text(TEST_HALL.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def enrol(db_url: str, kind: str, counter: str | None = None) -> str:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(db_url)
    try:
        return enrol_terminal(store, kind, f"{kind}-{counter}", counter, "t1")[0]
    finally:
        store.close()


def _post(client: httpx.Client, path: str, **kw: object) -> httpx.Response:
    for _ in range(20):  # 503 busy is an allowed answer under load: retry it
        resp = client.post(path, **kw)  # type: ignore[arg-type]
        if resp.status_code != 503:
            return resp
    raise AssertionError(f"{path}: busy 20 times")


def work_counter(api: str, terminal_token: str, counter: str) -> list[str]:
    """Log in at `counter` and call + finish until nobody waits; answers the ticket ids."""
    with httpx.Client(base_url=api, timeout=30.0,
                      headers={"Authorization": f"Bearer {terminal_token}"}) as client:
        login = _post(client, "/auth/login", json={"staff": "s001", "pin": PIN,
                                                   "counter": counter})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        called: list[str] = []
        while True:
            resp = _post(client, f"/counters/{counter}/call-next")
            if resp.status_code == 204:
                return called
            assert resp.status_code == 200, resp.text
            called.append(resp.json()["id"])
            done = _post(client, f"/counters/{counter}/finish", json={"outcome": "done"})
            assert done.status_code == 200, done.text


def _issue_many(apis: list[str], token: str, n: int) -> list[dict]:
    """Issue `n` tickets from 8 threads, spread over the servers at `apis`."""

    def one(i: int) -> dict:
        with httpx.Client(base_url=apis[i % len(apis)], timeout=30.0,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            resp = _post(client, "/tickets", json={"service": "general"},
                         headers={"Idempotency-Key": f"conc-{i}"})
            assert resp.status_code == 201, resp.text
            return dict(resp.json())

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def _check(issued: list[dict], called: list[str]) -> None:
    numbers = sorted(t["number"] for t in issued)
    assert numbers == [f"A{i:03d}" for i in range(1, len(issued) + 1)]
    doubles = [tid for tid, n in Counter(called).items() if n > 1]
    assert doubles == []
    assert set(called) == {t["id"] for t in issued}


def _setup(db_url: str, tmp_path: Path, start: Callable[..., ServerProcess],
           servers: int = 1) -> tuple[list[ServerProcess], dict[str, str], str]:
    load_test_hall(db_url, busy_hall(tmp_path))
    set_all_pins(db_url)
    procs = [start(db_url) for _ in range(servers)]
    tokens = {c: enrol(db_url, "counter", c) for c in COUNTERS}
    return procs, tokens, enrol(db_url, "kiosk")


def _threads(procs: list[ServerProcess], tokens: dict[str, str]) -> list[str]:
    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        futures = [pool.submit(work_counter, procs[i % len(procs)].api(""), tokens[c], c)
                   for i, c in enumerate(COUNTERS)]
        return [tid for f in futures for tid in f.result()]


@pytest.mark.slow
def test_sixteen_counter_threads_sqlite(tmp_path: Path, run_server: Callable[..., ServerProcess]
                                        ) -> None:
    procs, tokens, kiosk = _setup(f"sqlite:///{tmp_path / 'c.db'}", tmp_path, run_server)
    issued = _issue_many([procs[0].api("")], kiosk, TICKETS)
    _check(issued, _threads(procs, tokens))


def _processes(procs: list[ServerProcess], tokens: dict[str, str], kiosk: str) -> None:
    """Four counter processes (spawned, so nothing is shared with this one) drain the queue."""
    issued = _issue_many([p.api("") for p in procs], kiosk, 32)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        parts = pool.starmap(work_counter, [(procs[i % len(procs)].api(""), tokens[c], c)
                                            for i, c in enumerate(COUNTERS[:4])])
    _check(issued, [tid for part in parts for tid in part])


@pytest.mark.slow
def test_counter_processes_sqlite(tmp_path: Path, run_server: Callable[..., ServerProcess]
                                  ) -> None:
    _processes(*_setup(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, run_server))


@pytest.mark.slow
@pytest.mark.pg
def test_counter_processes_on_two_servers_postgresql(
        pg_url: str, tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    _processes(*_setup(pg_url, tmp_path, run_server, servers=2))


@pytest.mark.slow
@pytest.mark.pg
def test_counters_on_two_servers_share_one_postgresql(
        pg_url: str, tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    procs, tokens, kiosk = _setup(pg_url, tmp_path, run_server, servers=2)
    issued = _issue_many([p.api("") for p in procs], kiosk, TICKETS)
    _check(issued, _threads(procs, tokens))


def _store_race(db_url: str, tmp_path: Path, tickets: int = 200) -> None:
    """The use cases themselves, without HTTP: 16 threads calling on one store."""
    from queue_server import wire
    from queue_server.db.store import Store
    from queue_server.domain.errors import NoTicketWaiting
    from queue_server.usecases import counters
    from queue_server.usecases import tickets as ticket_cases
    from queue_server.usecases.auth import Principal

    load_test_hall(db_url, busy_hall(tmp_path))
    store = Store(db_url)
    kiosk = Principal("kiosk", "t1", 1, "k")
    req = wire.TicketCreate(service="general")
    with ThreadPoolExecutor(8) as pool:
        issued = list(pool.map(lambda _i: ticket_cases.issue(store, kiosk, req, None, "")[0]
                               .model_dump(), range(tickets)))

    def drain(code: str) -> list[str]:
        who = Principal("staff", "t1", 1, "pad", code, "s001", "staff")
        got = []
        while True:
            try:
                got.append(counters.call_next(store, who, code, "").id)
            except NoTicketWaiting:
                return got
            counters.finish(store, who, code, wire.FinishIn(outcome="done"), "")

    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        called = [tid for part in pool.map(drain, COUNTERS) for tid in part]
    store.close()
    _check(issued, called)


@pytest.mark.slow
def test_store_race_sqlite(tmp_path: Path) -> None:
    _store_race(f"sqlite:///{tmp_path / 's.db'}", tmp_path, 64)


@pytest.mark.slow
@pytest.mark.pg
def test_store_race_postgresql_skip_locked(pg_url: str, tmp_path: Path) -> None:
    _store_race(pg_url, tmp_path, 120)
