"""`python -m provisioning.watchdog`: READY and WATCHDOG pings over a real notify socket, only
while the program's health URL answers; exit code and signals passed through."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _recv_all(sock: socket.socket, seconds: float) -> list[str]:
    messages, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        sock.settimeout(max(0.05, end - time.monotonic()))
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            break
    return messages


@pytest.fixture()
def notify_socket(tmp_path: Path):  # type: ignore[no-untyped-def]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    yield sock
    sock.close()


def _start(tmp_path: Path, health: str | None, program: list[str]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify"), WATCHDOG_USEC="400000")
    cmd = [sys.executable, "-m", "provisioning.watchdog"]
    cmd += ["--health", health] if health else []
    return subprocess.Popen([*cmd, "--", *program], env=env, stdout=subprocess.PIPE)


def test_pings_while_healthy_and_passes_sigterm_on(tmp_path: Path, notify_socket: socket.socket
                                                  ) -> None:
    (tmp_path / "www/api/v1").mkdir(parents=True)
    (tmp_path / "www/api/v1/health").write_text("{}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
              "--directory", str(tmp_path / "www")]
    proc = _start(tmp_path, f"http://127.0.0.1:{port}/api/v1/health", server)
    try:
        messages = _recv_all(notify_socket, 3.0)
        assert messages and messages[0].startswith("READY=1")
        assert messages.count("WATCHDOG=1") >= 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) in (143, 0)  # http.server dies of SIGTERM (143) or exits cleanly
        assert "STOPPING=1" in _recv_all(notify_socket, 0.5)
    finally:
        proc.kill()
        proc.wait()


def test_no_ping_while_unhealthy_and_exit_code_passes_through(tmp_path: Path,
                                                              notify_socket: socket.socket
                                                              ) -> None:
    with socket.socket() as probe:  # a port nobody listens on: health never answers
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    program = [sys.executable, "-c", "import time, sys; time.sleep(1.5); sys.exit(7)"]
    proc = _start(tmp_path, f"http://127.0.0.1:{dead}/health", program)
    assert proc.wait(10) == 7
    assert _recv_all(notify_socket, 0.3) == []


def test_without_health_ready_at_once_and_no_program_is_usage_error(tmp_path: Path,
                                                                    notify_socket: socket.socket
                                                                    ) -> None:
    proc = _start(tmp_path, None, [sys.executable, "-c", "import time; time.sleep(1.2)"])
    assert proc.wait(10) == 0
    assert _recv_all(notify_socket, 0.3)[0].startswith("READY=1")
    bare = subprocess.run([sys.executable, "-m", "provisioning.watchdog"], capture_output=True,
                          text=True, timeout=20)
    assert bare.returncode == 2 and "no program" in bare.stderr
