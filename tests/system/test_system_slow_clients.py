"""Slow and stuck clients while the hall works: request heads sent byte by byte (slowloris),
bodies trickled byte by byte, a pile of idle connections from one address, and a board that
stops reading its event stream while megabytes of events go out. Kiosks keep getting their
tickets meanwhile; the slow ones are cut off within their timeouts, one address cannot hold more
than its cap, the stuck board is dropped within the stall timeout and resumes with `after=`
missing nothing, the server's descriptors come back down, and the ledger's invariants hold."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.procs import ServerProcess
from tests.system.conftest import SystemHall
from tests.system.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
LIMITS = ("--header-timeout", "2", "--body-timeout", "2", "--stall-timeout", "2",
          "--max-conn-per-client", "32")
ESTABLISHED = 1


def _wait(predicate: Callable[[], bool], timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.02)
    return time.monotonic() - started


def _state(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def _connect(port: int, source: str) -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def _trickle(port: int, source: str, data: bytes, stop: threading.Event,
             answers: list[bytes]) -> None:
    """Send `data` a byte every 0.25 s; keep what the server answers before it closes."""
    with contextlib.suppress(OSError), _connect(port, source) as sock:
        sock.settimeout(0.25)
        for byte in data:
            if stop.is_set():
                break
            sock.sendall(bytes([byte]))
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            answers.append(chunk or b"(closed)")
            return
        answers.append(b"(never cut off)")


def _slow_clients(port: int, kiosk: str, stop: threading.Event, heads: list[bytes],
                  bodies: list[bytes]) -> list[threading.Thread]:
    """Twenty heads and ten bodies sent a byte every 0.25 s, from their own addresses."""
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 60 + b"\r\n\r\n"
    body = (f"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {kiosk}\r\n"
            "Content-Type: application/json\r\nContent-Length: 60\r\n\r\n").encode()
    slow = [threading.Thread(target=_trickle, args=(port, "127.0.0.21", head, stop, heads),
                             daemon=True) for _ in range(20)]
    slow += [threading.Thread(target=_trickle, args=(port, "127.0.0.22", body + b"{" * 60,
                                                     stop, bodies), daemon=True)
             for _ in range(10)]
    for t in slow:
        t.start()
    return slow


def _idle_past_the_cap(port: int) -> tuple[list[socket.socket], bytes]:
    """32 idle connections from one address (its cap), and what the 33rd is told."""
    idle = [_connect(port, "127.0.0.23") for _ in range(32)]
    extra = _connect(port, "127.0.0.23")
    extra.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    extra.settimeout(5)
    refused = extra.recv(4096)
    extra.close()
    return idle, refused


def _filler(db_url: str, hall: str, n: int, size: int) -> None:
    from queue_server.db.store import Store

    store = Store(db_url)
    try:
        with store.write() as tx:
            for i in range(n):
                tx.emit(hall, "test.filler", i=i, blob="x" * size)
    finally:
        store.close()


def test_slow_and_stuck_clients_do_not_hold_up_the_hall(
        system_hall: Callable[..., SystemHall], db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the limits are the server's, not the database's: SQLite is enough")
    hall = system_hall(counters=1)
    server: ServerProcess = hall.start(*LIMITS)
    pid, port = server.proc.pid, server.port
    fds_before = len(os.listdir(f"/proc/{pid}/fd"))
    ledger = Ledger(lambda: server.api(""), hall.kiosk)
    stop = threading.Event()
    kiosks = ledger.kiosks(stop, threads=2, timeout=5)
    _wait(lambda: len(ledger.acked) >= 10, 10)

    # the stuck board: asks for the stream, then reads nothing
    stuck = socket.socket()
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.connect(("127.0.0.1", port))
    stuck.sendall(f"GET /api/v1/events?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  f"{hall.display}\r\n\r\n".encode())
    heads: list[bytes] = []
    bodies: list[bytes] = []
    slow = _slow_clients(port, hall.kiosk, stop, heads, bodies)
    idle, refused = _idle_past_the_cap(port)
    _filler(hall.db_url, hall.id, 1500, 4000)  # 6 MB of events while the board reads nothing
    acked_during = len(ledger.acked)
    dropped_s = _wait(lambda: _state(stuck) != ESTABLISHED, 20)
    for t in slow:
        t.join(10)
    idle_closed = all(_closed(s) for s in idle)
    for s in idle:
        s.close()
    served = len(ledger.acked) - acked_during
    stop.set()
    for t in kiosks:
        t.join(10)

    assert refused.startswith(b"HTTP/1.1 503") and b"too_many_connections" in refused
    assert len(heads) == 20 and all(a.startswith((b"HTTP/1.1 408", b"(closed)")) for a in heads)
    assert len(bodies) == 10 and all(b"408" in a.split(b"\r\n")[0] for a in bodies), bodies
    assert idle_closed, "idle connections outlived the header timeout"
    assert served >= 10, "the kiosks were not served while the slow clients hung on"
    received = b""
    stuck.settimeout(5)
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while chunk := stuck.recv(65536):
            received += chunk
    stuck.close()
    seen = [int(line[4:]) for line in received.split(b"\n") if line.startswith(b"id: ")]
    resume_from = seen[-2] if len(seen) > 1 else 0
    with httpx.stream("GET", server.api("/events"), params={"after": resume_from}, timeout=10,
                      headers={"Authorization": f"Bearer {hall.display}"}) as resp:
        first = next(line for line in resp.iter_lines() if line.startswith("id: "))
    assert int(first[4:]) == resume_from + 1  # resumes exactly where it was cut off
    _wait(lambda: len(os.listdir(f"/proc/{pid}/fd")) <= fds_before + 8, 15)
    ledger.settle()
    figures = ledger.check(server, hall.display, hall.db_url)
    assert "Traceback" not in server.log.read_text()
    print(f"slow clients: {figures}, kiosks served {served} while attacked, stuck board "
          f"dropped {dropped_s:.1f} s after the events went out, answers {dict(ledger.statuses)}")


def _closed(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (after whatever it said: a 408)."""
    sock.setblocking(False)
    try:
        while sock.recv(4096):
            pass
        return True
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
