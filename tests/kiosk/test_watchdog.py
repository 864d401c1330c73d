"""sd_notify over a real unix datagram socket, as systemd listens for it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk import watchdog


def test_notify_reaches_the_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.settimeout(2)
        assert watchdog.notify("READY=1", {"NOTIFY_SOCKET": path})
        assert server.recv(100) == b"READY=1"
        assert watchdog.notify("WATCHDOG=1", {"NOTIFY_SOCKET": path})
        assert server.recv(100) == b"WATCHDOG=1"


def test_abstract_socket_name() -> None:
    name = f"kuaiban-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        server.settimeout(2)
        assert watchdog.notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert server.recv(100) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent(tmp_path: Path) -> None:
    assert not watchdog.notify("READY=1", {})
    assert not watchdog.notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "nobody")})
    assert watchdog.interval_ms({}) is None
    assert watchdog.interval_ms({"WATCHDOG_USEC": "20000000"}) == 10000
    assert watchdog.interval_ms({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}) is None
