"""The issue use case without HTTP: `tickets.issue` (with authentication) called in-process on
the bench hall, in 1 and 8 threads, 400 issues each. Server CPU a request varies far less than
HTTP figures on a shared machine, so this shows what the use case and the commit cost.

`--pg`: PostgreSQL, one issue at a time round 20 halls, so each unit of work carries one issue
(as over many halls under load): `tickets.issue_for` from an event loop, the server's own path
(the hall's lane, the unit on a worker thread), and the same unit run on the calling thread,
which shows what the hop to the worker thread costs. CPU (user + system) and voluntary context
switches of the whole process a unit, alternated `--rounds` times.

    .venv/bin/python bench/bench_issue_inproc.py          # ~15 s
    .venv/bin/python bench/bench_issue_inproc.py --pg     # ~60 s
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import harness

sys.path.insert(0, str(harness.ROOT))

from queue_server import wire  # noqa: E402 - after the repository is on the path
from queue_server.db.store import Store  # noqa: E402
from queue_server.usecases import tickets
from queue_server.usecases.auth import authenticate  # noqa: E402


def run(store: Store, hall: harness.BenchHall, threads: int, total: int = 400) -> str:
    latencies: list[float] = []

    def work(n: int) -> None:
        for i in range(n):
            start = time.perf_counter()
            who = authenticate(store, hall.kiosk_token, store.clock())
            body = wire.TicketCreate(service=hall.services[i % len(hall.services)])
            tickets.issue(store, who, body, uuid.uuid4().hex, "http://bench")
            latencies.append(time.perf_counter() - start)

    work(20)
    latencies.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    workers = [threading.Thread(target=work, args=(total // threads,)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (f"issue in-process, {threads:>2} threads: {len(latencies) / wall:5.0f}/s, "
            f"mean {statistics.mean(latencies) * 1e3:5.2f} ms, "
            f"CPU {cpu / len(latencies) * 1e3:4.2f} ms a request (user + system)")


def run_pg(halls: int, n: int, rounds: int, way: str) -> None:
    import bench_scale

    with tempfile.TemporaryDirectory(prefix="kuaiban-bench-") as tmp, \
            harness.pg_database() as db_url:
        made = bench_scale.provision_halls(Path(tmp), db_url, halls)
        store = Store(db_url)

        def request(i: int) -> tuple[harness.BenchHall, wire.TicketCreate]:
            hall = made[i % len(made)]
            return hall, wire.TicketCreate(service=hall.services[i % len(hall.services)])

        async def through_the_lane(count: int) -> None:
            for i in range(count):
                hall, body = request(i)
                await tickets.issue_for(store, hall.kiosk_token, body, uuid.uuid4().hex,
                                        "http://bench")

        def on_this_thread(count: int) -> None:
            for i in range(count):
                hall, body = request(i)
                known = tickets.known_terminal(store.writer, hall.kiosk_token)
                with store.write() as tx:
                    tickets.issue_together(tx, [(known, body, uuid.uuid4().hex, "http://bench")])

        ways = {"issue_for (lane, worker thread)": lambda k: asyncio.run(through_the_lane(k)),
                "the same unit on this thread": on_this_thread}
        if way != "both":
            ways = {k: v for k, v in ways.items() if ("lane" in k) == (way == "lane")}
        try:
            asyncio.run(through_the_lane(3 * halls))  # each hall's kiosk is known, warm
            for _ in range(rounds):
                for name, measured in ways.items():
                    before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
                    measured(n)
                    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - wall
                    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                    print(f"PostgreSQL, one issue a unit over {halls} halls, {name:32}: "
                          f"CPU {cpu / n * 1e3:.2f} ms, "
                          f"{(after.ru_nvcsw - before.ru_nvcsw) / n:.1f} context switches, "
                          f"{n / wall:.0f}/s")
        finally:
            store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", action="store_true", help="PostgreSQL, a unit an issue")
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--n", type=int, default=1500, help="--pg: issues a measurement")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--way", choices=["both", "lane", "thread"], default="both",
                        help="--pg: measure one way only (e.g. under callgrind)")
    args = parser.parse_args()
    if args.pg:
        run_pg(args.halls, args.n, args.rounds, args.way)
        return 0
    with tempfile.TemporaryDirectory(prefix="kuaiban-bench-") as tmp:
        hall = harness.provision(Path(tmp), counters=8)
        store = Store(hall.db_url)
        try:
            for threads in (1, 8):
                print(run(store, hall, threads))
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
