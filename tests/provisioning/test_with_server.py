"""Provisioning against the real server process: a revoked terminal's token gets 401, a
re-enrolled machine's old token too; heartbeats show in `list`; a backup taken while tickets are
issued restores into a database another server serves; `provisioning tls` material serves HTTPS
that a client pinning the hall CA accepts; the systemd watchdog wrapper feeds on its health."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from provisioning import backup
from provisioning.__main__ import main
from provisioning.demo.procs import ProcessGroup, python_cmd
from server_process import free_port, wait_healthy
from tests.provisioning.conftest import load_hall

pytestmark = pytest.mark.slow  # real server processes: a few seconds each to start


@pytest.fixture()
def group(tmp_path: Path) -> Iterator[ProcessGroup]:
    with ProcessGroup(tmp_path / "logs") as g:
        yield g


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One hall server shared by the tests that only enrol, revoke and read."""
    folder = tmp_path_factory.mktemp("hall")
    url = f"sqlite:///{folder / 'hall.db'}"
    load_hall(url)
    with ProcessGroup(folder / "logs") as g:
        yield url, _serve(g, url)


def _serve(group: ProcessGroup, url: str, name: str = "server", *extra: str,
           verify: bool | str = True) -> str:
    port = free_port()
    scheme = "https" if "--tls-cert" in extra else "http"
    base = f"{scheme}://127.0.0.1:{port}"
    proc = group.start(name, python_cmd("queue_server", "--db", url, "--port", str(port),
                                        "--no-zeroconf", "--log-level", "warning", *extra))
    wait_healthy(base.replace("127.0.0.1", "localhost") if scheme == "https" else base, proc,
                 verify=verify)
    return base


def _config(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
            *extra: str) -> dict[str, object]:
    """Enrol this test's machine (its id from the test's folder: tests share one hall)."""
    machine = uuid.uuid5(uuid.NAMESPACE_URL, str(tmp_path)).hex
    assert main(["terminal-config", "--db", url, "--kind", kind, "--out",
                 str(tmp_path / f"{kind}.toml"), "--machine-id", machine, "--json",
                 *extra]) == 0
    return json.loads(capsys.readouterr().out.splitlines()[0])


def _get(base: str, token: str, path: str = "/services") -> httpx.Response:
    return httpx.get(f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)


def test_revoked_and_replaced_tokens_get_401(hall: tuple[str, str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    url, base = hall
    first = _config(url, tmp_path, capsys, "kiosk")
    assert _get(base, str(first["token"])).status_code == 200
    second = _config(url, tmp_path, capsys, "kiosk")  # the same machine again
    old = _get(base, str(first["token"]))
    assert old.status_code == 401 and old.json()["error"]["code"]
    assert _get(base, str(second["token"])).status_code == 200
    assert main(["revoke", "--db", url, "--name", str(second["terminal"])]) == 0
    revoked = _get(base, str(second["token"]))
    assert revoked.status_code == 401 and set(revoked.json()["error"]) == {"code", "message"}


def test_revoking_a_counter_ends_its_staff_sessions(hall: tuple[str, str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url, base = hall
    pad = _config(url, tmp_path, capsys, "counter", "--counter", "W05")
    proc = subprocess.run([sys.executable, "-m", "provisioning", "staff", "--db", url, "--id",
                           "s005", "--pin-stdin"], input="8642\n", capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    login = httpx.post(f"{base}/api/v1/auth/login", json={"staff": "s005", "pin": "8642",
                                                           "counter": "W05"},
                       headers={"Authorization": f"Bearer {pad['token']}"}, timeout=10)
    assert login.status_code == 200
    session = login.json()["token"]
    assert _get(base, session, "/counters/W05").status_code == 200
    assert main(["revoke", "--db", url, "--name", str(pad["terminal"])]) == 0
    capsys.readouterr()
    assert _get(base, session, "/counters/W05").status_code == 401


def test_heartbeat_shows_in_list(hall: tuple[str, str], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    url, base = hall
    kiosk = _config(url, tmp_path, capsys, "kiosk")
    resp = httpx.post(f"{base}/api/v1/terminals/heartbeat",
                      json={"devices": {"printer": "paper_out", "idcard": "online"}},
                      headers={"Authorization": f"Bearer {kiosk['token']}"}, timeout=10)
    assert resp.status_code == 204
    assert main(["list", "--db", url]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines()
               if str(kiosk["terminal"]) in line)
    assert "printer=paper_out" in row and "never" not in row


def test_backup_under_load_restores_into_a_database_another_server_serves(
        db_factory, group: ProcessGroup, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    base = _serve(group, url)
    kiosk = _config(url, tmp_path, capsys, "kiosk")
    headers = {"Authorization": f"Bearer {kiosk['token']}"}
    issued = []
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=10) as http:
        for i in range(30):
            if i == 15:  # half way: back up while the server keeps issuing
                assert main(["backup", "--db", url, "--out", str(tmp_path / "b.db")]) == 0
            resp = http.post("/tickets", json={"service": "company-setup"},
                             headers={"Idempotency-Key": str(uuid.uuid4())})
            assert resp.status_code == 201
            issued.append(resp.json())
    capsys.readouterr()
    target = db_factory("sqlite")
    assert main(["restore", "--db", target, "--from", str(tmp_path / "b.db")]) == 0
    other = _serve(group, target, "restored")
    for t in issued[:15]:  # everything issued before the backup is there, with its number
        got = _get(other, str(kiosk["token"]), f"/tickets/{t['id']}")
        assert got.status_code == 200 and got.json()["number"] == t["number"]
    counts = backup.table_counts(target)
    assert counts["tickets"] == 15
    nxt = httpx.post(f"{other}/api/v1/tickets", json={"service": "company-setup"},
                     headers=headers | {"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert nxt.status_code == 201 and nxt.json()["number"] == issued[15]["number"]


def test_tls_material_serves_https_to_a_client_pinning_the_hall_ca(
        db_factory, group: ProcessGroup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
        ) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    assert main(["tls", "--out", str(tmp_path / "tls"), "--hall", "hjhq", "--host", "localhost",
                 "--host", "127.0.0.1", "--json"]) == 0
    files = json.loads(capsys.readouterr().out)
    pinned = ssl.create_default_context(cafile=files["ca"])
    base = _serve(group, url, "tls", "--tls-cert", files["cert"], "--tls-key", files["key"],
                  "--tls-ca", files["ca"], verify=pinned)
    assert httpx.get(f"{base}/api/v1/health", verify=pinned, timeout=10).json()["status"] == "ok"
    with pytest.raises(httpx.ConnectError):  # without the hall CA: refused
        httpx.get(f"{base}/api/v1/health", timeout=10)


def test_watchdog_feeds_on_the_real_servers_health(db_factory, tmp_path: Path) -> None:
    url = db_factory("sqlite")
    load_hall(url)
    port = free_port()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    env = dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify"), WATCHDOG_USEC="1000000")
    proc = subprocess.Popen(
        python_cmd("provisioning.watchdog", "--health",
                   f"http://127.0.0.1:{port}/api/v1/health", "--",
                   *python_cmd("queue_server", "--db", url, "--port", str(port), "--no-zeroconf",
                               "--log-level", "warning")), env=env)
    try:
        got: list[str] = []
        sock.settimeout(1.0)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and got.count("WATCHDOG=1") < 2:
            with contextlib.suppress(TimeoutError):
                got.append(sock.recv(4096).decode())
        assert got and got[0].startswith("READY=1") and got.count("WATCHDOG=1") >= 2
        proc.terminate()
        assert proc.wait(20) in (0, 143)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
