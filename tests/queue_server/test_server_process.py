"""The server process itself: a request waits a bounded time for a locked database and then
answers 503 with Retry-After (health stays answering meanwhile), the WebSocket stream, the
command line's refusals, and a fresh database file made by the server's own migration."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.procs import ROOT, ServerProcess, load_test_hall


def _enrol(db: str, kind: str) -> str:
    from queue_server.db.store import Store
    from queue_server.usecases.auth import enrol_terminal

    store = Store(db)
    try:
        return enrol_terminal(store, kind, kind, None, "t1")[0]
    finally:
        store.close()


def test_a_locked_database_answers_503_and_health_stays_up(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    path = tmp_path / "lock.db"
    db = f"sqlite:///{path}"
    load_test_hall(db)
    token = _enrol(db, "kiosk")
    server = run_server(db, "--lock-timeout", "0.5")
    client = httpx.Client(base_url=server.api(""), timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert client.post("/tickets", json={"service": "general"}).status_code == 201
    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        began = time.monotonic()
        busy = client.post("/tickets", json={"service": "general"})
        waited = time.monotonic() - began
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert busy.json()["error"]["code"] == "busy"
        assert 0.4 < waited < 5
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["db"] == "ok"
        assert client.get("/services").status_code == 200  # reads go on in WAL mode
    finally:
        other.execute("ROLLBACK")
        other.close()
    again = client.post("/tickets", json={"service": "general"})
    assert again.status_code == 201 and again.json()["number"] == "A002"  # nothing skipped


def test_a_client_retrying_refusals_at_once_is_paced_at_the_door(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    """With every place taken (`--max-pending 2`: two writes waiting for a lock another
    process holds), a client that retries each 503 at once gets its first refusals at once
    (four for each write served, eight saved up) and then each after a wait at the door; a
    new connection's first request is refused at once all the same. A request whose body has
    not arrived holds no place. The held writes are answered 201 once
    the lock frees, nothing skipped."""
    path = tmp_path / "door.db"
    db = f"sqlite:///{path}"
    load_test_hall(db)
    token = _enrol(db, "kiosk")
    server = run_server(db, "--lock-timeout", "20", "--max-pending", "2")
    headers = {"Authorization": f"Bearer {token}"}
    url = urlsplit(server.api("/tickets"))
    body = json.dumps({"service": "general"}).encode()
    head = (f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}"
            f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    trickled = [socket.create_connection((url.hostname, url.port), timeout=10)
                for _ in range(3)]
    client = httpx.Client(base_url=server.api(""), timeout=30, headers=headers)
    other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    held: list[Future[httpx.Response]] = []
    with ThreadPoolExecutor(4) as pool:
        try:
            for sock in trickled:  # bodies not arrived: no place taken
                sock.sendall(head.encode() + body[:1])
            assert client.post("/tickets", json={"service": "general"}).status_code == 201
            other.execute("BEGIN IMMEDIATE")
            # Writes go in one at a time until one is refused: those still waiting hold the
            # places (each waits for the lock, up to 20 s).
            while True:
                write = pool.submit(client.post, "/tickets", json={"service": "general"})
                try:
                    refused = write.result(timeout=1.0)
                except TimeoutError:
                    held.append(write)
                    assert len(held) <= 2, "more writes held than places"
                    continue
                assert refused.status_code == 503 and len(held) == 2
                break
            took = []  # one refusal spent: seven at once left, then each after the door's
            for _ in range(12):
                began = time.monotonic()
                refused = client.post("/tickets", json={"service": "general"})
                took.append(time.monotonic() - began)
                assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
                assert refused.json()["error"]["code"] == "busy"
            assert sum(t < 0.015 for t in took[:7]) >= 6, took
            assert all(t >= 0.018 for t in took[7:]), took
            # A new connection is not retrying: its first request is refused at once, with
            # no refusals left; retried at once on that connection, it waits at the door.
            first, again = [], []
            for _ in range(3):
                with httpx.Client(base_url=server.api(""), timeout=30,
                                  headers=headers) as fresh:
                    # the connection made first (a read passes the door): the timing is the
                    # door's, not a busy machine's TCP handshake (18-27 ms once in a full run)
                    assert fresh.get("/health").status_code == 200
                    for took_now in (first, again):
                        began = time.monotonic()
                        refused = fresh.post("/tickets", json={"service": "general"})
                        took_now.append(time.monotonic() - began)
                        assert refused.status_code == 503
            assert sum(t < 0.015 for t in first) >= 2, first
            assert all(t >= 0.018 for t in again), again
        finally:
            if other.in_transaction:
                other.execute("ROLLBACK")
            other.close()
        assert sorted(w.result().json()["number"] for w in held) == ["A002", "A003"]
    for sock in trickled:
        sock.sendall(body[1:])
        assert sock.recv(4096).startswith(b"HTTP/1.1 201")
        sock.close()
    again = client.post("/tickets", json={"service": "general"})
    assert again.status_code == 201 and again.json()["number"] == "A007"
    client.close()


def test_websocket_stream_resumes_after_an_id(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    load_test_hall(db)
    token = _enrol(db, "display")
    kiosk = _enrol(db, "kiosk")
    server = run_server(db)
    client = httpx.Client(base_url=server.api(""), headers={"Authorization": f"Bearer {kiosk}"})
    numbers = [client.post("/tickets", json={"service": "general"}).json()["number"]
               for _ in range(3)]
    ws_url = server.api("/events/ws").replace("http://", "ws://")
    with connect(f"{ws_url}?after=0", additional_headers={"Authorization": f"Bearer {token}"},
                 open_timeout=5) as ws:
        events = []
        while len([e for e in events if e["type"] == "ticket.issued"]) < 3:
            events.append(json.loads(ws.recv(timeout=5)))
    issued = [e for e in events if e["type"] == "ticket.issued"]
    assert [e["number"] for e in issued] == numbers
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    with connect(f"{ws_url}?after={issued[1]['id']}&token={token}", open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["number"] == numbers[2]
    # A refused handshake is answered as any refused request (it was a bare 403 for all).
    for query, status, code in (("after=0&token=kbt_wrong", 401, "unauthorized"),
                                ("after=0", 401, "unauthorized"),
                                (f"after=-1&token={token}", 400, "bad_after")):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{ws_url}?{query}", open_timeout=5)
        assert refused.value.response.status_code == status, query
        assert json.loads(refused.value.response.body)["error"]["code"] == code, query
    server.stop()
    log = server.log.read_text(encoding="utf-8")
    assert "WebSocket /api/v1/events/ws?after=" in log and "token=…" in log
    assert token not in log and token[4:20] not in log  # uvicorn logged the handshake's query


def test_a_kept_alive_connection_lives_past_five_idle_seconds(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    """The documented idle timeout (120 s) is what holds between requests: uvicorn closed a
    kept-alive connection after 5 s, so a request sent as it did was reset unanswered."""
    db = f"sqlite:///{tmp_path / 'ka.db'}"
    load_test_hall(db)
    server = run_server(db)
    where = urlsplit(server.api(""))
    ask = f"GET /api/v1/health HTTP/1.1\r\nHost: {where.netloc}\r\n\r\n".encode()
    with socket.create_connection((where.hostname, where.port), timeout=10) as conn:
        for turn in range(2):
            if turn:
                time.sleep(6)  # idle longer than uvicorn's default keep-alive (the subject)
            conn.sendall(ask)
            answer = b""
            while not answer.endswith(b"}"):  # the head, then the body
                part = conn.recv(65536)
                assert part, f"closed after {answer!r}"
                answer += part
            assert answer.startswith(b"HTTP/1.1 200"), answer[:80]


def test_command_line_refusals_and_a_fresh_database(
        tmp_path: Path, run_server: Callable[..., ServerProcess]) -> None:
    """Each mistake is exit 2 with one line (contract §1), before anything starts: a driver
    not installed raised ImportError from the engine (a traceback, exit 1), a bad host or a
    port in use made uvicorn log its start and exit 3, argparse printed its usage block."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    sqlite = f"sqlite:///{tmp_path / 'never.db'}"
    key = tmp_path / "not-a-key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n")
    with taken:
        for args in (["--port", "0"], ["--tls-cert", "x.pem"], ["--lock-timeout", "0"],
                     # TLS files missing or wrong: uvicorn printed a traceback (exit 1)
                     ["--db", sqlite, "--tls-cert", str(tmp_path / "none.pem"), "--tls-key",
                      str(key)],
                     ["--db", sqlite, "--tls-cert", str(key), "--tls-key", str(key)],
                     ["--db", "nonsense://"], ["--db", "mysql://x@127.0.0.1/y"],
                     ["--db", "postgresql+nosuchdriver://x@127.0.0.1/y"], ["--port", "x"],
                     ["--db", sqlite, "--host", "999.1.1.1"],
                     ["--db", sqlite, "--port", str(taken.getsockname()[1])]):
            result = subprocess.run([sys.executable, "-m", "queue_server", "--no-zeroconf",
                                     *args], cwd=ROOT, capture_output=True, text=True,
                                    timeout=60)
            assert result.returncode == 2, (args, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert not (tmp_path / "never.db").exists()
    fresh = tmp_path / "sub" / "fresh.db"
    server = run_server(f"sqlite:///{fresh}")
    assert fresh.exists()
    assert httpx.get(server.url + "/openapi.json").json()["info"]["title"].startswith("快办")


@pytest.mark.parametrize("its_alembic", [False, True], ids=["plain", "its-own-alembic"])
def test_the_server_builds_no_tables_in_another_program_s_database(tmp_path: Path,
                                                                    its_alembic: bool) -> None:
    """`provisioning init` and `restore` refuse another program's database; the server started
    on one migrated into it at start, Kuaiban's tables beside theirs. Exit 2, one line, the
    file's bytes as they were (not even turned to WAL). A program that keeps its schema with
    Alembic too has an `alembic_version` of revisions Kuaiban never had: still another's (the
    server took any version for Kuaiban's; init and restore did not)."""
    from server_process.process import free_port

    path = tmp_path / "accounts.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    other.execute("INSERT INTO accounts (owner) VALUES ('财务科')")
    if its_alembic:
        other.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        other.execute("INSERT INTO alembic_version VALUES ('3f2c9a1b7d4e')")
    other.commit()
    other.close()
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-m", "queue_server", "--no-zeroconf", "--db",
                             f"sqlite:///{path}", "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    said = result.stderr.strip().splitlines()
    assert len(said) == 1 and "不是快办的数据库" in said[0] and "accounts" in said[0], said
    assert path.read_bytes() == before
