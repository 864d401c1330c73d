"""Server CPU time a request (issue 12): what the real `python -m queue_server` process spends,
user + system, on each of the four busiest requests, read from outside (the kernel's CPU clock
of the server process, in nanoseconds) while this process sends them. Wall-clock figures move
with whatever else runs on a shared machine; CPU a request hardly does, so this is the figure
to compare across runs and commits.

    .venv/bin/python bench/bench_cpu.py                    # ~30-60 s
    .venv/bin/python bench/bench_cpu.py --requests 4000 --clients 8

- issue: `POST /tickets` (the kiosk's take-a-number, a fresh Idempotency-Key each), `--clients`
  closed loops until `--requests` are answered;
- call-next, start, finish (done): in rounds, every bench counter (`--clients` of them) sends
  the same request at once, the server's CPU clock read before and after each step, until
  `--requests` of each are answered.
Each figure is the CPU the server used during its phase ÷ the requests answered in it (so what
the event loop, the writer thread and the event hub do for them, all included). A short
untimed warm-up comes first. Prints the load average beside it (a busy machine adds little
CPU a request, but some: caches, context switches).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import harness
from httpload import Connection

HOST = "127.0.0.1"
GUARD_FLAGS = ["--max-conn-per-client", "4096", "--max-connections", "4096"]
_librt = ctypes.CDLL(None, use_errno=True)


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def cpu_clock(pid: int) -> ctypes.c_int:
    clock = ctypes.c_int()
    if _librt.clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
        raise OSError(ctypes.get_errno(), "clock_getcpuclockid")
    return clock


def cpu_seconds(clock: ctypes.c_int) -> float:
    """The process's CPU time (all its threads, user + system), to the nanosecond."""
    ts = _Timespec()
    if _librt.clock_gettime(clock, ctypes.byref(ts)) != 0:
        raise OSError(ctypes.get_errno(), "clock_gettime")
    return ts.tv_sec + ts.tv_nsec / 1e9


def stat_times(pid: int) -> tuple[float, float]:
    """utime and stime from /proc (clock ticks): the cross-check of the fine clock, and how
    much of it the kernel spent (sockets, fsync, waking threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def issue(conn: Connection, hall: harness.BenchHall, n: int) -> Awaitable[tuple[int, Any]]:
    return conn.request("POST", "/api/v1/tickets",
                        {"service": hall.services[n % len(hall.services)]},
                        {"Authorization": f"Bearer {hall.kiosk_token}",
                         "Idempotency-Key": uuid.uuid4().hex})


async def issue_phase(hall: harness.BenchHall, port: int, clients: int, total: int
                      ) -> int:
    """`clients` closed loops until `total` issues are answered 201."""
    left, done = [total], [0]

    async def worker() -> None:
        conn = Connection(HOST, port)
        while left[0] > 0:
            left[0] -= 1
            status, body = await issue(conn, hall, left[0])
            if status != 201:
                raise RuntimeError(f"issue answered {status} {body}")
            done[0] += 1
        conn.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return done[0]


async def cycle_phase(hall: harness.BenchHall, port: int, clients: int, total: int,
                      clock: ctypes.c_int) -> dict[str, tuple[float, int]]:
    """Rounds of call-next, then start, then finish at every counter at once; the server's CPU
    summed per step."""
    who = hall.counters[:clients]
    conns = [Connection(HOST, port) for _ in who]
    steps = (("call-next", None, (200,)), ("start", None, (200,)),
             ("finish", {"outcome": "done"}, (200, 201)))
    spent = {name: [0.0, 0] for name, _, _ in steps}
    while spent["finish"][1] < total:
        for name, body, ok in steps:
            before = cpu_seconds(clock)
            answers = await asyncio.gather(*(
                conn.request("POST", f"/api/v1/counters/{c.code}/{name}", body,
                             {"Authorization": f"Bearer {c.session}"})
                for conn, c in zip(conns, who, strict=True)))
            spent[name][0] += cpu_seconds(clock) - before
            for status, answer in answers:
                if status not in ok:
                    raise RuntimeError(f"{name} answered {status} {answer}")
            spent[name][1] += len(answers)
    for conn in conns:
        conn.close()
    return {k: (v[0], int(v[1])) for k, v in spent.items()}


async def run(hall: harness.BenchHall, port: int, pid: int, clients: int, total: int,
              profile: Path | None = None, gil: bool = False) -> dict[str, tuple[float, int]]:
    clock = cpu_clock(pid)
    await issue_phase(hall, port, clients, 200)  # warm-up: caches, first statements
    await cycle_phase(hall, port, clients, clients * 4, clock)
    figures: dict[str, tuple[float, int]] = {}
    spy = None
    if profile is not None:
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                                str(pid), "--format", "raw", "--rate", "250", "--nonblocking",
                                "--output", str(profile), *(["--gil"] if gil else [])],
                               stdout=subprocess.DEVNULL)
        await asyncio.sleep(1.0)  # attached
    before, (user, system) = cpu_seconds(clock), stat_times(pid)
    n = await issue_phase(hall, port, clients, total)
    figures["issue"] = (cpu_seconds(clock) - before, n)
    user2, system2 = stat_times(pid)
    issue_ticks = user2 + system2 - user - system
    figures.update(await cycle_phase(hall, port, clients, total, clock))
    user3, system3 = stat_times(pid)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    print(f"  (issue by /proc utime+stime: {issue_ticks / n * 1000:.3f} ms a request; system "
          f"share: issue {(system2 - system) / max(issue_ticks, 1e-9):.0%}, cycles "
          f"{(system3 - system2) / max(user3 + system3 - user2 - system2, 1e-9):.0%})")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="of each kind")
    parser.add_argument("--clients", type=int, default=16,
                        help="concurrent kiosks, and counters calling at once (at most 32)")
    parser.add_argument("--pg", action="store_true", help="on PostgreSQL (a fresh database "
                        "bench_cpu_<pid> on 127.0.0.1:5432, dropped afterwards), not SQLite")
    parser.add_argument("--extra", default="", help="more flags for the server, space-separated")
    parser.add_argument("--profile", type=Path, help="also sample the server with py-spy (if "
                        "installed) during the measured phases, collapsed stacks into this file")
    parser.add_argument("--gil", action="store_true", help="with --profile: only the samples "
                        "of the thread holding the GIL (where the interpreter spends CPU)")
    args = parser.parse_args()
    clients = max(1, min(32, args.clients))
    print(f"bench_cpu: {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {args.requests} requests of "
          f"each, {clients} at once{' on PostgreSQL' if args.pg else ''}")
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kuaiban-cpu-")))
        db = stack.enter_context(harness.pg_database("bench_cpu")) if args.pg else None
        hall = harness.provision(work, counters=clients, db_url=db)
        port = harness.free_port()
        cmd = [sys.executable, "-m", "queue_server", "--db", hall.db_url, "--host", HOST,
               "--port", str(port), "--no-zeroconf", "--log-level", "warning", *GUARD_FLAGS,
               *args.extra.split()]
        with harness.running(cmd, f"http://{HOST}:{port}/api/v1/health",
                             work / "server.log") as proc:
            harness.login_all(f"http://{HOST}:{port}", hall)
            started = time.monotonic()
            figures = asyncio.run(run(hall, port, proc.pid, clients, args.requests,
                                      args.profile, args.gil))
            took = time.monotonic() - started
    print(f"{'request':<12}{'answered':>10}{'server CPU ms a request':>26}")
    for name in ("issue", "call-next", "start", "finish"):
        cpu, n = figures[name]
        print(f"{name:<12}{n:>10}{cpu / n * 1000:>26.3f}")
    cycle = sum(figures[k][0] / figures[k][1] for k in ("call-next", "start", "finish"))
    print(f"{'cycle':<12}{'':>10}{cycle * 1000:>26.3f}   (call-next + start + finish)")
    print(f"took {took:.0f} s; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
