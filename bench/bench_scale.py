"""Does the queue server scale, measured from outside (issue 12): the real `python -m
queue_server` against the leanest durable insert (bench/lean_app.py) under the same uvicorn
settings and the same loader (bench/httpload.py), in one run, with the machine's load average
beside every figure (`os.getloadavg()`; the ratios of one run are what counts).

    .venv/bin/python bench/bench_scale.py                      # every part, ~4 min
    .venv/bin/python bench/bench_scale.py --parts sqlite,open  # some parts
    .venv/bin/python bench/bench_scale.py --parts pg --seconds 3

Parts (`--parts`, in this order; cycles, sse and storm share the SQLite server of sqlite/open):
- sqlite: closed loop, issue (POST /tickets) and lean insert interleaved at 1/8/32 clients,
          and at 128: twice `--max-pending`, beyond the places the server keeps, with clients
          that retry each 503 at once (as this loader does), not after Retry-After;
- open:   open loop at fixed rates: 80 % of the issue capacity measured at 32 clients, and
          twice it (accepted p99, how fast the 503s come);
- cycles: call-next → start → finish (done) at 16 counters, closed loop, while 150 issues/s
          arrive in an open loop beside them;
- sse:    the call-next answer with 0 and with 2,000 SSE subscribers, and the time from
          sending call-next to the last subscriber hearing `ticket.called` (`--gap 0`: each
          call sent as soon as the finish before it is answered, while the finish's event is
          still being handed out to the boards);
- storm:  a reconnection storm: `--backlog` events committed (issues), then `--subscribers`
          SSE boards connect all at once with `after=` spread over that backlog; as soon as
          every response head arrived a call-next, and the time from sending it to each board
          hearing it; every board must get every event of its backlog once, in order
          (`--storm-rounds` rounds);
- pg:     PostgreSQL (a fresh database `bench_<pid>`, dropped afterwards): issue at 32
          clients over 1 and 20 halls on 1, 2 and 3 servers (only the servers a phase
          measures run, started for it; each one-hall phase in a hall of its own, none
          filled by an earlier phase), the lean insert beside on one
          process and on two (what a second process of the leanest app gives on this
          machine: the bound any server meets here), open loop at 300/s on two servers,
          `--pg-rounds` rounds (3) of three adjacent phases over the many halls (one
          server; two on the one database; two apart, each on a database of its own with a
          copy of the halls: `Round`), their medians, and duplicates and gaps of the
          numbering checked at the end;
          `--server-cpu 0.5` caps each server at half a core in a cgroup of its own, as if
          each ran on a machine of its own (on 2 cores the uncapped servers share them with
          PostgreSQL and the loader, and the ratio measures the cores, not the servers).
          The quota costs a lone server CPU of its own (2026-12-05: 1.6–1.8 ms a request over
          20 halls against 0.9–1.0 uncapped), so capped ratios say that servers do not hold
          each other up, not by how much a second machine would help.

Goals (issue 12): SQLite issue ≥ 0.5× lean at 32 clients, p99 < 50 ms; open loop at 80 %
p99 < 50 ms; at 2× accepted p99 < 200 ms, 503s within 50 ms. PG: 2 servers ≥ 1.6× one over
20 halls; 1 hall on 2 servers ≥ on 1; 300/s open loop on 2 servers p99 ≤ 50 ms; 0 duplicates.
Call cycles ≥ 300/s; call-next p99 with 2,000 subscribers ≤ 1.5× without; last subscriber
≤ 150 ms after the call was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from cpu_cap import CpuCap
from cpu_share import CORES, Share, Watch
from disk_watch import DiskWatch
from httpload import (
    HEADER,
    MEASURING,
    OPEN_HEADER,
    Connection,
    OpenResult,
    Result,
    closed_loop,
    open_loop,
    percentile,
    timed,
)

HOST = "127.0.0.1"
PG_ADMIN = harness.PG_ADMIN
# Loopback clients all come from one address: the guard's per-client cap is lifted for the
# loader (the same flags on the real server and on the lean app).
GUARD_FLAGS = ["--max-conn-per-client", "4096", "--max-connections", "4096"]
FIGURES: dict[str, Any] = {}
# SQLite's closed loops: 128 is twice the places the server keeps (--max-pending 64).
CLOSED_CLIENTS = (1, 8, 32, 128)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def note(key: str, value: Any) -> None:
    FIGURES[key] = value


# -- servers ---------------------------------------------------------------------------------
def queue_server(db_url: str, port: int, log: Path, *extra: str
                 ) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "queue_server", "--db", db_url, "--host", HOST, "--port",
           str(port), "--no-zeroconf", "--log-level", "warning", *GUARD_FLAGS, *extra]
    return harness.running(cmd, f"http://{HOST}:{port}/api/v1/health", log)


def lean_server(db_url: str, port: int, log: Path
                ) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "lean_app.py"), "--db",
           db_url, "--port", str(port), *GUARD_FLAGS]
    return harness.running(cmd, f"http://{HOST}:{port}/docs", log)


def disk_watch() -> DiskWatch:
    """The disk's flushes alongside a phase (disk_watch.py), in the temporary folder: on this
    machine the file system PostgreSQL's data and the bench's SQLite files are on."""
    return DiskWatch(Path(tempfile.gettempdir()))


# -- requests --------------------------------------------------------------------------------
class Kiosks:
    """Issuing tickets: kiosk tokens and services per hall, round-robin."""

    def __init__(self, halls: list[harness.BenchHall]) -> None:
        self.halls = halls
        self.n = 0

    def issue(self, conn: Connection, hall: int | None = None) -> Any:
        self.n += 1
        h = self.halls[(self.n if hall is None else hall) % len(self.halls)]
        return conn.request("POST", "/api/v1/tickets",
                            {"service": h.services[self.n % len(h.services)]},
                            {"Authorization": f"Bearer {h.kiosk_token}",
                             "Idempotency-Key": uuid.uuid4().hex})


def lean_insert(conn: Connection, i: int = 0) -> Any:
    return conn.request("POST", "/insert", {"hall": f"h{i % 20}", "service": "bench"})


async def closed(name: str, ports: list[int], clients: int, seconds: float,
                 send: Any, watch: Any = None, answered: list[int] | None = None) -> Result:
    """`clients` closed loops, client i on server ports[i % len(ports)]; `answered[k]`, if
    given, counts the measured successes of server k; `watch` as in `closed_loop`."""
    result = Result(name, clients)
    conns = {i: Connection(HOST, ports[i % len(ports)]) for i in range(clients)}

    async def step(i: int, _conn: Connection) -> None:
        status, _ = await timed(result, send(i, conns[i]), ok=(200, 201))
        if answered is not None and MEASURING.is_set() and status in (200, 201):
            answered[i % len(ports)] += 1

    result.seconds = await closed_loop(HOST, ports[0], clients, seconds, step, watch=watch)
    for conn in conns.values():
        conn.close()
    return result


async def top_up(kiosks: Kiosks, port: int, n: int) -> None:
    """Issue `n` tickets (untimed) so counters do not run dry."""
    left = [n]

    async def worker() -> None:
        conn = Connection(HOST, port)
        while left[0] > 0:
            left[0] -= 1
            status, body = await kiosks.issue(conn)
            if status == 503:
                await asyncio.sleep(0.05)
                left[0] += 1
            elif status != 201:
                raise RuntimeError(f"issue failed while topping up: {status} {body}")
        conn.close()

    await asyncio.gather(*(worker() for _ in range(16)))


def print_closed(results: list[Result]) -> None:
    print(HEADER)
    for r in results:
        print(r.row())


# -- SQLite: closed loop, open loop ----------------------------------------------------------
async def sqlite_closed(kiosks: Kiosks, port: int, lean_port: int, seconds: float
                        ) -> float:
    results = []
    for n in CLOSED_CLIENTS:
        issue = await closed("issue", [port], n, seconds, lambda i, c: kiosks.issue(c))
        lean = await closed("lean insert", [lean_port], n, seconds, lambda i, c: lean_insert(c))
        results += [issue, lean]
        note(f"sqlite_issue_{n}", {"rate": round(issue.rate), "p99_ms": round(issue.ms(99), 1),
                                   "lean": round(lean.rate), "ratio": round(
                                       issue.rate / lean.rate, 2), "load": os.getloadavg()[0]})
    print(f"\n== SQLite, closed loop, {seconds:g} s a phase ({load()})")
    print_closed(results)
    for n in CLOSED_CLIENTS:
        f = FIGURES[f"sqlite_issue_{n}"]
        print(f"  issue ÷ lean at {n:>2}: {f['rate']:>6}/s ÷ {f['lean']:>6}/s = "
              f"{f['ratio']:.2f}   (issue p99 {f['p99_ms']} ms)")
    f = FIGURES["sqlite_issue_32"]
    print(f"  goal issue ≥ 0.5× lean, p99 < 50 ms at 32: "
          f"{'MET' if f['ratio'] >= 0.5 and f['p99_ms'] < 50 else 'NOT MET'}")
    return float(f["rate"])


async def sqlite_open(kiosks: Kiosks, port: int, capacity: float, seconds: float) -> None:
    rows: list[tuple[OpenResult, DiskWatch]] = []
    for share in (0.8, 2.0):
        rate = round(capacity * share)
        with disk_watch() as disk:
            r = await open_loop(HOST, port, rate, seconds, lambda i, c: kiosks.issue(c),
                                name=f"issue at {share:.0%} of {capacity:.0f}/s", ok=(201,))
        rows.append((r, disk))
        note(f"sqlite_open_{share}", {"disk": disk.note(),
            "offered": rate, "ok": len(r.accepted), "ok_p99_ms": round(
                percentile(r.accepted, 99) * 1000, 1), "refused": len(r.refused),
            "refused_p99_ms": round(percentile(r.refused, 99) * 1000, 1) if r.refused else None,
            "unanswered": r.unanswered, "late_sends": r.late_sends, "load": os.getloadavg()[0]})
    print(f"\n== SQLite, open loop, {seconds:g} s at each rate ({load()})")
    print(OPEN_HEADER)
    for r, disk in rows:
        print(r.row())
        print(f"    {disk.summary()}")
    low, high = FIGURES["sqlite_open_0.8"], FIGURES["sqlite_open_2.0"]
    print(f"  goal 80 %: p99 < 50 ms: {'MET' if low['ok_p99_ms'] < 50 and not low['unanswered'] else 'NOT MET'}"
          f"; 2×: accepted p99 < 200 ms and 503s p99 < 50 ms: "
          f"{'MET' if high['ok_p99_ms'] < 200 and (high['refused_p99_ms'] or 0) < 50 and not high['unanswered'] else 'NOT MET'}")
    for r, _ in rows:
        behind = r.errors.get("loader out of connections", 0)
        if behind or r.late_sends > 0.01 * r.sent:
            print(f"  {r.name}: the loader fell behind ({r.late_sends} requests sent more than "
                  f"5 ms late, out of connections {behind} times): the phase measures the "
                  "loader as well as the server")


# -- call cycles with issuing alongside ------------------------------------------------------
async def cycles(kiosks: Kiosks, hall: harness.BenchHall, port: int, seconds: float,
                 counters: int = 16, issue_rate: float = 150) -> None:
    await top_up(kiosks, port, int(700 * seconds))
    steps = {k: Result(k, counters) for k in ("call-next", "start", "finish")}
    cycle = Result("call cycle", counters)
    dry = [0]

    async def step(i: int, conn: Connection) -> None:
        who = hall.counters[i]
        auth = {"Authorization": f"Bearer {who.session}"}
        path = f"/api/v1/counters/{who.code}"
        began, in_window = time.perf_counter(), MEASURING.is_set()
        status, body = await timed(steps["call-next"], conn.request(
            "POST", f"{path}/call-next", headers=auth), ok=(200,))
        if status == 204:
            dry[0] += 1
            await asyncio.sleep(0.01)
            return
        if status not in (200, 409):  # 409: a ticket left over from the warm-up
            if status == 503:
                return
            raise RuntimeError(f"call-next answered {status} {body}")
        await timed(steps["start"], conn.request("POST", f"{path}/start", headers=auth),
                    ok=(200, 409))
        status, _ = await timed(steps["finish"], conn.request(
            "POST", f"{path}/finish", {"outcome": "done"}, headers=auth))
        # A cycle counts when it both began and ended in the measured window: each counter's
        # first call-next compiles its candidate SQL (~17 ms with the example hall's services,
        # 16 of them queued in the writer), and a cycle begun in the warm-up carried that.
        if status in (200, 201) and in_window and MEASURING.is_set():
            cycle.latencies.append(time.perf_counter() - began)

    issuing = asyncio.create_task(open_loop(
        HOST, port, issue_rate, seconds + 0.3, lambda i, c: kiosks.issue(c),
        name=f"issue alongside ({issue_rate:.0f}/s)", ok=(201,), pool=16))
    cycle.seconds = await closed_loop(HOST, port, counters, seconds, step)
    for r in steps.values():
        r.seconds = cycle.seconds
    alongside = await issuing
    print(f"\n== Call cycles, {counters} counters, issuing at {issue_rate:.0f}/s alongside, "
          f"{seconds:g} s ({load()})")
    print_closed([cycle, *steps.values()])
    print(OPEN_HEADER)
    print(alongside.row())
    if dry[0]:
        print(f"  (counters found the queue empty {dry[0]} times)")
    note("cycles", {"rate": round(cycle.rate), "p99_ms": round(cycle.ms(99), 1),
                    "issue_p99_ms": round(percentile(alongside.accepted, 99) * 1000, 1),
                    "load": os.getloadavg()[0]})
    print(f"  goal ≥ 300 cycles/s: {'MET' if cycle.rate >= 300 else 'NOT MET'}")


# -- subscribers -----------------------------------------------------------------------------
class _Sub(asyncio.Protocol):
    """One SSE subscriber, as cheap as a loader can make it: parses whole frames (a frame may
    arrive split over two reads) and tells the board the id of each `ticket.called` it hears,
    once."""

    def __init__(self, board: Board) -> None:
        self.board, self.ready = board, False
        self.transport: asyncio.Transport | None = None
        self.rest = b""
        self.last_called = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.ready:
            if data.startswith(b"HTTP/1.1 200"):
                self.ready = True
                self.board.connected += 1
            else:
                self.board.refused += 1
        frames = (self.rest + data).split(b"\n\n")
        self.rest = frames.pop()
        for frame in frames:
            if b'"type":"ticket.called"' not in frame:
                continue
            at = frame.find(b"id: ")  # after a chunk-size line (chunked transfer encoding)
            event_id = int(frame[at + 4:frame.index(b"\n", at)])
            if event_id > self.last_called:
                self.last_called = event_id
                self.board.heard(event_id)

    def connection_lost(self, exc: Exception | None) -> None:
        self.board.lost += 1


class Board:
    """Many subscribers: how many heard each call (by event id), and when the last of them
    did."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.connected = self.refused = self.lost = 0
        self.counts: dict[int, int] = {}
        self.done: list[tuple[int, float]] = []  # (event id, when all heard it), not yet told

    def heard(self, event_id: int) -> None:
        count = self.counts[event_id] = self.counts.get(event_id, 0) + 1
        if count == self.n:
            self.done.append((event_id, time.perf_counter()))
            del self.counts[event_id]


async def subscribe(board: Board, port: int, token: str, after: int, n: int
                    ) -> list[asyncio.Transport]:
    loop = asyncio.get_running_loop()
    request = (f"GET /api/v1/events?after={after} HTTP/1.1\r\nHost: {HOST}\r\n"
               f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode()
    transports: list[asyncio.Transport] = []
    for start in range(0, n, 100):
        made = await asyncio.gather(*(loop.create_connection(lambda: _Sub(board), HOST, port)
                                      for _ in range(start, min(n, start + 100))))
        for transport, _ in made:
            transport.write(request)
            transports.append(transport)
        while board.connected + board.refused < len(transports):
            await asyncio.sleep(0.02)
    if board.refused:
        raise RuntimeError(f"{board.refused} subscribers refused")
    return transports


class Misses:
    """Calls not heard by every subscriber within `WAIT` s: counted and described (how many
    had heard it, how many connections were lost by then, whether it arrived later) instead
    of stopping the bench."""

    WAIT = 10.0

    def __init__(self) -> None:
        self.missed = 0
        self.rounds: list[str] = []
        self.pending: dict[int, float] = {}  # event id of a missed call → when it was sent
        self.known = 0  # the highest event id of a call already accounted for

    def late(self, event_id: int, at: float) -> None:
        sent = self.pending.pop(event_id, None)
        if sent is not None:
            self.rounds.append(f"call {event_id}: all heard it {at - sent:.1f} s after it was "
                               "sent")


async def _heard(pipe: Any, misses: Misses, sent: float) -> float | None:
    """When the last subscriber heard the call sent at `sent` (None: not within WAIT s)."""
    deadline = time.monotonic() + Misses.WAIT
    while True:
        while pipe.poll():
            kind, *rest = pipe.recv()
            if kind == "all":
                event_id, at = rest
                if event_id > misses.known:
                    misses.known = event_id
                    return float(at)
                misses.late(event_id, at)
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.001)
    misses.missed += 1
    pipe.send("status")
    while True:
        kind, *rest = pipe.recv()
        if kind == "all":
            misses.late(rest[0], rest[1])
            continue
        counts, connected, lost = rest
        fresh = {i: c for i, c in counts.items() if i > misses.known}
        if fresh:
            event_id = max(fresh)
            misses.known = event_id
            misses.pending[event_id] = sent
            misses.rounds.append(f"call {event_id}: heard by {fresh[event_id]} of {connected} "
                                 f"in {Misses.WAIT:g} s, {lost} connections lost")
            print("  " + misses.rounds[-1], flush=True)
        else:
            misses.rounds.append(f"a call heard by none of {connected} in {Misses.WAIT:g} s, "
                                 f"{lost} connections lost")
        return None


async def call_rounds(hall: harness.BenchHall, port: int, rounds: int, heard: Any = None,
                      misses: Misses | None = None, gap: float = 0.05
                      ) -> tuple[list[float], list[float]]:
    """Counter Q01 calls next `rounds` times (then finishes, untimed, and waits `gap` s);
    answers the call-next latencies and, with `heard` (the pipe from the subscribers'
    process), the times from sending call-next to the last subscriber hearing `ticket.called`
    (a call not heard by all within Misses.WAIT s goes to `misses` instead)."""
    who = hall.counters[0]
    auth = {"Authorization": f"Bearer {who.session}"}
    path = f"/api/v1/counters/{who.code}"
    conn = Connection(HOST, port)
    answers, last = [], []
    for _ in range(rounds):
        sent = time.perf_counter()
        status, body = await conn.request("POST", f"{path}/call-next", headers=auth)
        answered = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"call-next answered {status} {body}")
        answers.append(answered - sent)
        if heard is not None:
            assert misses is not None
            at = await _heard(heard, misses, sent)
            if at is not None:
                last.append(at - sent)  # CLOCK_MONOTONIC: one clock for both processes
            if time.perf_counter() - sent > 4:
                conn.close()  # idle longer than the server's keep-alive: a new connection
        await conn.request("POST", f"{path}/finish", {"outcome": "done"}, headers=auth)
        await asyncio.sleep(gap)
    conn.close()
    return answers, last


def subscribers_process(port: int, token: str, after: int, n: int, pipe: Any) -> None:
    """The subscribers, in a process of their own (so reading 2,000 streams does not delay
    the loader's reading of the counter's answer): sends "ready", then ("all", event id, when)
    as each call has been heard by all of them; answers "status" with how many heard each
    call not yet heard by all, and "stop" with the connections lost."""

    async def main() -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        board = Board(n)
        transports = await subscribe(board, port, token, after, n)
        pipe.send(("ready", board.connected))
        while True:
            for event_id, at in board.done:
                pipe.send(("all", event_id, at))
            board.done.clear()
            if pipe.poll():
                if pipe.recv() == "status":
                    pipe.send(("status", dict(board.counts), board.connected, board.lost))
                    continue
                pipe.send(("lost", board.lost))  # before the bench closes them
                for t in transports:
                    t.close()
                return
            await asyncio.sleep(0.002)

    asyncio.run(main())


def last_event_id(db_path: Path, hall: str) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        return int(con.execute("select max(id) from events where hall=?", (hall,)).fetchone()[0]
                   or 0)


async def fanout(kiosks: Kiosks, hall: harness.BenchHall, port: int, db_path: Path,
                 subscribers: int, rounds: int, server_log: Path | None = None,
                 gap: float = 0.05) -> None:
    import multiprocessing

    await top_up(kiosks, port, 2 * rounds + 10)
    quiet, _ = await call_rounds(hall, port, rounds, gap=gap)
    ctx = multiprocessing.get_context("spawn")
    heard, child = ctx.Pipe()
    t0 = time.perf_counter()
    proc = ctx.Process(target=subscribers_process, args=(
        port, hall.display_token, last_event_id(db_path, hall.hall), subscribers, child))
    proc.start()
    try:
        while not heard.poll():
            if not proc.is_alive():
                raise RuntimeError("the subscribers' process ended")
            await asyncio.sleep(0.05)
        heard.recv()
        connect_s = time.perf_counter() - t0
        # "Connected" is the response's head; each stream then catches up from the table
        # before it follows live events. One untimed call first, heard by all: until then a
        # call waits behind the catch-up of 2,000 streams (seconds on this machine).
        misses = Misses()
        _, first = await call_rounds(hall, port, 1, heard, misses)
        loaded, last = await call_rounds(hall, port, rounds, heard, misses, gap)
        heard.send("stop")
        lost: Any = "?"
        while heard.poll(10):
            reply = heard.recv()
            if reply[0] == "lost":
                lost = reply[1]
                break
            misses.late(reply[1], reply[2])
    finally:
        proc.join(10)
        if proc.is_alive():
            proc.kill()
    q99, l99 = percentile(quiet, 99) * 1000, percentile(loaded, 99) * 1000
    if os.environ.get("BENCH_VERBOSE"):
        print("quiet ms:", [round(x * 1000, 1) for x in quiet])
        print("answers ms:", [round(x * 1000, 1) for x in loaded])
        print("last ms:", [round(x * 1000) for x in last])
    print(f"\n== {subscribers} SSE subscribers, {rounds} calls each way, {gap * 1000:g} ms "
          f"between a finish's answer and the next call ({load()}); "
          f"connected in {connect_s:.1f} s, {lost} lost; the first call after they connected "
          f"heard by all in {first[0] * 1000 if first else float('nan'):.0f} ms (untimed)")
    print(f"  call-next answer, no subscribers:   p50 {percentile(quiet, 50) * 1000:6.1f}  "
          f"p99 {q99:6.1f} ms")
    print(f"  call-next answer, {subscribers} subscribers: p50 "
          f"{percentile(loaded, 50) * 1000:6.1f}  p99 {l99:6.1f} ms   ratio {l99 / q99:.2f}")
    if last:
        print(f"  call sent → last subscriber heard:  p50 {percentile(last, 50) * 1000:6.1f}  "
              f"p99 {percentile(last, 99) * 1000:6.1f}  max {max(last) * 1000:6.1f} ms")
    print(f"  calls not heard by all within {Misses.WAIT:g} s: {misses.missed} of {rounds}"
          f"{', still not by the end: ' + str(len(misses.pending)) if misses.pending else ''}")
    for line in misses.rounds:
        print(f"    {line}")
    if misses.missed and server_log is not None and server_log.exists():
        said = [line for line in server_log.read_text(errors="replace").splitlines()
                if "event" in line and ("dropped" in line or "failed" in line)]
        print(f"    the server's log about event streams: {len(said)} lines", *said[-5:],
              sep="\n      ")
    note("fanout", {"quiet_p99_ms": round(q99, 1), "loaded_p99_ms": round(l99, 1),
                    "ratio": round(l99 / q99, 2), "last_p99_ms": round(
                        percentile(last, 99) * 1000, 1) if last else None,
                    "missed": misses.missed,
                    "first_call_s": round(first[0], 2) if first else None, "load": os.getloadavg()[0]})
    print(f"  goals: answer p99 within 1.5×: {'MET' if l99 <= 1.5 * q99 else 'NOT MET'}; "
          f"last subscriber ≤ 150 ms: "
          f"{'MET' if last and not misses.missed and percentile(last, 99) <= 0.150 else 'NOT MET'}")


# -- a reconnection storm --------------------------------------------------------------------
_ID_LINE = re.compile(rb"^id: (\d+)\n", re.MULTILINE)


class _StormSub(asyncio.Protocol):
    """One board of a reconnection storm: sends its request as soon as it is connected,
    checks that every id it gets follows on from the one before (a hall's ids have no gaps, so
    that is each event after its `after=` once, in order), and notes when it caught up to
    `mark` (the head when the storm began) and when each event after `mark` arrived."""

    def __init__(self, request: bytes, after: int, mark: int) -> None:
        self.request, self.after, self.mark = request, after, mark
        self.last = after
        self.rest = b""
        self.status = b""
        self.head_at = 0.0
        self.broken = 0  # ids that did not follow on from the one before (gap, repeat, order)
        self.caught: float | None = None if after < mark else 0.0
        self.times: dict[int, float] = {}  # event id after `mark` → when it arrived
        self.lost = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.status:
            self.status = data[:12]
            self.head_at = now
        buf = self.rest + data
        end = buf.rfind(b"\n\n") + 2  # whole frames only (a frame may be split over reads)
        if end < 2:
            self.rest = buf
            return
        self.rest = buf[end:]
        ids = [int(i) for i in _ID_LINE.findall(buf, 0, end)]
        if not ids:
            return
        if ids == list(range(self.last + 1, self.last + 1 + len(ids))):
            self.last = ids[-1]
        else:
            for event_id in ids:
                if event_id != self.last + 1:
                    self.broken += 1
                self.last = max(self.last, event_id)
        if self.last >= self.mark:
            if self.caught is None:
                self.caught = now
            for event_id in ids:
                if event_id > self.mark:
                    self.times.setdefault(event_id, now)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


def storm_process(port: int, token: str, afters: list[int], mark: int, pipe: Any) -> None:
    """The boards of one storm, in a process of their own: connects them all at once and sends
    ("heads", began, when the last response head arrived, refused, failed connects); then,
    told ("target", id of the call's ticket.called), waits (at most 60 s) until every board
    has it and sends ("done", per board: when it heard the call, when it caught up, ids that
    did not follow on, its last id, whether it was lost)."""

    async def main() -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        loop = asyncio.get_running_loop()
        subs = [_StormSub(f"GET /api/v1/events?after={after} HTTP/1.1\r\nHost: {HOST}\r\n"
                          f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
                          .encode(), after, mark) for after in afters]
        began = time.perf_counter()
        made = await asyncio.gather(*(loop.create_connection(lambda s=s: s, HOST, port)
                                      for s in subs), return_exceptions=True)
        failed = sum(isinstance(m, BaseException) for m in made)
        while sum(bool(s.status) for s in subs) + failed < len(subs):
            await asyncio.sleep(0.001)
        refused = sum(bool(s.status) and not s.status.startswith(b"HTTP/1.1 200") for s in subs)
        pipe.send(("heads", began, max(s.head_at for s in subs if s.status), refused, failed))
        while not pipe.poll():
            await asyncio.sleep(0.001)
        _, target = pipe.recv()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(target in s.times or s.lost
                                                      for s in subs):
            await asyncio.sleep(0.005)
        pipe.send(("done", [s.times.get(target) for s in subs], [s.caught for s in subs],
                   [s.broken for s in subs], [s.last for s in subs], [s.lost for s in subs]))
        for s in subs:
            if s.transport is not None:
                s.transport.close()

    asyncio.run(main())


async def backlog_events(kiosks: Kiosks, port: int, db_path: Path, hall: str, upto: int
                         ) -> None:
    """Issue tickets (real API calls) until the hall's last event id is at least `upto`."""
    while (left := upto - last_event_id(db_path, hall)) > 0:
        await top_up(kiosks, port, max(1, min(left, 100)))


def called_id(db_path: Path, hall: str, after: int) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        return int(con.execute("select min(id) from events where hall=? and id>? and "
                               "type='ticket.called'", (hall, after)).fetchone()[0])


async def storm(kiosks: Kiosks, hall: harness.BenchHall, port: int, db_path: Path,
                subscribers: int, backlog: int, rounds: int) -> None:
    """Each round: a backlog of `backlog` events, then `subscribers` boards connect all at
    once with `after=` spread over it (as after a restart); as soon as every response head has
    arrived, counter Q01 calls next; the time from sending it to each board hearing it."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    who = hall.counters[0]
    auth = {"Authorization": f"Bearer {who.session}"}
    path = f"/api/v1/counters/{who.code}"
    await top_up(kiosks, port, rounds + 5)  # a ticket for every round's call
    heard_all: list[float] = []
    lasts, rows = [], []
    for _ in range(rounds):
        await backlog_events(kiosks, port, db_path, hall.hall,
                             last_event_id(db_path, hall.hall) + backlog)
        mark = last_event_id(db_path, hall.hall)
        afters = [mark - backlog + i * backlog // subscribers for i in range(subscribers)]
        pipe, child = ctx.Pipe()
        proc = ctx.Process(target=storm_process, args=(port, hall.display_token, afters, mark,
                                                        child))
        proc.start()
        try:
            while not pipe.poll():
                if not proc.is_alive():
                    raise RuntimeError("the storm's process ended")
                await asyncio.sleep(0.001)
            _, began, heads_at, refused, failed = pipe.recv()
            conn = Connection(HOST, port)
            sent = time.perf_counter()
            status, body = await conn.request("POST", f"{path}/call-next", headers=auth)
            answered = time.perf_counter()
            conn.close()
            if status != 200:
                raise RuntimeError(f"call-next answered {status} {body}")
            target = called_id(db_path, hall.hall, mark)
            pipe.send(("target", target))
            while not pipe.poll():
                await asyncio.sleep(0.005)
            _, times, caught, broken, last, lost = pipe.recv()
            conn = Connection(HOST, port)  # the first may have idled past the keep-alive
            await conn.request("POST", f"{path}/finish", {"outcome": "done"}, headers=auth)
            conn.close()
        finally:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        heard = [t - sent for t in times if t is not None]
        heard_all += heard
        whole = sum(1 for b, lt in zip(broken, last, strict=True) if b == 0 and lt >= target)
        caught_s = max((c for c in caught if c), default=began) - began
        row = {"connect_s": round(heads_at - began, 2), "caught_up_s": round(caught_s, 2),
               "answer_ms": round((answered - sent) * 1000, 1),
               "heard_p50_ms": round(percentile(heard, 50) * 1000) if heard else None,
               "heard_max_ms": round(max(heard) * 1000) if heard else None,
               "heard": len(heard), "whole": whole, "broken": sum(broken),
               "lost": sum(lost), "refused": refused, "failed": failed,
               "load": os.getloadavg()[0]}
        rows.append(row)
        if heard:
            lasts.append(max(heard))
        print(f"  round {len(rows)} ({load()}): heads of {subscribers} in {row['connect_s']} s, "
              f"all caught up {row['caught_up_s']} s after the first connect; call-next "
              f"answered in {row['answer_ms']} ms, heard by {len(heard)}: p50 "
              f"{row['heard_p50_ms']}  max {row['heard_max_ms']} ms; {whole} boards got every "
              f"event of their backlog once, in order ({row['broken']} ids out of turn, "
              f"{row['lost']} lost, {refused} refused, {failed} connects failed)", flush=True)
    print(f"\n== Reconnection storm: {subscribers} SSE boards at once, after= spread over a "
          f"{backlog}-event backlog, {rounds} rounds ({load()})")
    print(f"  storm's connects (all response heads): "
          f"{', '.join(str(r['connect_s']) for r in rows)} s; all caught up: "
          f"{', '.join(str(r['caught_up_s']) for r in rows)} s")
    if heard_all:
        print(f"  call sent → heard, every board of every round: p50 "
              f"{percentile(heard_all, 50) * 1000:7.0f}  p99 {percentile(heard_all, 99) * 1000:7.0f}"
              f"  max {max(heard_all) * 1000:7.0f} ms")
        print(f"  call sent → last board heard, per round: "
              f"{', '.join(f'{x * 1000:.0f}' for x in lasts)} ms")
    print(f"  boards with every backlog event once, in order, and the call: "
          f"{sum(r['whole'] for r in rows)} of {subscribers * rounds}")
    note("storm", {"rounds": rows, "heard_p50_ms": round(percentile(heard_all, 50) * 1000)
                   if heard_all else None, "heard_p99_ms": round(
                       percentile(heard_all, 99) * 1000) if heard_all else None,
                   "last_ms": [round(x * 1000) for x in lasts]})


# -- PostgreSQL ------------------------------------------------------------------------------
def provision_halls(workdir: Path, db_url: str, halls: int) -> list[harness.BenchHall]:
    """`halls` copies of the example hall (ids h01…, their outposts' ids suffixed, as another
    hall's outpost id is refused), no bench counters, one kiosk each."""
    text, info = harness.hall_toml(0)
    original = f'id = "{info["hall"]}"'
    outpost = re.compile(r'(\[\[outposts\]\]\s*\nid = ")([^"]+)"')
    out = []
    for i in range(1, halls + 1):
        hall_id = f"h{i:02d}"
        config = workdir / f"{hall_id}.toml"
        copy = outpost.sub(lambda m, h=hall_id: f'{m[1]}{m[2]}-{h}"',  # type: ignore[misc]
                           text.replace(original, f'id = "{hall_id}"', 1))
        config.write_text(copy, encoding="utf-8")
        harness.provisioning("init", "--config", str(config), "--db", db_url)
        token = json.loads(harness.provisioning("enrol", "--db", db_url, "--kind", "kiosk",
                                                "--name", f"kiosk-{hall_id}", "--hall", hall_id,
                                                "--json"))["token"]
        out.append(harness.BenchHall(hall_id, db_url, list(info["services"]),  # type: ignore[call-overload]
                                     kiosk_token=str(token)))
    return out


# Duplicate numbers, and numbers skipped, over every hall, day and prefix of the tickets table
# (SQLite and PostgreSQL alike; chaos.py checks with them too).
DUPLICATES_SQL = ("select count(*) from (select hall, day, number from tickets "
                  "group by 1, 2, 3 having count(*) > 1) d")
GAPS_SQL = ("select coalesce(sum(mx - mn + 1 - n), 0) from (select max(seq) mx, min(seq) mn, "
            "count(*) n from tickets group by hall, day, prefix) g")


def pg_check(db_url: str) -> tuple[int, int, int]:
    """(tickets, duplicate numbers, gaps) over the whole database."""
    import psycopg

    dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as con:
        total, dups, gaps = (con.execute(q).fetchone()[0]  # type: ignore[index]
                             for q in ("select count(*) from tickets", DUPLICATES_SQL, GAPS_SQL))
    return int(total), int(dups), int(gaps)


async def pg_phases(halls: list[harness.BenchHall], ports: list[int], lean_ports: list[int],
                    seconds: float, clients: int, dsn: str,
                    servers_up: Callable[[int], contextlib.AbstractContextManager[list[int]]],
                    lean_pids: list[int], cap: float | None = None,
                    apart: Apart | None = None) -> None:
    kiosks = Kiosks(halls)
    # Each one-hall phase issues into a hall of its own (h01 for one server, h02 for two, h03
    # for three, h04 for the open loop): the people ahead of a new ticket are counted, and on
    # PostgreSQL each waiting row of its service counted costs a heap visit (~1 µs; rows this
    # fresh are not all-visible yet), so a hall that earlier phases filled would make each
    # later phase pay for their tickets, and the ratios would measure the pile-up.
    one_hall = [Kiosks(halls[i:i + 1]) for i in range(min(4, len(halls)))]
    results: list[Result] = []
    shares: list[tuple[Result, Share, list[int]]] = []
    for servers in (1, 2, 3):
        with servers_up(servers) as pids:
            for label, k in (("1 hall", one_hall[(servers - 1) % len(one_hall)]),
                             (f"{len(halls)} halls", kiosks)):
                watch, answered = Watch(dsn, pids), [0] * servers
                r = await closed(f"issue {servers} srv {label}", ports[:servers], clients,
                                 seconds, lambda i, c, k=k: k.issue(c, i), watch, answered)
                results.append(r)
                shares.append((r, watch.share, answered))
                note(f"pg_{servers}srv_{label.split()[0]}h", {
                    "rate": round(r.rate), "p99_ms": round(r.ms(99), 1),
                    "load": os.getloadavg()[0], **share_note(watch.share, answered)})
    rounds = (await alternate(kiosks, Kiosks(apart.halls), ports, clients, seconds, dsn,
                              servers_up, apart.up, apart.rounds) if apart else [])
    # The same two ways for the leanest durable insert: what a second process adds on this
    # machine to an app that does next to nothing but the insert (the machine's own bound).
    leans = []
    for n in (1, 2):
        watch, answered = Watch(dsn, lean_pids[:n]), [0] * n
        leans.append(await closed(f"lean insert {n} proc", lean_ports[:n], clients, seconds,
                                  lambda i, c: lean_insert(c, i), watch, answered))
        results.append(leans[-1])
        shares.append((leans[-1], watch.share, answered))
    lean = leans[0]
    opened = []
    with servers_up(2):
        for label, k in (("1 hall", one_hall[-1]), (f"{len(halls)} halls", kiosks)):
            with disk_watch() as disk:
                r2 = await _open_two(k, ports[:2], 300, seconds, f"300/s on 2 srv, {label}")
            opened.append((r2, disk))
            note(f"pg_open300_{label.split()[0]}h", {"disk": disk.note(), "ok_p99_ms": round(
                percentile(r2.accepted, 99) * 1000, 1), "refused": len(r2.refused),
                "unanswered": r2.unanswered, "load": os.getloadavg()[0]})
    capped = (f", each server (and the lean app) capped at {cap:g} cores, as if on a machine "
              f"of its own" if cap else "")
    print(f"\n== PostgreSQL, closed loop at {clients} clients (spread over the servers), "
          f"{seconds:g} s a phase{capped} ({load()})")
    print_closed(results)
    print_shares(shares)
    print(OPEN_HEADER)
    for r, disk in opened:
        print(r.row())
        print(f"    {disk.summary()}")
    if rounds:
        print(rounds_rows(rounds))
    f = FIGURES
    n = len(halls)
    two_many = f[f"pg_2srv_{n}h"]["rate"] / max(f[f"pg_1srv_{n}h"]["rate"], 1)
    paired = (f" (the median of the rounds: "
              f"{'MET' if statistics.median(r.ratio for r in rounds) >= 1.6 else 'NOT MET'})"
              if rounds else "")
    three_many = f[f"pg_3srv_{n}h"]["rate"] / max(f[f"pg_1srv_{n}h"]["rate"], 1)
    two_one = f["pg_2srv_1h"]["rate"] / max(f["pg_1srv_1h"]["rate"], 1)
    lean_two = leans[1].rate / max(lean.rate, 1)
    print(f"  {n} halls: 2 servers ÷ 1 = {two_many:.2f}, 3 ÷ 1 = {three_many:.2f}; "
          f"1 hall: 2 servers ÷ 1 = {two_one:.2f}; issue on 1 server ÷ lean = "
          f"{f[f'pg_1srv_{n}h']['rate'] / max(lean.rate, 1):.2f}; the lean insert on 2 "
          f"processes ÷ 1 = {lean_two:.2f} (what a second process gives on this machine)")
    note("pg_ratios", {"two_over_one_many": round(two_many, 2),
                       "three_over_one_many": round(three_many, 2),
                       "two_over_one_one_hall": round(two_one, 2), "lean": round(lean.rate),
                       "lean_two_over_one": round(lean_two, 2)})
    open_ok = all(percentile(r.accepted, 99) <= 0.050 and not r.refused and not r.unanswered
                  for r, _ in opened)
    print(cpu_verdict(*shares[1], two_many, cap))
    print(f"  goals: 2 srv ≥ 1.6× over {n} halls: {'MET' if two_many >= 1.6 else 'NOT MET'}"
          f"{paired}; "
          f"1 hall on 2 ≥ on 1: {'MET' if two_one >= 1.0 else 'NOT MET'}; "
          f"300/s on 2 srv p99 ≤ 50 ms: {'MET' if open_ok else 'NOT MET'}")


@dataclass
class Apart:
    """The rounds' second database: its copy of the halls, the two servers apart (one on each
    database) for a phase, and how many rounds."""

    halls: list[harness.BenchHall]
    up: Callable[[], contextlib.AbstractContextManager[list[int]]]
    rounds: int


@dataclass
class Round:
    """Three phases over the many halls, one right after the other: one server; two servers
    on the one database; two servers apart, each on a database of its own with a copy of the
    halls (nothing shared but the machine and the PostgreSQL server). The machine's speed
    drifts by as much as 2× within minutes here (one server's CPU a request 0.85 then 1.66 ms
    in two runs two minutes apart), so phases a minute apart compare the drift as much as the
    servers; adjacent phases much less. Two servers apart are what the machine gives a second
    server of ours when the two share no rows, no locks and no NOTIFY: if two on one database
    reach as much, sharing the database holds nothing back, and what keeps them from 1.6× is
    the machine."""

    one: float  # issues/s
    two: float
    apart: float
    one_ms: float  # the servers' CPU a request answered
    two_ms: float
    apart_ms: float

    @classmethod
    def of(cls, *phases: tuple[Result, Share, list[int]]) -> Round:
        def ms(share: Share, answered: list[int]) -> float:
            return sum(share.servers) / max(sum(answered), 1) * 1000

        rates = [r.rate for r, _, _ in phases]
        return cls(*rates, *(ms(share, answered) for _, share, answered in phases))

    @property
    def ratio(self) -> float:
        return self.two / max(self.one, 1.0)

    @property
    def apart_ratio(self) -> float:
        return self.apart / max(self.one, 1.0)


async def alternate(kiosks: Kiosks, other: Kiosks, ports: list[int], clients: int,
                    seconds: float, dsn: str,
                    servers_up: Callable[[int], contextlib.AbstractContextManager[list[int]]],
                    apart_up: Callable[[], contextlib.AbstractContextManager[list[int]]],
                    rounds: int) -> list[Round]:
    """`rounds` rounds of three phases (`Round`), the clients as in the table's phases; apart,
    client i issues into `kiosks` on the first server when i is even and into `other` (the
    second database's copy of the halls) on the second when odd."""
    out = []
    for _ in range(rounds):
        phases = []
        for way in ("one", "two", "apart"):
            up = apart_up() if way == "apart" else servers_up(1 if way == "one" else 2)
            with up as pids:
                n = len(pids)
                watch, answered = Watch(dsn, pids), [0] * n

                def send(i: int, c: Connection, way: str = way) -> Any:
                    return (other if way == "apart" and i % 2 else kiosks).issue(c, i)

                r = await closed(f"issue {way}", ports[:n], clients, seconds, send, watch,
                                 answered)
                phases.append((r, watch.share, answered))
        out.append(Round.of(*phases))
    return out


def rounds_rows(rounds: list[Round]) -> str:
    lines = ["  many halls in rounds of three adjacent phases: 1 server, 2 servers on the one "
             "database, 2 servers apart (each on a database of its own); issues/s, and the "
             "servers' CPU a request:"]
    lines += [f"    {r.one:.0f} / {r.two:.0f} / {r.apart:.0f}/s: 2 ÷ 1 = {r.ratio:.2f}, apart ÷ "
              f"1 = {r.apart_ratio:.2f}; {r.one_ms:.2f} / {r.two_ms:.2f} / {r.apart_ms:.2f} ms"
              for r in rounds]
    two = statistics.median(r.ratio for r in rounds)
    apart = statistics.median(r.apart_ratio for r in rounds)
    note("pg_rounds", {"two_over_one": [round(r.ratio, 2) for r in rounds],
                       "apart_over_one": [round(r.apart_ratio, 2) for r in rounds],
                       "median_two": round(two, 2), "median_apart": round(apart, 2),
                       "server_ms": [[round(r.one_ms, 2), round(r.two_ms, 2),
                                      round(r.apart_ms, 2)] for r in rounds]})
    lines.append(f"    medians: 2 ÷ 1 = {two:.2f}, apart ÷ 1 = {apart:.2f} (2 on one database ÷ "
                 f"apart = {two / max(apart, 0.01):.2f})")
    return "\n".join(lines)


def share_note(share: Share, answered: list[int]) -> dict[str, Any]:
    return {"cores": {"servers": round(share.cores(sum(share.servers)), 2),
                      "loader": round(share.cores(share.loader), 2),
                      "postgres": round(share.cores(share.postgres), 2),
                      "other": round(share.cores(share.other), 2)},
            "server_ms_per_request": [round(cpu / max(n, 1) * 1000, 2)
                                      for cpu, n in zip(share.servers, answered, strict=True)],
            "lock_wait_samples": [share.lock_samples, share.samples]}


def print_shares(shares: list[tuple[Result, Share, list[int]]]) -> None:
    """Where each phase's CPU went, and the servers' CPU per request answered."""
    print(f"  where the CPU went in each measured window (cores busy of {CORES}; server CPU "
          f"ms a request answered, by server; PG backends waiting on a lock, sampled 5/s):")
    for r, share, answered in shares:
        per = " ".join(f"{cpu / max(n, 1) * 1000:.2f}"
                       for cpu, n in zip(share.servers, answered, strict=True))
        print(f"  {r.name:<22} {share.cores_row()}; ms/req {per}; {share.locks_row()}")


def cpu_verdict(one: Result, share: Share, answered: list[int], gain: float,
                cap: float | None = None) -> str:
    """What one server's phase over many halls says about adding servers, from its own figures:
    the CPU a request costs (server, loader, PostgreSQL) against what one server process and
    the machine's cores can give. Both bounds are generous: a Python process runs on about one
    core (the GIL) or on its cap (`--server-cpu`), the machine's bound gives the bench every
    core (no other users)."""
    n = max(sum(answered), 1)
    server, loader, pg = sum(share.servers) / n, share.loader / n, share.postgres / n
    ours = server + loader + pg
    server_busy = share.cores(sum(share.servers))
    # requests/s one server process can answer
    server_cap = (cap if cap else max(1.0, server_busy)) / server
    machine_cap = CORES / ours  # requests/s if the bench's processes had every core
    two = min(2 * server_cap, machine_cap)
    waits = share.lock_waiting / max(share.samples, 1)
    need = 1.6 * one.rate * ours
    lines = [
        f"  1 server, {one.name.split('srv ')[1]}: {one.rate:.0f}/s; CPU a request {ours * 1000:.2f}"
        f" ms all told (server {server * 1000:.2f}, loader {loader * 1000:.2f}, postgres "
        f"{pg * 1000:.2f}); {share.cores(share.machine):.2f} of {CORES} cores busy "
        f"({share.cores(share.other):.2f} not the bench's); {waits:.2f} backends waiting on a "
        f"lock on average",
        f"  the server process was {server_busy:.2f} cores busy ("
        f"{f'capped at {cap:g}' if cap else 'a Python process runs on about one'}: "
        f"≤ {server_cap:.0f}/s a server); the whole request on {CORES} cores: ≤ "
        f"{machine_cap:.0f}/s; so 2 servers ≤ {two:.0f}/s = {two / max(one.rate, 1):.2f}× one "
        f"(measured {gain:.2f}×); 1.6× needs {need:.2f} cores for the bench's processes alone"]
    if two < 1.6 * one.rate:
        lines.append(f"  → a second server cannot reach 1.6× on this machine: the limit is "
                     f"CPU ({CORES} cores for server, loader and PostgreSQL), not locks")
    elif cap and server_busy >= 0.85 * cap:
        lines.append(f"  → the server used its {cap:g} cores: each server added brings its own "
                     f"CPU, and the machine leaves room for 1.6×")
    elif server_busy < 0.85 * (cap or 1.0) and share.cores(share.machine) < 0.9 * CORES:
        lines.append("  → neither the server process nor the machine was busy: CPU was not the "
                     "limit (look at the lock waits and the loader)")
    else:
        lines.append("  → CPU leaves room for 1.6× on this machine")
    return "\n".join(lines)


async def _open_two(kiosks: Kiosks, ports: list[int], rate: float, seconds: float,
                    name: str) -> OpenResult:
    """An open loop at `rate` split evenly over the servers, as one result."""
    parts = await asyncio.gather(*(open_loop(
        HOST, port, rate / len(ports), seconds, lambda i, c: kiosks.issue(c), name=name,
        ok=(201,), pool=32) for port in ports))
    merged = OpenResult(name, rate, seconds)
    for p in parts:
        merged.accepted += p.accepted
        merged.refused += p.refused
        merged.unanswered += p.unanswered
        merged.late_sends += p.late_sends
        for k, v in p.errors.items():
            merged.errors[k] = merged.errors.get(k, 0) + v
    return merged


# -- main ------------------------------------------------------------------------------------
def run_sqlite(work: Path, parts: set[str], args: argparse.Namespace) -> None:
    hall = harness.provision(work, counters=16)
    kiosks = Kiosks([hall])
    port, lean_port = harness.free_port(), harness.free_port()
    db_path = work / "hall.db"
    with queue_server(hall.db_url, port, work / "server.log"), \
            lean_server(f"sqlite:///{work / 'lean.db'}", lean_port, work / "lean.log"):
        harness.login_all(f"http://{HOST}:{port}", hall)
        capacity = args.capacity
        if "sqlite" in parts:
            capacity = asyncio.run(sqlite_closed(kiosks, port, lean_port, args.seconds))
        if "open" in parts:
            if not capacity:
                capacity = asyncio.run(closed("issue", [port], 32, args.seconds,
                                              lambda i, c: kiosks.issue(c))).rate
            asyncio.run(sqlite_open(kiosks, port, capacity, args.seconds))
        if "cycles" in parts:
            asyncio.run(cycles(kiosks, hall, port, args.seconds))
        if "sse" in parts:
            asyncio.run(fanout(kiosks, hall, port, db_path, args.subscribers, args.rounds,
                               work / "server.log", args.gap))
        if "storm" in parts:
            asyncio.run(storm(kiosks, hall, port, db_path, args.subscribers, args.backlog,
                              args.storm_rounds))


def run_pg(work: Path, args: argparse.Namespace) -> None:
    with harness.pg_database() as db_url, contextlib.ExitStack() as second:
        halls = provision_halls(work, db_url, args.halls)
        apart_url = second.enter_context(harness.pg_database("bench_apart")) \
            if args.pg_rounds else None
        if apart_url:
            (work / "apart").mkdir()
        apart_halls = provision_halls(work / "apart", apart_url, args.halls) if apart_url else []
        ports = [harness.free_port() for _ in range(3)]
        lean_ports = [harness.free_port() for _ in range(2)]
        with contextlib.ExitStack() as stack:
            leans = [stack.enter_context(lean_server(db_url, port, work / f"pglean{i}.log"))
                     for i, port in enumerate(lean_ports)]
            cap = stack.enter_context(CpuCap(args.server_cpu)) if args.server_cpu else None
            if cap is not None:
                for lean in leans:
                    cap.add(lean.pid)

            @contextlib.contextmanager
            def up_on(urls: list[str], name: str) -> Iterator[list[int]]:
                """Queue servers on these databases (one each, on `ports` in order) for one
                phase, stopped after it."""
                with contextlib.ExitStack() as up:
                    pids = [up.enter_context(queue_server(url, port, work / f"{name}-{i}.log")).pid
                            for i, (url, port) in enumerate(zip(urls, ports, strict=False))]
                    if cap is not None:
                        for pid in pids:
                            cap.add(pid)
                    yield pids

            def servers_up(n: int) -> contextlib.AbstractContextManager[list[int]]:
                """Queue servers 1…n on the bench database. Only the servers a phase measures
                run: an idle server folds the figures of the others' events in its quiet
                moments, CPU the measured servers would otherwise have (an outside loader
                that starts one server, then two, sees none of it)."""
                return up_on([db_url] * n, f"pg{n}srv")

            def apart_up() -> contextlib.AbstractContextManager[list[int]]:
                """Two servers apart: the first on the bench database, the second on the
                other one."""
                return up_on([db_url, str(apart_url)], "apart")

            dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
            apart = Apart(apart_halls, apart_up, args.pg_rounds) if apart_url else None
            asyncio.run(pg_phases(halls, ports, lean_ports, args.seconds, args.pg_clients,
                                  dsn, servers_up, [lean.pid for lean in leans],
                                  args.server_cpu, apart))
        checks = [pg_check(url) for url in (db_url, apart_url) if url]
        total, dups, gaps = (sum(column) for column in zip(*checks, strict=True))
        print(f"  numbering: {total} tickets, {dups} duplicates, {gaps} gaps "
              f"({'MET' if dups == 0 else 'NOT MET'}: 0 duplicates)"
              f"{' (both databases)' if len(checks) > 1 else ''}")
        note("pg_numbering", {"tickets": total, "duplicates": dups, "gaps": gaps})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="sqlite,open,cycles,sse,storm,pg")
    parser.add_argument("--seconds", type=float, default=4.0, help="measured time a phase")
    parser.add_argument("--capacity", type=float, default=0.0,
                        help="issues/s for the open loop when the sqlite part is skipped")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=120,
                        help="calls with and without them (120: a p99 that is not the max)")
    parser.add_argument("--gap", type=float, default=0.05,
                        help="sse: seconds between a finish's answer and the next call (0: "
                             "back to back, while the finish is still being handed out)")
    parser.add_argument("--backlog", type=int, default=500,
                        help="storm: events committed before the boards reconnect")
    parser.add_argument("--storm-rounds", type=int, default=3)
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--pg-clients", type=int, default=32)
    parser.add_argument("--pg-rounds", type=int, default=3,
                        help="pg: rounds of three adjacent phases over the many halls: one "
                             "server, two, and two apart (each on a database of its own)")
    parser.add_argument("--server-cpu", type=float, default=0.0, metavar="CORES",
                        help="pg: cap each server process at CORES cores in a cgroup of its "
                             "own, as if each ran on a machine of its own (root)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--limit", type=int, default=420, help="hard limit of the run (s)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    def too_long(*_: object) -> None:
        raise SystemExit(f"bench_scale: stopped after {args.limit} s (--limit)")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.limit)
    started = time.monotonic()
    print(f"bench_scale: {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, {load()}")
    with tempfile.TemporaryDirectory(prefix="kuaiban-scale-") as tmp:
        work = Path(tmp)
        if parts & {"sqlite", "open", "cycles", "sse", "storm"}:
            run_sqlite(work, parts, args)
        if "pg" in parts:
            run_pg(work, args)
    print(f"\nwhole run {time.monotonic() - started:.0f} s ({load()})")
    if args.json:
        args.json.write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
