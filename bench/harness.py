"""What every benchmark needs: a hall set up by the real administrator's command, and the real
`python -m queue_server` process on a free loopback port.

The hall is the example hall `examples/hjhq.toml` plus bench counters `Q01…Q32` in the intake
zone (the example has only seven intake windows, the benchmark wants up to 32 counters calling
at once), each with its own staff member and counter terminal.
"""

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
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hjhq.toml"
FALLBACK = Path(__file__).resolve().parent / "small_hall.toml"
PIN = "246810"


@dataclass
class CounterLogin:
    code: str
    staff: str
    terminal_token: str
    session: str = ""


@dataclass
class BenchHall:
    hall: str
    db_url: str
    services: list[str]  # intake-first services without a daily cap
    kiosk_token: str = ""
    display_token: str = ""
    counters: list[CounterLogin] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hall_toml(extra_counters: int) -> tuple[str, dict[str, object]]:
    """The example hall's TOML text plus the bench counters and staff, and its parsed form."""
    base = EXAMPLE if EXAMPLE.exists() else FALLBACK
    text = base.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    services = [s["code"] for s in parsed["services"]
                if s["route"][0] == "intake" and not s.get("daily_cap")]
    extra = []
    for i in range(1, extra_counters + 1):
        extra.append(f'\n[[counters]]\ncode = "Q{i:02d}"\nname = "压测{i}号窗口"\n'
                     f'name_en = "Bench window {i}"\nzone = "intake"\n'
                     f'services = {json.dumps(services)}\n')
        extra.append(f'\n[[staff]]\nid = "q{i:02d}"\nname = "压测员{i}"\nrole = "staff"\n')
    return text + "".join(extra), {"hall": parsed["hall"]["id"], "services": services}


def provisioning(*argv: str, stdin: str = "") -> str:
    """Run one `python -m provisioning` command in this process (the same code as the CLI,
    without an interpreter start per terminal); answer its standard output."""
    from provisioning.__main__ import main

    out, err, old_stdin = io.StringIO(), io.StringIO(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        sys.stdin = old_stdin
    if code != 0:
        raise RuntimeError(f"provisioning {argv[0]} exited {code}: {err.getvalue().strip()}")
    return out.getvalue()


def provision(workdir: Path, counters: int = 32) -> BenchHall:
    """Write the bench hall, `provisioning init` it (as a real command), enrol its terminals."""
    text, info = hall_toml(counters)
    config = workdir / "hall.toml"
    config.write_text(text, encoding="utf-8")
    db_url = f"sqlite:///{workdir / 'hall.db'}"
    subprocess.run([sys.executable, "-m", "provisioning", "init", "--config", str(config),
                    "--db", db_url], cwd=ROOT, check=True, capture_output=True, timeout=120)
    hall = BenchHall(str(info["hall"]), db_url, list(info["services"]))  # type: ignore[call-overload]

    def enrol(kind: str, name: str, *extra: str) -> str:
        out = provisioning("enrol", "--db", db_url, "--kind", kind, "--name", name, *extra,
                           "--json")
        return str(json.loads(out)["token"])

    hall.kiosk_token = enrol("kiosk", "bench-kiosk")
    hall.display_token = enrol("display", "bench-display")
    for i in range(1, counters + 1):
        code, staff = f"Q{i:02d}", f"q{i:02d}"
        provisioning("staff", "--db", db_url, "--id", staff, "--pin-stdin", stdin=PIN + "\n")
        hall.counters.append(CounterLogin(code, staff, enrol("counter", f"bench-{code}",
                                                             "--counter", code)))
    return hall


def login_all(base: str, hall: BenchHall) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for c in hall.counters:
            resp = client.post("/api/v1/auth/login", json={"staff": c.staff, "pin": PIN,
                                                            "counter": c.code},
                               headers={"Authorization": f"Bearer {c.terminal_token}"})
            resp.raise_for_status()
            c.session = resp.json()["token"]


@contextlib.contextmanager
def running(cmd: list[str], port: int, health: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server command until the block ends; wait for `health` to answer 200 first."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[2]} exited {proc.returncode}: "
                                   f"{log.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[2]} did not answer {health} within 30 s")
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def queue_server(db_url: str, port: int, log: Path) -> contextlib.AbstractContextManager[
        subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "queue_server", "--db", db_url, "--host", "127.0.0.1",
           "--port", str(port), "--no-zeroconf"]
    return running(cmd, port, "/api/v1/health", log)


def bare_server(db_path: Path, port: int, log: Path) -> contextlib.AbstractContextManager[
        subprocess.Popen[bytes]]:
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "bare_app.py"), "--db",
           str(db_path), "--port", str(port)]
    return running(cmd, port, "/docs", log)
