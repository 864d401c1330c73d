"""A real hall for the terminal tests: an SQLite file built by `provisioning init` (run in this
process: a dozen interpreter starts would cost seconds) and `python -m queue_server` as a real
process on a free loopback port, which a test may kill and start again on the same port."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, stdin: str | None = None) -> str:
    """`python -m provisioning ARGS`, in this process; answers what it printed."""
    from provisioning.__main__ import main

    assert args[:2] == ("-m", "provisioning")
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args[2:]))
    finally:
        sys.stdin = saved
    if code != 0:
        raise RuntimeError(f"provisioning {args[2]} failed: {err.getvalue().strip()[-600:]}")
    return out.getvalue()


class HallProcess:
    """The hall's database, set up from `hall_toml`, and its server process."""

    def __init__(self, tmp: Path, hall_toml: str) -> None:
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'hall.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        config = tmp / "hall.toml"
        config.write_text(hall_toml, encoding="utf-8")
        run("-m", "provisioning", "init", "--config", str(config), "--db", self.db)

    def set_pin(self, staff: str, pin: str) -> None:
        run("-m", "provisioning", "staff", "--db", self.db, "--id", staff, "--pin-stdin",
            stdin=pin + "\n")

    def enrol(self, kind: str, name: str, counter: str | None = None,
              hall: str | None = None) -> str:
        args = ["-m", "provisioning", "enrol", "--db", self.db, "--kind", kind, "--name", name]
        args += ["--counter", counter] if counter else []
        args += ["--hall", hall] if hall else []
        return str(json.loads(run(*args, "--json"))["token"])

    def start(self, timeout: float = 20.0) -> None:
        log = open(self.tmp / "server.log", "ab")  # noqa: SIM115 (the process owns it)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "queue_server", "--db", self.db, "--host", "127.0.0.1",
             "--port", str(self.port), "--no-zeroconf"], cwd=ROOT, stdout=log, stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"queue_server exited: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"queue_server did not answer in {timeout} s: {self.log_tail()}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log_tail(self) -> str:
        path = self.tmp / "server.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""
