"""Faults under load, checked from outside: real `python -m queue_server` processes, kiosks that
retry with the same `Idempotency-Key` (on another server when there are several), counters
calling, starting and finishing, boards following their hall's event stream across
reconnects, while a chaos thread kills a server with SIGKILL (and starts it again) or, on
PostgreSQL, terminates every database connection the servers hold.

    .venv/bin/python bench/chaos.py                     # PostgreSQL, 2 servers, 5 halls, 60 s
    .venv/bin/python bench/chaos.py --sqlite            # SQLite, one server (kills only)
    .venv/bin/python bench/chaos.py --seconds 30 --servers 3

Then it checks the database and what the clients saw, and exits 1 on any of: a 5xx other
than 503 with `Retry-After`, an error without `{"error": {"code", "message"}}`, a 201 ticket
missing from the database, one key answered with two tickets, a duplicate number or a gap,
a ticket called by two counters' answers, a board that saw an id twice, out of order or from
another hall. It prints what the faults cost: the clients' connection errors and retries,
each restart's time to answer, and the slowest `/health` answer of each server.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from bench_scale import DUPLICATES_SQL, GAPS_SQL, HOST, load, provision_halls  # noqa: E402

from server_process import ServerProcess, start_server  # noqa: E402

# What a client waits after a failed connection before the next try: the clients' own
# retrying must not take the CPU a restarting server needs.
RETRY_S = 0.2


class Server:
    """One `python -m queue_server` process that can be killed and started again."""

    def __init__(self, db_url: str, port: int, log: Path) -> None:
        self.db_url, self.port, self.log = db_url, port, log
        self.process: ServerProcess | None = None
        self.restarts: list[float] = []  # seconds from start to the first healthy answer
        self.start()

    def start(self) -> None:
        began = time.monotonic()
        self.process = start_server(self.db_url, self.log.parent, "--log-level", "warning",
                                    port=self.port, log=self.log, timeout=60)
        self.restarts.append(time.monotonic() - began)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()


class Run:
    """What the clients saw."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []
        self.issued: dict[str, str] = {}  # Idempotency-Key -> ticket id
        self.calls: list[str] = []  # the ticket of each call-next answered 200
        self.worst_health: dict[int, float] = {}

    def base(self, i: int) -> str:
        return f"http://{HOST}:{self.ports[i % len(self.ports)]}"

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.counts[what] += n

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(f"{time.strftime('%H:%M:%S')} {text}")

    def answered(self, resp: httpx.Response, what: str) -> None:
        """A 5xx other than 503 with Retry-After, or an error without its code and message,
        is a problem; every other status is counted."""
        code = resp.status_code
        self.count(f"{what} {code}")
        if code >= 500 and not (code == 503 and resp.headers.get("Retry-After")):
            self.problem(f"{what}: {code} {resp.text[:200]}")
        if code >= 400:
            try:
                error = resp.json()["error"]
                assert error["code"] and error["message"]
            except (ValueError, KeyError, TypeError, AssertionError):
                self.problem(f"{what}: {code} without an error body: {resp.text[:200]}")


def kiosk(run: Run, i: int, hall: harness.BenchHall) -> None:
    """Issue, retrying a failed or refused issue with the same key on the next server."""
    with httpx.Client(timeout=10) as client:
        _kiosk(run, i, hall, client)


def _kiosk(run: Run, i: int, hall: harness.BenchHall, client: httpx.Client) -> None:
    rnd = random.Random(i)
    while not run.stop.is_set():
        key, service = uuid.uuid4().hex, rnd.choice(hall.services)
        headers = {"Authorization": f"Bearer {hall.kiosk_token}", "Idempotency-Key": key}
        ticket = None
        for attempt in range(400):
            try:
                resp = client.post(run.base(i + attempt) + "/api/v1/tickets",
                                   json={"service": service}, headers=headers)
            except httpx.HTTPError:
                run.count("kiosk connection errors")
                time.sleep(RETRY_S)
                continue
            run.answered(resp, "issue")
            if resp.status_code == 201:
                ticket = resp.json()["id"]
                break
            time.sleep(0.05)
        if ticket is None:
            run.problem(f"key {key} was never issued")
            continue
        with run.lock:
            run.issued[key] = ticket
        if rnd.random() < 0.05:  # the same key again, on another server: the same ticket
            try:
                again = client.post(run.base(i + 1) + "/api/v1/tickets",
                                    json={"service": service}, headers=headers)
            except httpx.HTTPError:
                continue
            if again.status_code in (200, 201) and again.json()["id"] != ticket:
                run.problem(f"key {key} answered tickets {ticket} and {again.json()['id']}")


def counter(run: Run, i: int, c: harness.CounterLogin) -> None:
    """Call next, start, finish; a request that failed is not retried: the next call-next
    finishes the counter's current ticket first (docs/api.md), so no ticket should be in two
    call-next answers."""
    headers = {"Authorization": f"Bearer {c.session}"}
    n = i
    client = httpx.Client(timeout=10, headers=headers)
    while not run.stop.is_set():
        n += 1
        url = run.base(n) + f"/api/v1/counters/{c.code}"
        try:
            resp = client.post(url + "/call-next")
            run.answered(resp, "call-next")
            if resp.status_code != 200:
                time.sleep(0.05)
                continue
            with run.lock:
                run.calls.append(resp.json()["id"])
            run.answered(client.post(url + "/start"), "start")
            run.answered(client.post(url + "/finish", json={"outcome": "done"}), "finish")
        except httpx.HTTPError:
            run.count("counter connection errors")
            time.sleep(RETRY_S)
    client.close()


def board(run: Run, i: int, hall: str, token: str) -> None:
    """Follow the hall's events, reconnecting (to the next server) with `after=` the last id."""
    last, n = -1, i
    while not run.stop.is_set():
        n += 1
        query = f"?after={last}" if last >= 0 else ""
        try:
            with httpx.stream("GET", run.base(n) + "/api/v1/events" + query,
                              headers={"Authorization": f"Bearer {token}"},
                              timeout=httpx.Timeout(5, read=15)) as resp:  # pings: 10 s
                if resp.status_code != 200:
                    resp.read()
                    run.answered(resp, "events")
                    time.sleep(0.1)
                    continue
                run.count("board streams opened")
                for line in resp.iter_lines():
                    if run.stop.is_set():
                        break
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    if event.get("hall") != hall:
                        run.problem(f"a board of {hall} got an event of {event.get('hall')}")
                    if event["id"] <= last:
                        run.problem(f"a board of {hall}: id {event['id']} after {last}")
                    last = event["id"]
                    run.count("board events")
        except (httpx.HTTPError, json.JSONDecodeError):
            run.count("board connection errors")
            time.sleep(RETRY_S)


def prober(run: Run, port: int) -> None:
    """The slowest `/health` answer of a running server: how long its loop was held up."""
    with httpx.Client(timeout=30) as client:
        while not run.stop.wait(0.1):
            began = time.monotonic()
            try:
                client.get(f"http://{HOST}:{port}/api/v1/health")
            except httpx.HTTPError:
                continue
            took = time.monotonic() - began
            with run.lock:
                run.worst_health[port] = max(took, run.worst_health.get(port, 0.0))


def chaos(run: Run, servers: list[Server], dsn: str | None, seed: int) -> None:
    rnd = random.Random(seed)
    while not run.stop.wait(rnd.uniform(2, 4)):
        if dsn is None or rnd.random() < 0.5:
            server = rnd.choice(servers)
            server.kill()
            run.count("servers killed")
            time.sleep(0.5)
            server.start()
        else:
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as con:
                row = con.execute("select count(pg_terminate_backend(pid)) from "
                                  "pg_stat_activity where datname = current_database() and "
                                  "pid <> pg_backend_pid()").fetchone()
            run.count("database connections terminated", int(row[0]) if row else 0)


def database_check(db_url: str) -> tuple[set[str], int, int]:
    """(ticket ids, duplicate numbers, gaps) in the database."""
    queries = (DUPLICATES_SQL, GAPS_SQL)
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.split("///", 1)[1]) as con:
            ids = {r[0] for r in con.execute("select id from tickets")}
            dups, gaps = (con.execute(q).fetchone()[0] for q in queries)
    else:
        import psycopg

        with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as pg:
            ids = {r[0] for r in pg.execute("select id from tickets")}
            dups, gaps = (pg.execute(q).fetchone()[0] for q in queries)  # type: ignore[index]
    return ids, int(dups), int(gaps)


def run_chaos(db_url: str, work: Path, args: argparse.Namespace) -> int:
    pg = not db_url.startswith("sqlite")
    main_hall = harness.provision(work, counters=args.counters, db_url=db_url)
    halls = [main_hall, *(provision_halls(work, db_url, args.halls - 1) if pg else [])]
    ports = [harness.free_port() for _ in range(args.servers if pg else 1)]
    servers = [Server(db_url, port, work / f"server-{port}.log") for port in ports]
    run = Run(ports)
    try:
        harness.login_all(run.base(0), main_hall)
        threads = [threading.Thread(target=kiosk, args=(run, i, halls[i % len(halls)]))
                   for i in range(args.kiosks)]
        threads += [threading.Thread(target=counter, args=(run, i, c))
                    for i, c in enumerate(main_hall.counters)]
        threads += [threading.Thread(target=board, args=(run, i, main_hall.hall,
                                                          main_hall.display_token))
                    for i in range(args.boards)]
        threads += [threading.Thread(target=prober, args=(run, port)) for port in ports]
        dsn = db_url.replace("postgresql+psycopg://", "postgresql://") if pg else None
        threads.append(threading.Thread(target=chaos, args=(run, servers, dsn, args.seed)))
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        run.stop.set()
        for t in threads:
            t.join(60)
    finally:
        for server in servers:
            server.kill()
    ids, dups, gaps = database_check(db_url)
    missing = sorted(set(run.issued.values()) - ids)
    called = Counter(run.calls)
    twice = [t for t, n in called.items() if n > 1]
    print(f"chaos: {'PostgreSQL' if pg else 'SQLite'}, {len(servers)} server(s), "
          f"{len(halls)} hall(s), {args.seconds:g} s, {load()}")
    for what, n in sorted(run.counts.items()):
        print(f"  {what:<36} {n}")
    restarts = [s for server in servers for s in server.restarts[1:]]
    print(f"  restarts: {', '.join(f'{s:.1f}' for s in restarts) or 'none'} s to answer; "
          f"slowest /health: " + ", ".join(f"{w * 1000:.0f} ms" for w in
                                           run.worst_health.values()))
    print(f"  tickets in the database {len(ids)}; answered 201 {len(run.issued)}, missing "
          f"{len(missing)}; duplicate numbers {dups}, gaps {gaps}; call-next answers "
          f"{len(run.calls)}, tickets called by two answers {len(twice)}")
    for text in run.problems[:20]:
        print(f"  PROBLEM {text}")
    failed = bool(run.problems or missing or dups or gaps or twice)
    print(f"  {'FAILED' if failed else 'held'}: {len(run.problems)} problems (logs in {work})")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="one server on an SQLite file")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--servers", type=int, default=2, help="PostgreSQL: servers")
    parser.add_argument("--halls", type=int, default=5, help="PostgreSQL: halls")
    parser.add_argument("--kiosks", type=int, default=10)
    parser.add_argument("--counters", type=int, default=8)
    parser.add_argument("--boards", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kuaiban-chaos-"))
    if args.sqlite:
        return run_chaos(f"sqlite:///{work / 'hall.db'}", work, args)
    with harness.pg_database("chaos") as db_url:
        return run_chaos(db_url, work, args)


if __name__ == "__main__":
    sys.exit(main())
