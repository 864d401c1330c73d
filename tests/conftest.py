"""Shared fixtures: a PostgreSQL database of the test's own (from `KUAIBAN_TEST_PG`, skipped
with a reason when unset), and the real queue server as a separate process on a free loopback
port, with helpers to load the test hall and enrol terminals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
TEST_HALL = ROOT / "tests" / "queue_server" / "data" / "hall.toml"
PG_ENV = "KUAIBAN_TEST_PG"


def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """Create a database of its own on the server of `admin_url`; drop it afterwards."""
    admin = make_url(admin_url)
    name = f"kb_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database for this test (KUAIBAN_TEST_PG names the server)."""
    admin = os.environ.get(PG_ENV, "")
    if not admin:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL to test against")
    yield from fresh_pg_database(admin)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A `python -m queue_server` child process; `url` is its base URL."""

    db_url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.api("/health"), timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def start_server(db_url: str, log_dir: Path, *args: str, port: int | None = None
                 ) -> ServerProcess:
    """Start `python -m queue_server` on a free loopback port and wait until it is healthy."""
    port = port or free_port()
    log = log_dir / f"server-{port}-{uuid.uuid4().hex[:4]}.log"
    cmd = [sys.executable, "-m", "queue_server", "--db", db_url, "--host", "127.0.0.1",
           "--port", str(port), "--no-zeroconf", *args]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = ServerProcess(db_url, port, proc, log, list(args))
    try:
        server.wait_ready()
    except Exception:
        server.kill()
        raise
    return server


@pytest.fixture()
def run_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """`start(db_url, *args, port=None) -> ServerProcess` (ready); all stopped after the test."""
    started: list[ServerProcess] = []

    def start(db_url: str, *args: str, port: int | None = None) -> ServerProcess:
        server = start_server(db_url, tmp_path, *args, port=port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def load_test_hall(db_url: str, config: Path = TEST_HALL, hall_id: str = "t1",
                   outpost_id: str = "bank1") -> None:
    """Migrate and load a hall configuration in-process (fast; `provisioning init` is tested on
    its own), optionally under other hall and outpost ids so many halls share one server."""
    from queue_server.config import parse_config
    from queue_server.db.store import Store, migrate
    from queue_server.usecases.halls import apply_config

    text_ = config.read_text(encoding="utf-8")
    text_ = text_.replace('id = "t1"', f'id = "{hall_id}"').replace(
        'id = "bank1"', f'id = "{outpost_id}"')
    migrate(db_url)
    store = Store(db_url)
    try:
        apply_config(store, parse_config(text_))
    finally:
        store.close()


@pytest.fixture()
def hall_db(tmp_path: Path) -> str:
    """An SQLite file built by the migrations, with the test hall loaded."""
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    load_test_hall(url)
    return url
