"""The connection guard: limits uvicorn alone does not give, kept per TCP connection by wrapping
uvicorn's HTTP protocol (and the WebSocket protocol a connection upgrades to).

- Connections per client address (`per_client`) and in all (`total`): one over either gets
  503 `too_many_connections` and is closed. An event stream is a connection and HTTP/1.1 runs
  one request at a time on a connection, so this bounds a client's concurrent requests and
  streams together. Clients behind one NAT address share its cap.
- Header timeout: a request's head (request line and headers, at most `max_head` bytes) must
  arrive in full within `header_timeout` seconds of the connection's start or of its first byte
  (slowloris); else 408 `header_timeout` and close. A connection that never sends a request is
  closed the same way, so idle sockets cannot pile up (uvicorn's keep-alive timeout only starts
  after a response, and any byte resets it).
- Idle timeout: no byte either way for `idle_timeout` seconds closes the connection (event
  streams send a ping every 10 s and WebSockets every 20 s, so they are never idle).
- Write stall: a client that stops reading (its TCP window full, our buffer over the high-water
  mark) for `stall_timeout` seconds is cut off, so a stuck event subscriber is dropped within a
  bounded time; it resumes with `after=` its last id.
A request body's own deadline (trickled bodies) is `http_errors.BodyLimit`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HEAD_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Limits:
    per_client: int = 64
    total: int = 2048
    header_timeout: float = 10.0
    idle_timeout: float = 120.0
    stall_timeout: float = 30.0
    max_head: int = 64 * 1024


def _answer(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}},
                      ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n")
    if status == 503:
        head += "retry-after: 5\r\n"
    return head.encode() + b"\r\n" + body


TOO_MANY = _answer(503, "Service Unavailable", "too_many_connections",
                   "连接过多,请稍后重试 / too many connections from this address, retry shortly")
HEAD_TIMEOUT = _answer(408, "Request Timeout", "header_timeout",
                       "请求头未能按时收到 / the request head did not arrive in time")
HEAD_TOO_LARGE = _answer(431, "Request Header Fields Too Large", "header_too_large",
                         "请求头过大 / the request head is too large")


class Registry:
    """Open connections per client address, for one server."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.per_client: dict[str, int] = {}
        self.total = 0

    def admit(self, client: str) -> bool:
        held = self.per_client.get(client, 0)
        if held >= self.limits.per_client or self.total >= self.limits.total:
            return False
        self.per_client[client] = held + 1
        self.total += 1
        return True

    def release(self, client: str) -> None:
        held = self.per_client.get(client, 0) - 1
        if held > 0:
            self.per_client[client] = held
        else:
            self.per_client.pop(client, None)
        self.total -= 1


class _Proxy:
    """The transport as the wrapped protocol sees it: writes are noted, and a protocol switch
    (the WebSocket upgrade) replaces the guard's inner protocol instead of the guard."""

    def __init__(self, transport: asyncio.Transport, guard: GuardedProtocol) -> None:
        self._t, self._g = transport, guard

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._g.wrote(bytes(data[:13]))
        self._t.write(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._g.switch(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._g.inner

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._t.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self._t.is_closing()

    def close(self) -> None:
        self._t.close()

    def abort(self) -> None:
        self._t.abort()

    def pause_reading(self) -> None:
        self._t.pause_reading()

    def resume_reading(self) -> None:
        self._t.resume_reading()

    def is_reading(self) -> bool:
        return self._t.is_reading()

    def __getattr__(self, name: str) -> Any:  # the rest of the transport's interface
        return getattr(self._t, name)


# The open HTTP connections by (our port, the client's address and port): what an ASGI scope
# names as `server` and `client`, so a response can find its own connection (`chunk_writer`).
_OPEN: dict[tuple[int, str, int], GuardedProtocol] = {}


def _key(sockname: Any, peername: Any) -> tuple[int, str, int] | None:
    """(our port, the client's address and port) of a socket's names or an ASGI scope's
    `server` and `client`; None for a Unix socket's or a missing one."""
    if (isinstance(sockname, (tuple, list)) and len(sockname) >= 2
            and isinstance(peername, (tuple, list)) and len(peername) >= 2):
        return int(sockname[1]), str(peername[0]), int(peername[1])
    return None


def chunk_writer(scope: Any) -> Callable[[bytes], bool] | None:
    """For a response under way (its head sent) on a guarded connection: a function that
    writes one chunk of its body straight into the connection, chunk-framed as uvicorn's own
    send frames it, and answers True; or False, writing nothing, when the client's buffer is
    over its high-water mark, the response has ended or the connection is closing (then the
    ASGI send, which waits, takes over). None where the connection is not known here or the
    body is not chunked: use the ASGI send. Why: the event hub writes each event to every
    board, and the ASGI send (uvicorn's send under Starlette's wrappers, a coroutine each)
    cost some 40 % of a fan-out's time beside the socket writes."""
    key = _key(scope.get("server"), scope.get("client"))
    guard = None if key is None else _OPEN.get(key)
    return None if guard is None else guard.chunk_writer()


class GuardedProtocol(asyncio.Protocol):
    """Made by uvicorn for each connection (its protocol class's signature); `guarded()`
    gives the subclass that carries the limits and the registry."""

    limits: Limits = Limits()
    registry: Registry = Registry(limits)

    def __init__(self, config: Any, server_state: Any, app_state: Any,
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        from uvicorn.protocols.http.auto import AutoHTTPProtocol

        self.loop = _loop or asyncio.get_event_loop()
        self.inner: asyncio.BaseProtocol = AutoHTTPProtocol(  # type: ignore[call-arg]
            config=config, server_state=server_state, app_state=app_state, _loop=_loop)
        self.transport: asyncio.Transport | None = None
        self.client = ""
        self.admitted = self.http = False
        self.awaiting_head = True  # the next bytes from the client start a request head
        self.head_started: float | None = None  # when the head's first byte came (or the connection)
        self.head_bytes = 0
        self.tail = b""  # the last bytes of a head, to find its end across reads
        self.answered = False  # something was written since the last head completed
        self.last_seen = self.loop.time()
        self.paused_at: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.proxy: _Proxy | None = None
        self.key: tuple[int, str, int] | None = None

    # -- asyncio.Protocol ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        self.head_started = self.last_seen = self.loop.time()
        if not self.registry.admit(self.client):
            self.inner = asyncio.Protocol()  # nothing behind: the request head gets TOO_MANY
            self._arm()
            return
        self.admitted = self.http = True
        self.proxy = _Proxy(transport, self)  # type: ignore[arg-type]
        self.key = _key(transport.get_extra_info("sockname"), peer)
        if self.key is not None:
            _OPEN[self.key] = self
        self.inner.connection_made(self.proxy)  # type: ignore[arg-type]
        self._arm()

    def data_received(self, data: bytes) -> None:
        now = self.loop.time()
        self.last_seen = now
        if (self.http or not self.admitted) and (self.awaiting_head or self.answered):
            if not self.awaiting_head:  # the next request on a kept-alive connection
                self.awaiting_head, self.head_started, self.head_bytes = True, now, 0
                self._arm()
            self._scan_head(data)
        if not self.admitted:
            if not self.awaiting_head:
                self._close_with(TOO_MANY)
            return
        if self.transport is not None and not self.transport.is_closing():
            self.inner.data_received(data)  # type: ignore[attr-defined]

    def _scan_head(self, data: bytes) -> None:
        seen = self.tail + data
        end = seen.find(HEAD_END)
        # the head's bytes so far: up to its end when this read holds it (a body may follow)
        self.head_bytes += len(data) if end < 0 else end + len(HEAD_END) - len(self.tail)
        if self.head_bytes > self.limits.max_head:  # also a whole oversized head in one read
            self._close_with(HEAD_TOO_LARGE)
        elif end >= 0:
            self.awaiting_head, self.answered, self.tail = False, False, b""
            self.head_started = None
        else:
            self.tail = seen[-3:]

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.admitted else None  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.key is not None and _OPEN.get(self.key) is self:
            del _OPEN[self.key]
        if self.admitted:
            self.admitted = False
            self.registry.release(self.client)
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.paused_at = self.loop.time()
        self.inner.pause_writing()
        self._arm()

    def resume_writing(self) -> None:
        self.paused_at = None
        self.inner.resume_writing()

    # -- what the proxy reports ------------------------------------------------------------
    def wrote(self, start: bytes) -> None:
        self.last_seen = self.loop.time()
        if not start.startswith(b"HTTP/1.1 100 "):  # after "100 Continue" the body follows
            self.answered = True

    def chunk_writer(self) -> Callable[[bytes], bool] | None:
        """See `chunk_writer(scope)`: uvicorn's HTTP/1.1 protocol (httptools or h11) keeps the
        response under way as its `cycle`; its body is chunked when `chunked_encoding`."""
        cycle, proxy = getattr(self.inner, "cycle", None), self.proxy
        if (not self.http or proxy is None
                or getattr(cycle, "chunked_encoding", None) is not True):
            return None

        def write(data: bytes) -> bool:
            if (self.paused_at is not None or getattr(cycle, "response_complete", True)
                    or proxy.is_closing()):
                return False
            proxy.write(b"%x\r\n%b\r\n" % (len(data), data))
            return True

        return write

    def switch(self, protocol: asyncio.BaseProtocol) -> None:
        """The connection became a WebSocket: only the idle and stall limits apply now."""
        self.inner, self.http, self.awaiting_head = protocol, False, False

    # -- the one timer ---------------------------------------------------------------------
    def _deadline(self) -> float:
        lim = self.limits
        due = self.last_seen + lim.idle_timeout
        if self.awaiting_head and self.head_started is not None:
            due = min(due, self.head_started + lim.header_timeout)
        if self.paused_at is not None:
            due = min(due, self.paused_at + lim.stall_timeout)
        return due

    def _arm(self) -> None:
        """Make sure the timer fires by the nearest deadline (it re-checks when it fires)."""
        due = self._deadline()
        if self.timer is not None:
            if self.timer.when() <= due:
                return
            self.timer.cancel()
        self.timer = self.loop.call_at(due, self._check)

    def _check(self) -> None:
        self.timer = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        now, lim = self.loop.time(), self.limits
        if self.paused_at is not None and now >= self.paused_at + lim.stall_timeout:
            _reset(transport)  # the client does not read: nothing more can be sent to it
        elif (self.awaiting_head and self.head_started is not None
              and now >= self.head_started + lim.header_timeout):
            self._close_with(TOO_MANY if not self.admitted else HEAD_TIMEOUT)
        elif now >= self.last_seen + lim.idle_timeout:
            transport.close()
        else:
            self._arm()

    def _close_with(self, answer: bytes) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            if not self.answered or not self.admitted:
                transport.write(answer)
            transport.close()


def _reset(transport: asyncio.Transport) -> None:
    """Abort with a TCP reset: a plain close would leave the kernel trying to deliver the
    unsent buffer to a client that reads nothing, for minutes."""
    sock = transport.get_extra_info("socket")
    with contextlib.suppress(Exception):  # not every transport lends its socket
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def guarded(limits: Limits) -> type[GuardedProtocol]:
    """The protocol class to give uvicorn (`http=`), with these limits and a registry of its
    own."""
    return type("Guarded", (GuardedProtocol,), {"limits": limits,
                                                 "registry": Registry(limits)})
