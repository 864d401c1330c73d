"""One service's queue growing (issue 12): what a loader that only takes numbers, always of one
service in one hall and never calling any, measures as its phases follow one another.

Every issue of one service takes the same number row (hall, prefix, day), and the people
ahead of it are the whole queue of that service. So this is where a cost that grows with the
queue, or a lock held longer than the commit, shows: the rate falls phase after phase, or stays
low from the start. The bench's other parts spread their issues over the example hall's ten
intake services and so hide both.

    .venv/bin/python bench/bench_one_service.py                 # SQLite, 5 phases of 4 s
    .venv/bin/python bench/bench_one_service.py --pg --servers 1,2

Prints, for each phase, the issues a second at `--clients` closed loops (spread over the
servers), p50/p99, and how many were then waiting in that one service. With `--pg` (a fresh
database `bench_<pid>` on 127.0.0.1:5432, dropped afterwards) each server count in `--servers`
runs its phases in a hall of its own, so that none inherits another's queue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import harness
from bench_scale import closed, provision_halls, queue_server
from httpload import Connection


def issuer(hall: harness.BenchHall, service: str) -> Any:
    def issue(_i: int, conn: Connection) -> Any:
        return conn.request("POST", "/api/v1/tickets", {"service": service},
                            {"Authorization": f"Bearer {hall.kiosk_token}",
                             "Idempotency-Key": uuid.uuid4().hex})
    return issue


async def phases(name: str, ports: list[int], hall: harness.BenchHall, service: str,
                 n: int, seconds: float, clients: int) -> None:
    waiting = 0
    for k in range(n):
        r = await closed(f"{name} #{k + 1}", ports, clients, seconds, issuer(hall, service))
        waiting += len(r.latencies)
        print(f"  {name:<22} phase {k + 1}: {r.rate:7.0f}/s  p50 {r.ms(50):6.1f} ms  "
              f"p99 {r.ms(99):6.1f} ms  ~{waiting:,} waiting in {service} "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--servers", default="1", help="PostgreSQL: server counts, e.g. 1,2")
    parser.add_argument("--phases", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    counts = [int(x) for x in args.servers.split(",")] if args.pg else [1]
    print(f"bench_one_service: {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}; {'PostgreSQL' if args.pg else 'SQLite'}, "
          f"{args.clients} clients, {args.phases} phases of {args.seconds:g} s")
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kuaiban-one-")))
        if args.pg:
            db = stack.enter_context(harness.pg_database())
            halls = provision_halls(work, db, len(counts))
        else:
            halls = [harness.provision(work, counters=1)]
            db = halls[0].db_url
        ports = [harness.free_port() for _ in range(max(counts))]
        for i, port in enumerate(ports):
            stack.enter_context(queue_server(db, port, work / f"server{i}.log"))
        for hall, n in zip(halls, counts, strict=True):
            asyncio.run(phases(f"{n} server{'s' if n > 1 else ''}, hall {hall.hall}",
                               ports[:n], hall, hall.services[0], args.phases, args.seconds,
                               args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(main())
