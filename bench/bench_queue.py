"""Throughput and latency of the queue server on loopback, against a bare FastAPI endpoint doing
one SQLite insert measured in the same run (bench/README.md).

    .venv/bin/python bench/bench_queue.py            # about a minute and a half
    .venv/bin/python bench/bench_queue.py --seconds 1 --no-fanout   # a quick look

Closed loop (each client sends its next request when the previous one is answered), one
connection per client, the load generator a separate process on the same cores.
Phases: issue (POST /tickets) at 1/8/32 kiosks; call-next + finish at 1/8/32 counters; the call
cycle (call-next then finish done) with 16 counters; the bare endpoint at 1/8/32 clients; then
bench_fanout.py (one `ticket.called` to 500 SSE and 500 WebSocket subscribers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_fanout
import harness
from httpload import HEADER, Connection, Result, closed_loop, timed

GOALS = "goals: issue ≥ 0.5× bare, p99 < 50 ms at 32 clients, ≥ 300 call cycles/s (16 counters)"


class Queue:
    """The benchmark's view of the running server."""

    def __init__(self, port: int, hall: harness.BenchHall) -> None:
        self.port, self.hall = port, hall
        self.n = 0
        self.waiting = 0

    def issue(self, conn: Connection) -> asyncio.Future[tuple[int, object]]:
        self.n += 1
        service = self.hall.services[self.n % len(self.hall.services)]
        return asyncio.ensure_future(conn.request(
            "POST", "/api/v1/tickets", {"service": service},
            {"Authorization": f"Bearer {self.hall.kiosk_token}",
             "Idempotency-Key": uuid.uuid4().hex}))

    async def issue_phase(self, clients: int, seconds: float) -> Result:
        result = Result("issue", clients)

        async def step(i: int, conn: Connection) -> None:
            status, _ = await timed(result, self.issue(conn), ok=(201,))
            self.waiting += status == 201

        result.seconds = await closed_loop("127.0.0.1", self.port, clients, seconds, step)
        return result

    async def top_up(self, target: int, budget: float = 8.0) -> None:
        """Issue (untimed) until at least `target` tickets wait, so no counter runs dry, or
        until `budget` seconds have passed (a counter that runs dry shows as "204" errors)."""
        conns = [Connection("127.0.0.1", self.port) for _ in range(16)]
        deadline = time.monotonic() + budget

        async def worker(conn: Connection) -> None:
            while self.waiting < target and time.monotonic() < deadline:
                self.waiting += 1
                status, body = await self.issue(conn)
                if status != 201:
                    raise RuntimeError(f"issue failed while topping up: {status} {body}")

        await asyncio.gather(*(worker(c) for c in conns))
        for conn in conns:
            conn.close()

    async def call_phase(self, counters: int, seconds: float, name: str = "call-next"
                         ) -> tuple[Result, Result]:
        call, finish = Result(name, counters), Result("  finish (done)", counters)

        async def step(i: int, conn: Connection) -> None:
            who = self.hall.counters[i]
            auth = {"Authorization": f"Bearer {who.session}"}
            path = f"/api/v1/counters/{who.code}"
            status, body = await timed(call, conn.request("POST", f"{path}/call-next",
                                                          headers=auth), ok=(200,))
            if status == 204:
                await asyncio.sleep(0.01)  # ran dry: shows as "204" errors in the table
            elif status in (200, 409):  # 409: a ticket left over from the warm-up
                self.waiting -= status == 200
                await timed(finish, conn.request("POST", f"{path}/finish", {"outcome": "done"},
                                                 headers=auth))
            else:
                raise RuntimeError(f"call-next answered {status} {body}")

        call.seconds = finish.seconds = await closed_loop("127.0.0.1", self.port, counters,
                                                          seconds, step)
        return call, finish


async def queue_phases(q: Queue, clients: list[int], seconds: float, cycle_counters: int
                       ) -> list[Result]:
    results = [await q.issue_phase(n, seconds) for n in clients]
    best = max(r.rate for r in results)  # call cycles/s guessed before the first measurement
    for n in [*clients, cycle_counters]:
        await q.top_up(int(best * (seconds + 0.5) * 1.3) + 50)
        name = "call cycle (16 ctrs)" if n == cycle_counters else "call-next"
        call, finish = await q.call_phase(n, seconds, name)
        best = max(best, call.rate)
        results += [call, finish]
    return results


async def bare_phases(port: int, clients: list[int], seconds: float) -> list[Result]:
    results = []
    for n in clients:
        result = Result("bare insert", n)

        async def step(i: int, conn: Connection, result: Result = result) -> None:
            await timed(result, conn.request("POST", "/insert", {"service": "bench"}),
                        ok=(201,))

        result.seconds = await closed_loop("127.0.0.1", port, n, seconds, step)
        results.append(result)
    return results


def report(results: list[Result], clients: list[int]) -> dict[str, object]:
    print(HEADER)
    for r in results:
        print(r.row())
    summary: dict[str, object] = {}
    print("\nissue ÷ bare endpoint (same run):")
    for n in clients:
        issue = next(r for r in results if r.name == "issue" and r.clients == n)
        bare = next(r for r in results if r.name == "bare insert" and r.clients == n)
        ratio = issue.rate / bare.rate if bare.rate else 0.0
        summary[f"ratio_{n}"] = round(ratio, 2)
        print(f"  {n:>2} clients: {issue.rate:6.0f}/s ÷ {bare.rate:6.0f}/s = {ratio:.2f}")
    cycle = next(r for r in results if r.name.startswith("call cycle"))
    summary["call_cycles_per_s"] = round(cycle.rate)
    for r in results:
        summary[f"{r.name.strip()}@{r.clients}"] = {"rate": round(r.rate), "p50_ms":
                                                   round(r.ms(50), 2), "p99_ms": round(r.ms(99), 2)}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per phase")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--cycle-counters", type=int, default=16)
    parser.add_argument("--no-fanout", action="store_true")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20, help="fan-out rounds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--limit", type=int, default=175, help="hard limit of the whole run (s)")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    started = time.monotonic()

    def too_long(*_: object) -> None:
        raise SystemExit(f"bench_queue: stopped after {args.limit} s (--limit)")

    signal.signal(signal.SIGALRM, too_long)  # the servers are stopped by their `with` blocks
    signal.alarm(args.limit)
    with tempfile.TemporaryDirectory(prefix="kuaiban-bench-") as tmp:
        work = Path(tmp)
        hall = harness.provision(work, counters=max(*clients, args.cycle_counters))
        port = harness.free_port()
        with harness.queue_server(hall.db_url, port, work / "server.log") as server:
            harness.login_all(f"http://127.0.0.1:{port}", hall)
            results = asyncio.run(queue_phases(Queue(port, hall), clients, args.seconds,
                                               args.cycle_counters))
            fanout = (None if args.no_fanout else asyncio.run(bench_fanout.measure(
                port, hall, args.subscribers, args.rounds, server.pid)))
        bare_port = harness.free_port()
        with harness.bare_server(work / "bare.db", bare_port, work / "bare.log"):
            results += asyncio.run(bare_phases(bare_port, clients, args.seconds))
    print(f"queue server bench, closed loop, {args.seconds:g} s per phase; {GOALS}\n")
    summary = report(results, clients)
    if fanout is not None:
        print()
        bench_fanout.report(fanout)
        summary["fanout"] = fanout
    print(f"\nwhole run {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
