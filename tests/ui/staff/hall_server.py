"""A real hall for the staff-side tests: an SQLite file built by `provisioning init`, terminals
enrolled and a staff PIN set with `provisioning`, and `python -m queue_server` as a real process
on a free loopback port, which a test may kill and start again on the same port."""

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

from kiosk.client import QueueClient

ROOT = Path(__file__).resolve().parents[3]
HALL_TOML = """
[hall]
id = "test"
name = "测试政务服务中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{number}号到{counter}办理"

[[services]]
code = "company"
name = "企业开办"
prefix = "A"
route = ["intake", "pickup"]
materials = ["公司章程", "住所使用证明"]

[[services]]
code = "estate"
name = "不动产登记"
prefix = "B"
route = ["intake"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["company", "estate"]

[[counters]]
code = "W02"
name = "2号窗口"
zone = "intake"
services = ["estate", "company"]

[[counters]]
code = "P01"
name = "出件1号窗口"
zone = "pickup"
services = ["company"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"

[[staff]]
id = "s002"
name = "李强"
role = "staff"
"""
PIN = "246810"


def clear(staff: QueueClient, code: str) -> None:
    """Finish whatever ticket the counter holds, so the next call-next may go."""
    current = staff.counter(code).current
    if current is not None:
        if current.status == "called":
            staff.counter_action(code, "start")
        staff.counter_action(code, "finish", {"outcome": "done"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, stdin: str | None = None) -> str:
    """Run `python -m provisioning ...` in this process (the same code as the command, without
    paying an interpreter start for each of a dozen set-up steps)."""
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


class HallServer:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'hall.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        config = tmp / "hall.toml"
        config.write_text(HALL_TOML, encoding="utf-8")
        run("-m", "provisioning", "init", "--config", str(config), "--db", self.db)
        for staff in ("s001", "s002"):
            run("-m", "provisioning", "staff", "--db", self.db, "--id", staff, "--pin-stdin",
                stdin=PIN + "\n")
        self.tokens: dict[str, str] = {}

    def enrol(self, kind: str, name: str, counter: str | None = None) -> str:
        args = ["-m", "provisioning", "enrol", "--db", self.db, "--kind", kind, "--name", name]
        if counter:
            args += ["--counter", counter]
        token = str(json.loads(run(*args, "--json"))["token"])
        self.tokens[name] = token
        return token

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

    def issue(self, service: str, kiosk_token: str) -> dict[str, object]:
        resp = httpx.post(self.url + "/api/v1/tickets", json={"service": service},
                          headers={"Authorization": f"Bearer {kiosk_token}"}, timeout=5)
        resp.raise_for_status()
        return dict(resp.json())
