"""How long one `ticket.called` takes to reach every one of 500 connected subscribers, over
Server-Sent Events and over WebSocket (goal: p99 under 100 ms). Run by bench_queue.py, or alone:

    .venv/bin/python bench/bench_fanout.py [--subscribers 500] [--rounds 30]

Per round: a kiosk issues a ticket, then the clock starts as counter Q01 sends call-next; each
subscriber notes when the `ticket.called` arrives; the round's figure is the LAST subscriber's
arrival (so it includes the call-next transaction itself). Subscribers are raw asyncio
connections (SSE) or `websockets` clients with compression off, all in this one process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import harness
import websockets
from httpload import Connection, percentile

Sink = Callable[[dict[str, Any]], None]


async def sse_subscriber(port: int, token: str, after: int, sink: Sink,
                         ready: asyncio.Event, prefix: str = "/api/v1") -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET {prefix}/events?after={after} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"SSE refused: {head[:200]!r}")
        ready.set()
        async for line in reader:
            if line.startswith(b"data: "):
                sink(json.loads(line[6:]))
    finally:
        writer.close()


async def ws_subscriber(port: int, token: str, after: int, sink: Sink,
                        ready: asyncio.Event, prefix: str = "/api/v1") -> None:
    url = f"ws://127.0.0.1:{port}{prefix}/events/ws?after={after}"
    async with websockets.connect(url, compression=None, open_timeout=60,
                                  additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        ready.set()
        async for frame in ws:
            sink(json.loads(frame))


async def last_event_id(port: int, token: str) -> int:
    """The id of the newest event: read the SSE catch-up until the stream goes quiet."""
    last = 0

    def sink(event: dict[str, Any]) -> None:
        nonlocal last
        last = event["id"]

    task = asyncio.create_task(sse_subscriber(port, token, 0, sink, asyncio.Event()))
    seen = -1
    while seen != last:
        seen = last
        await asyncio.sleep(0.3)
    task.cancel()
    return last


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rounds(port: int, hall: harness.BenchHall, kind: str, subscribers: int, count: int,
                 pid: int | None = None) -> tuple[list[float], float]:
    """Per round, the time to the last subscriber; and the server's CPU ms per round."""
    after = await last_event_id(port, hall.display_token)
    arrived: dict[str, list[float]] = {}

    def make_sink() -> Sink:
        def sink(event: dict[str, Any]) -> None:
            if event["type"] == "ticket.called":
                arrived.setdefault(event["number"], []).append(time.perf_counter())
        return sink

    start: Callable[..., Coroutine[Any, Any, None]] = (sse_subscriber if kind == "sse"
                                                        else ws_subscriber)
    readies = [asyncio.Event() for _ in range(subscribers)]
    tasks = [asyncio.create_task(start(port, hall.display_token, after, make_sink(), r))
             for r in readies]
    kiosk, counter = Connection("127.0.0.1", port), Connection("127.0.0.1", port)
    who = hall.counters[0]
    auth = {"Authorization": f"Bearer {who.session}"}
    figures: list[float] = []
    try:
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
        await asyncio.sleep(1.0)  # every subscriber past its catch-up and following live
        cpu_start = 0.0
        for n in range(count + 2):  # two warm-up rounds
            if n == 2 and pid is not None:
                cpu_start = cpu_seconds(pid)
            await counter.request("POST", f"/api/v1/counters/{who.code}/finish",
                                  {"outcome": "done"}, auth)
            status, ticket = await kiosk.request(
                "POST", "/api/v1/tickets", {"service": hall.services[0]},
                {"Authorization": f"Bearer {hall.kiosk_token}"})
            assert status == 201, ticket
            sent = time.perf_counter()
            status, called = await counter.request("POST",
                                                   f"/api/v1/counters/{who.code}/call-next",
                                                   headers=auth)
            assert status == 200, called
            number = called["number"]
            deadline = time.monotonic() + 5
            while len(arrived.get(number, [])) < subscribers and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            times = arrived.get(number, [])
            if len(times) < subscribers:
                raise RuntimeError(f"{kind}: only {len(times)}/{subscribers} got {number}")
            figures.append(max(times, default=sent) - sent)
        cpu_ms = (cpu_seconds(pid) - cpu_start) / count * 1000 if pid is not None else 0.0
        return figures[2:], cpu_ms
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        kiosk.close()
        counter.close()


async def measure(port: int, hall: harness.BenchHall, subscribers: int = 500,
                  count: int = 20, pid: int | None = None) -> dict[str, Any]:
    _, baseline = await rounds(port, hall, "sse", 0, count, pid)  # the same rounds, no one
    out: dict[str, Any] = {"subscribers": subscribers, "rounds": count,
                           "baseline_cpu_ms_per_round": round(baseline, 1)}
    for kind in ("sse", "ws"):
        figures, cpu_ms = await rounds(port, hall, kind, subscribers, count, pid)
        out[kind] = {"p50_ms": round(percentile(figures, 50) * 1000, 1),
                     "p99_ms": round(percentile(figures, 99) * 1000, 1),
                     "max_ms": round(max(figures) * 1000, 1),
                     "server_cpu_ms_per_round": round(cpu_ms, 1)}
    return out


def report(figures: dict[str, Any]) -> None:
    print(f"one ticket.called to the last of {figures['subscribers']} subscribers "
          f"({figures['rounds']} rounds, from call-next sent; goal p99 < 100 ms):")
    for kind in ("sse", "ws"):
        f = figures[kind]
        print(f"  {kind:<4} p50 {f['p50_ms']:6.1f} ms   p99 {f['p99_ms']:6.1f} ms"
              f"   max {f['max_ms']:6.1f} ms   server CPU {f['server_cpu_ms_per_round']:5.1f} ms"
              " a round")
    print(f"  (server CPU a round with no subscriber: {figures['baseline_cpu_ms_per_round']:.1f}"
          " ms: issue + call-next + finish)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kuaiban-fanout-") as tmp:
        hall = harness.provision(Path(tmp), counters=1)
        port = harness.free_port()
        with harness.queue_server(hall.db_url, port, Path(tmp) / "server.log") as server:
            harness.login_all(f"http://127.0.0.1:{port}", hall)
            figures = asyncio.run(measure(port, hall, args.subscribers, args.rounds,
                                          server.pid))
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
