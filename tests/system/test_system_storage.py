"""Storage faults under load, with the ledger's invariants after each (tests/system/ledger.py):

- a full disk: the SQLite file on a small tmpfs in a private mount namespace (`unshare -m`,
  root only), filled up while kiosks issue, then freed;
- PostgreSQL restarted, stopped for a while, and turned read-only (what a failover to a standby
  looks like to a client), on a throwaway instance of its own (`initdb` and `pg_ctl` on a
  private port and socket folder; skipped when the binaries are missing).

Through each: only 503 with Retry-After and its code (`storage_full`, `db_unavailable`,
`busy`), never another 5xx; `/health` degraded while it lasts; recovery by itself; nothing
acknowledged lost; a few log lines, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.procs import ROOT, ServerProcess, free_port, start_server
from tests.system.conftest import SystemHall, provision
from tests.system.ledger import Ledger
from tests.system.pg_instance import PgInstance, pg_binaries

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - started


def _health(server: ServerProcess) -> tuple[int, dict[str, str]]:
    try:
        resp = httpx.get(server.api("/health"), timeout=3)
    except httpx.HTTPError:
        return 0, {}
    return resp.status_code, resp.json()


def _quiet_log(server: ServerProcess, most: int) -> list[str]:
    text = server.log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
    changes = [line for line in text.splitlines() if "database: " in line]
    assert 1 <= len(changes) <= most, changes
    return changes


@pytest.fixture
def tmpfs_hall(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str], list[str]]]:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        pytest.skip("needs root, unshare and nsenter for a private tmpfs mount")
    folder, tokens = tmp_path / "disk", tmp_path / "tokens.json"
    folder.mkdir()
    port, log = free_port(), tmp_path / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", sys.executable,
             str(ROOT / "tests/system/tmpfs_server.py"), str(folder), "24m", str(tokens),
             str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = ServerProcess(f"sqlite:///{folder}/hall.db", port, proc, log)
    try:
        server.wait_ready(60)
        inside = ["nsenter", "--target", str(proc.pid), "--mount", "--"]
        yield server, json.loads(tokens.read_text()), inside
    finally:
        server.stop()


def test_a_full_disk_is_503_storage_full_and_recovers_by_itself(
        tmpfs_hall: tuple[ServerProcess, dict[str, str], list[str]]) -> None:
    server, tokens, inside = tmpfs_hall
    folder = Path(server.db_url.removeprefix("sqlite:///")).parent
    ledger = Ledger(lambda: server.api(""), tokens["kiosk"])
    stop = threading.Event()
    threads = ledger.kiosks(stop, threads=3, timeout=5)
    _wait(lambda: len(ledger.acked) >= 30, 10, "the load")
    subprocess.run([*inside, "dd", "if=/dev/zero", f"of={folder}/fill", "bs=256k"],
                   capture_output=True, check=False)  # until "No space left on device"
    _wait(lambda: ledger.statuses["503 storage_full"] >= 5, 20, "503 storage_full")
    status, body = _health(server)
    assert status == 503 and body["db"] == "storage_full", body
    during = dict(ledger.statuses)
    subprocess.run([*inside, "rm", f"{folder}/fill"], check=True)
    freed = len(ledger.acked)
    recovery_s = _wait(lambda: len(ledger.acked) >= freed + 20, 20, "issuing again")
    _wait(lambda: _health(server)[0] == 200, 10, "health ok")
    stop.set()
    for t in threads:
        t.join(10)
    ledger.settle()
    figures = ledger.check(server, tokens["display"])
    check = subprocess.run(
        [*inside, sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
         ".execute('PRAGMA integrity_check').fetchone()[0])", f"{folder}/hall.db"],
        capture_output=True, text=True, check=True)
    assert check.stdout.strip() == "ok"
    changes = _quiet_log(server, 4)
    print(f"disk full: {figures}, issuing again {recovery_s:.2f} s after space was freed, "
          f"answers while full {during}, log: {changes}")


@pytest.fixture
def pg_hall(tmp_path: Path) -> Iterator[tuple[PgInstance, SystemHall]]:
    missing = pg_binaries()
    if missing:
        pytest.skip(missing)
    pg = PgInstance(tmp_path / "pg")
    pg.start()
    hall = None
    try:
        hall = provision(pg.url("kb"), tmp_path, "sys1", counters=2)
        yield pg, hall
    finally:
        if hall is not None:
            hall.stop_all()
        pg.destroy()


def test_postgresql_restarted_stopped_and_read_only_under_load(
        pg_hall: tuple[PgInstance, SystemHall]) -> None:
    pg, hall = pg_hall
    server = start_server(hall.db_url, hall.workdir)
    hall.servers.append(server)
    ledger = Ledger(lambda: server.api(""), hall.kiosk)
    sessions = {code: hall.login(server, code) for code in hall.counter_terminals}
    stop = threading.Event()
    threads = ledger.kiosks(stop, threads=3, timeout=5) + ledger.counters(stop, sessions)
    figures: dict[str, float] = {}

    def progress(what: str) -> None:
        mark = len(ledger.acked)
        figures[what] = round(_wait(lambda: len(ledger.acked) >= mark + 20, 30, what), 2)

    progress("start")
    pg.ctl("restart", "-m", "fast")  # 1. a restart: every connection dropped
    progress("after restart")
    pg.ctl("stop", "-m", "immediate")  # 2. down (a crash), for a while
    _wait(lambda: _health(server)[0] == 503, 10, "health degraded")
    assert _health(server)[1]["db"] == "db_unavailable"
    _wait(lambda: ledger.statuses["503 db_unavailable"] >= 3, 10, "503 db_unavailable")
    pg.ctl("start", "-w")
    progress("after being down")
    pg.sql("ALTER DATABASE kb SET default_transaction_read_only = on")  # 3. a standby
    pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'kb' "
           "AND pid <> pg_backend_pid()")
    refused = ledger.statuses["503 db_unavailable"]
    # once every kiosk thread has been refused, no request sent before the switch is in flight
    _wait(lambda: ledger.statuses["503 db_unavailable"] >= refused + 8, 10, "refusals")
    mark, refused = len(ledger.acked), ledger.statuses["503 db_unavailable"]
    _wait(lambda: ledger.statuses["503 db_unavailable"] >= refused + 20, 10, "refusals")
    assert len(ledger.acked) == mark, "a ticket issued on a read-only database"
    assert _health(server)[0] == 503  # it answers SELECT 1, but writes fail: degraded
    pg.sql("ALTER DATABASE kb SET default_transaction_read_only = off")
    pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'kb' "
           "AND pid <> pg_backend_pid()")
    progress("after read-only")
    _wait(lambda: _health(server)[0] == 200, 10, "health ok")
    stop.set()
    for t in threads:
        t.join(10)
    ledger.settle()
    result = ledger.check(server, hall.display, hall.db_url)
    changes = _quiet_log(server, 12)
    print(f"PostgreSQL faults: {result}, seconds to 20 more tickets {figures}, "
          f"answers {dict(ledger.statuses)}, log: {changes}")
