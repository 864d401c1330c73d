"""A real hall for the kiosk tests: an SQLite file built by `provisioning init` from a small hall
with a bank-branch outpost, a kiosk and a bank terminal enrolled with `provisioning enrol`, and
`python -m queue_server` as a real process on a free loopback port (killable and restartable on
the same port, for the offline path)."""

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

ROOT = Path(__file__).resolve().parents[2]
HALL_TOML = """
[hall]
id = "kt"
name = "测试政务服务中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{number}号到{counter}办理"
priority_age = 70

[[services]]
code = "company-setup"
name = "企业开办"
category = "商事登记"
prefix = "A"
route = ["intake", "pickup"]
requires_id_card = true
materials = ["公司章程", "住所使用证明"]

[[services]]
code = "property-general"
name = "不动产一般登记"
category = "不动产登记"
prefix = "D"
route = ["intake"]
materials = ["不动产登记申请书"]

[[services]]
code = "water-connect"
name = "用水报装"
category = "水电气暖"
prefix = "G"
route = ["intake"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["company-setup", "property-general", "water-connect"]

[[counters]]
code = "P01"
name = "出件窗口"
zone = "pickup"
services = ["company-setup"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"

[[outposts]]
id = "bank1"
name = "农业银行测试支行 政银合作便民服务点"
services = ["company-setup", "water-connect"]

[[outposts.counters]]
code = "N01"
name = "农行1号窗口"
zone = "intake"
services = ["company-setup", "water-connect"]
"""
PIN = "135790"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, stdin: str | None = None) -> str:
    """`python -m provisioning ARGS`, in this process (five interpreter starts cost seconds);
    the server itself always runs as its own process."""
    from provisioning.__main__ import main

    assert args[:2] == ("-m", "provisioning")
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args[2:]))
    finally:
        sys.stdin = old_stdin
    if code != 0:
        raise RuntimeError(f"{' '.join(args[2:4])} failed: {err.getvalue().strip()[-600:]}")
    return out.getvalue()


class Hall:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'hall.db'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        config = tmp / "hall.toml"
        config.write_text(HALL_TOML, encoding="utf-8")
        run("-m", "provisioning", "init", "--config", str(config), "--db", self.db)
        run("-m", "provisioning", "staff", "--db", self.db, "--id", "s001", "--pin-stdin",
            stdin=PIN + "\n")
        self.kiosk_token = self.enrol("kiosk", "k1")
        self.bank_token = self.enrol("bank", "b1", hall="bank1")
        self.counter_token = self.enrol("counter", "c1", counter="W01")

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

    def api(self, method: str, path: str, token: str, json_body: object = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1" + path, json=json_body, timeout=5,
                             headers={"Authorization": f"Bearer {token}", **(headers or {})})
