"""The issue use case without HTTP: `tickets.issue` (with authentication) called in-process on
the bench hall, in 1 and 8 threads, 400 issues each. Server CPU a request varies far less than
HTTP figures on a shared machine, so this shows what the use case and the commit cost.

    .venv/bin/python bench/bench_issue_inproc.py          # ~15 s
"""

from __future__ import annotations

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


def main() -> int:
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
