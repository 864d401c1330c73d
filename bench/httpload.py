"""A small closed-loop HTTP/1.1 load generator for the benchmarks: raw asyncio streams with
keep-alive (far cheaper per request than a full client library, which matters when the load
generator shares the server's two cores), latency statistics and table printing.

Closed loop: each simulated client sends its next request as soon as the previous answer came
back, so a latency is one request's round trip and throughput is what the server sustained.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection to host:port."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, method: str, path: str, body: Any = None,
                      headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Send one request; answer (status, decoded JSON body or None)."""
        reader, writer = await self._open()
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.close()
            raise HttpError(f"connection lost: {exc}") from exc
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, close = 0, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = await reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, (json.loads(data) if data else None)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


@dataclass
class Result:
    """Latencies (seconds) of one named operation in one phase."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def row(self) -> str:
        errs = ", ".join(f"{k}×{v}" for k, v in sorted(self.errors.items())) or "-"
        return (f"{self.name:<22}{self.clients:>8}{self.rate:>10.0f}{self.ms(50):>9.1f}"
                f"{self.ms(99):>9.1f}{statistics.fmean(self.latencies or [0]) * 1000:>9.1f}"
                f"   {errs}")


HEADER = f"{'operation':<22}{'clients':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'mean':>9}   errors"

# A client step: given its index and connection, do one unit of work and record into results.
Step = Callable[[int, Connection], Awaitable[None]]


async def closed_loop(host: str, port: int, clients: int, seconds: float, step: Step,
                      warmup: float = 0.3, watch: Any = None) -> float:
    """Run `clients` loops of `step` for `seconds` (after a short untimed warm-up, which the
    steps must ignore by checking `measuring()`); answer the measured wall time. `watch`
    (start(), stop()) is started and stopped with the measured window."""
    conns = [Connection(host, port) for _ in range(clients)]
    state = {"measure": False, "stop": False}

    async def loop(i: int) -> None:
        while not state["stop"]:
            await step(i, conns[i])

    tasks = [asyncio.create_task(loop(i)) for i in range(clients)]
    MEASURING.clear()
    await asyncio.sleep(warmup)
    if watch is not None:
        watch.start()
    MEASURING.set()
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    MEASURING.clear()
    elapsed = time.perf_counter() - started
    if watch is not None:
        watch.stop()
    state["stop"] = True
    done, pending = await asyncio.wait(tasks, timeout=10)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    for conn in conns:
        conn.close()
    return elapsed


MEASURING = asyncio.Event()


async def timed(result: Result, call: Awaitable[tuple[int, Any]],
                ok: tuple[int, ...] = (200, 201)) -> tuple[int, Any]:
    """Await one request; record its latency into `result` while measuring."""
    start = time.perf_counter()
    status, body = await call
    took = time.perf_counter() - start
    if MEASURING.is_set():
        if status in ok:
            result.latencies.append(took)
        else:
            code = body.get("error", {}).get("code", "") if isinstance(body, dict) else ""
            result.error(f"{status} {code}".strip())
    return status, body


@dataclass
class OpenResult:
    """An open-loop run: requests sent at a fixed rate whatever the answers, each latency
    counted from the moment the request was due (so a loader that falls behind does not hide
    the server's queue)."""

    name: str
    rate: float  # offered requests a second
    seconds: float = 0.0
    accepted: list[float] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)  # 503 answers
    errors: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    late_sends: int = 0  # requests the loader itself sent more than 5 ms late

    @property
    def sent(self) -> int:
        return len(self.accepted) + len(self.refused) + sum(self.errors.values()) \
            + self.unanswered

    def row(self) -> str:
        def ms(values: list[float], q: float) -> str:
            return f"{percentile(values, q) * 1000:9.1f}" if values else f"{'-':>9}"

        errs = ", ".join(f"{k}×{v}" for k, v in sorted(self.errors.items())) or "-"
        return (f"{self.name:<26}{self.rate:>8.0f}{len(self.accepted) / self.seconds:>9.0f}"
                f"{ms(self.accepted, 50)}{ms(self.accepted, 99)}{len(self.refused):>8}"
                f"{ms(self.refused, 50)}{ms(self.refused, 99)}{self.unanswered:>7}"
                f"{self.late_sends:>7}   {errs}")


OPEN_HEADER = (f"{'open loop':<26}{'offered':>8}{'ok/s':>9}{'ok p50':>9}{'ok p99':>9}"
               f"{'503s':>8}{'503 p50':>9}{'503 p99':>9}{'unans':>7}{'late':>7}   errors")

# An open-loop request: given its sequence number and a connection, send it.
Send = Callable[[int, Connection], Awaitable[tuple[int, Any]]]


async def open_loop(host: str, port: int, rate: float, seconds: float, send: Send,
                    name: str = "", ok: tuple[int, ...] = (200, 201), pool: int = 64,
                    max_conns: int = 1000, grace: float = 10.0) -> OpenResult:
    """Send `rate` requests a second for `seconds`, each on an idle keep-alive connection (a
    new one when none is idle, up to `max_conns`); wait at most `grace` seconds for the last
    answers, then count what is still out as unanswered."""
    result = OpenResult(name, rate, seconds)
    idle = [Connection(host, port) for _ in range(pool)]
    for conn in idle:
        await conn._open()
    opened = len(idle)
    out: set[asyncio.Task[None]] = set()

    async def one(i: int, due: float) -> None:
        nonlocal opened
        if idle:
            conn = idle.pop()
        elif opened < max_conns:
            opened += 1
            conn = Connection(host, port)
        else:
            result.errors["loader out of connections"] = \
                result.errors.get("loader out of connections", 0) + 1
            return
        try:
            status, body = await send(i, conn)
        except HttpError as exc:
            result.errors[str(exc)[:40]] = result.errors.get(str(exc)[:40], 0) + 1
            conn.close()
            idle.append(conn)
            return
        took = time.perf_counter() - due
        if status in ok:
            result.accepted.append(took)
        elif status == 503:
            result.refused.append(took)
        else:
            code = body.get("error", {}).get("code", "") if isinstance(body, dict) else ""
            key = f"{status} {code}".strip()
            result.errors[key] = result.errors.get(key, 0) + 1
        idle.append(conn)

    total = int(rate * seconds)
    start = time.perf_counter()
    i = 0
    while i < total:
        now = time.perf_counter()
        while i < total and start + i / rate <= now:
            due = start + i / rate
            if now - due > 0.005:
                result.late_sends += 1
            task = asyncio.create_task(one(i, due))
            out.add(task)
            task.add_done_callback(out.discard)
            i += 1
        await asyncio.sleep(max(0.0, min(0.001, start + i / rate - time.perf_counter())))
    if out:
        _, pending = await asyncio.wait(set(out), timeout=grace)
        result.unanswered = len(pending)
        for task in pending:
            task.cancel()
    for conn in idle:
        conn.close()
    return result
