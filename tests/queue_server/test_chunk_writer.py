"""The guard's chunk writer (api/guard.py `chunk_writer`): how the event hub writes an event into
each board's connection without the ASGI send. A real uvicorn with the guard's protocol on
loopback, a small ASGI app (and the server's own app), and clients reading the bytes as they
come."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from queue_server.api.guard import Limits, chunk_writer, guarded

pytestmark = pytest.mark.timeout(60)
Writer = Callable[[bytes], bool]


class App:
    """`/stream`: a chunked body, its first part by the ASGI send, then what the test writes
    through the chunk writer, until `done` is set; `/fixed`: a body of known length."""

    def __init__(self) -> None:
        self.writer: asyncio.Future[Writer | None] = asyncio.get_running_loop().create_future()
        self.done = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/fixed":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"2")]})
            self.writer.set_result(chunk_writer(scope))
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})
        await send({"type": "http.response.body", "body": b"first\n", "more_body": True})
        self.writer.set_result(chunk_writer(scope))
        await self.done.wait()
        await send({"type": "http.response.body", "body": b"last\n", "more_body": False})


@contextlib.asynccontextmanager
async def serving(app: App) -> AsyncIterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            http=guarded(Limits()), lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


def test_a_chunked_body_goes_on_through_the_writer_in_order() -> None:
    asyncio.run(_a_chunked_body_goes_on_through_the_writer_in_order())


async def _a_chunked_body_goes_on_through_the_writer_in_order() -> None:
    app = App()
    async with serving(app) as port, httpx.AsyncClient() as client, \
            client.stream("GET", f"http://127.0.0.1:{port}/stream") as response:
        body = response.aiter_raw()
        assert await anext(body) == b"first\n"
        write = await app.writer
        assert write is not None
        assert write(b"data: one\n\n") and write(b"data: \xe4\xb8\x80\n\n")
        received = b""
        while len(received) < len(b"data: one\n\ndata: \xe4\xb8\x80\n\n"):
            received += await anext(body)
        app.done.set()
        received += b"".join([part async for part in body])  # the terminating chunk: no error
        assert received == "data: one\n\ndata: 一\n\nlast\n".encode()
        assert not write(b"after the end")  # the response is complete: nothing written


def test_no_writer_for_a_body_of_known_length() -> None:
    asyncio.run(_no_writer_for_a_body_of_known_length())


async def _no_writer_for_a_body_of_known_length() -> None:
    app = App()
    async with serving(app) as port, httpx.AsyncClient() as client:
        assert (await client.get(f"http://127.0.0.1:{port}/fixed")).text == "ok"
        assert await app.writer is None


def test_a_client_that_does_not_read_gets_nothing_more_through_the_writer() -> None:
    asyncio.run(_a_client_that_does_not_read_gets_nothing_more_through_the_writer())


async def _a_client_that_does_not_read_gets_nothing_more_through_the_writer() -> None:
    """Over the high-water mark the writer writes nothing and answers False: the hub then
    leaves the subscriber to its own coroutine, whose ASGI send waits for the client."""
    app = App()
    async with serving(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
        write = await app.writer
        assert write is not None
        block, written = b"x" * 65536, 0
        while write(block):
            written += 1
            await asyncio.sleep(0)  # let the transport try to send
            assert written < 10_000, "the writer never noticed the client stopped reading"
        assert not write(b"more")
        writer.close()
        app.done.set()


def test_the_event_stream_writes_live_events_through_the_connections_writer(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's own event stream, behind the guard as `python -m queue_server` runs it:
    a board following live events gets them written by its connection's chunk writer, each
    event once, as SSE frames."""
    from datetime import datetime

    from queue_server.api import stream
    from tests.queue_server.inproc import HALL_TZ, Clock, InProcServer, enrol, journey_db

    written: list[bytes] = []

    def counting(scope: Any) -> Writer | None:
        write = chunk_writer(scope)
        if write is None:
            return None

        def wrapped(data: bytes) -> bool:
            written.append(data)
            return write(data)
        return wrapped

    monkeypatch.setattr(stream, "chunk_writer", counting)
    server = InProcServer(journey_db(tmp_path), Clock(datetime(2026, 3, 6, 10, tzinfo=HALL_TZ)),
                          guard=True)
    try:
        kiosk = server.client(enrol(server.store.url, "kiosk", "k1"))
        display = enrol(server.store.url, "display", "d1")
        after = server.store.last_event("j1")
        with httpx.Client(timeout=10) as client, client.stream(
                "GET", f"{server.url}/api/v1/events?after={after}",
                headers={"Authorization": f"Bearer {display}"}) as events:
            lines = events.iter_lines()
            assert next(lines).startswith("retry:")

            def issued(count: int) -> list[str]:
                got: list[str] = []
                for line in lines:
                    if line.startswith("data:") and '"ticket.issued"' in line:
                        got.append(line)
                        if len(got) == count:
                            return got
                raise AssertionError("the stream ended")

            # A ticket issued before the board has caught up reaches it through its catch-up
            # (the ASGI send): wait until it follows live events, its writer set.
            kiosk.post("/tickets", json={"service": "general"})
            issued(1)
            hub = server.store.on_events.__self__  # type: ignore[attr-defined]
            deadline = time.monotonic() + 10
            while not any(sub.sink is not None for feed in list(hub._feeds.values())
                          for sub in list(feed.subs)):
                assert time.monotonic() < deadline, "the board never followed live events"
                time.sleep(0.005)
            numbers = [kiosk.post("/tickets", json={"service": s}).json()["number"]
                       for s in ("general", "general")]
            got = issued(2)
        assert [n for n in numbers if any(f'"number":"{n}"' in g for g in got)] == numbers
        frames = [w for w in written if b"ticket.issued" in w
                  and any(f'"number":"{n}"'.encode() in w for n in numbers)]
        assert len(frames) == 2 and all(w.startswith(b"id: ") for w in frames), written
    finally:
        server.stop()
        server.store.close()
