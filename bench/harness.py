"""What every benchmark needs: a hall set up by the real administrator's command, and the real
`python -m queue_server` process on a free loopback port (both from `server_process`, which the
tests share; a benchmark never imports `tests`).

The hall is the example hall `examples/hjhq.toml` plus bench counters `Q01…Q32` in the intake
zone (the example has only seven intake windows, the benchmark wants up to 32 counters calling
at once), each with its own staff member and counter terminal.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, also where it is not installed

from server_process import free_port, running, start_server  # noqa: E402
from server_process.hall import init_hall, provisioning  # noqa: E402

__all__ = ["PG_ADMIN", "PIN", "ROOT", "BenchHall", "CounterLogin", "bare_server", "free_port",
           "login_all", "pg_database", "provision", "provisioning", "queue_server", "running"]
EXAMPLE = ROOT / "examples" / "hjhq.toml"
FALLBACK = Path(__file__).resolve().parent / "small_hall.toml"
PIN = "246810"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


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


def hall_toml(extra_counters: int) -> tuple[str, dict[str, object]]:
    """The example hall's TOML text plus the bench counters and staff, and its parsed form."""
    base = EXAMPLE if EXAMPLE.exists() else FALLBACK
    text = base.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    services = [s["code"] for s in parsed["services"]
                if s["route"][0] == "intake" and not s.get("daily_cap")]
    languages = [lang for lang in parsed["hall"].get("languages", []) if lang != "zh"]

    def names(i: int) -> str:  # every language the hall lists needs its form of a name
        return "".join(f'name_{lang} = "Bench counter {i}"\n' for lang in languages)

    extra = []
    for i in range(1, extra_counters + 1):
        extra.append(f'\n[[counters]]\ncode = "Q{i:02d}"\nname = "压测{i}号窗口"\n{names(i)}'
                     f'zone = "intake"\nservices = {json.dumps(services)}\n')
        extra.append(f'\n[[staff]]\nid = "q{i:02d}"\nname = "压测员{i}"\nrole = "staff"\n')
    return text + "".join(extra), {"hall": parsed["hall"]["id"], "services": services}


def provision(workdir: Path, counters: int = 32, db_url: str | None = None) -> BenchHall:
    """Write the bench hall, `provisioning init` it, enrol its terminals (the administrator's
    command through its entry point, in this process). `db_url`: an empty database to use
    instead of a new SQLite file in `workdir`."""
    text, info = hall_toml(counters)
    config = workdir / "hall.toml"
    config.write_text(text, encoding="utf-8")
    db_url = db_url or f"sqlite:///{workdir / 'hall.db'}"
    init_hall(db_url, config)
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
def pg_database(prefix: str = "bench") -> Iterator[str]:
    """A fresh PostgreSQL database `<prefix>_<pid>` on this machine's server, dropped
    afterwards: its SQLAlchemy URL."""
    import os

    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        con.execute(f"drop database if exists {name}")
        con.execute(f"create database {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as con:
            con.execute(f"drop database if exists {name} with (force)")


@contextlib.contextmanager
def queue_server(db_url: str, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m queue_server` on `port` until the block ends (`server_process.start_server`)."""
    server = start_server(db_url, log.parent, port=port, log=log)
    try:
        yield server.proc
    finally:
        server.stop()


def bare_server(db_path: Path, port: int, log: Path) -> contextlib.AbstractContextManager[
        subprocess.Popen[bytes]]:
    cmd = [sys.executable, str(Path(__file__).resolve().parent / "bare_app.py"), "--db",
           str(db_path), "--port", str(port)]
    return running(cmd, f"http://127.0.0.1:{port}/docs", log)
