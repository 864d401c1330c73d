"""`python -m queue_server` (or any server command) as a child process on a free loopback port:
start, wait until it answers, stop or kill, its output in a log file. Standard library and httpx
only (see the package's docstring)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# The folder the server is started in: the repository (or site-packages, once installed).
ROOT = Path(__file__).resolve().parents[1]
Verify = ssl.SSLContext | bool


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def _tail(log: Path | None, most: int = 2000) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-most:]


def wait_answer(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0,
                verify: Verify = True, any_status: bool = False, log: Path | None = None
                ) -> float:
    """Wait until GET `url` answers 200 (any status with `any_status`); answers the seconds it
    took. Raises RuntimeError, with the end of `log`, if the process exits or time runs out.
    Until the port takes a connection it is tried every 20 ms with a bare connect (a server
    listens only once warm; a refused connect costs next to nothing, where an HTTP client's
    request takes some of the CPU the starting server needs), then asked over HTTP every
    100 ms."""
    start = time.monotonic()
    address = httpx.URL(url)
    port = address.port or (443 if address.scheme == "https" else 80)
    listening = False
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}: {_tail(log)}")
        if not listening:
            with contextlib.suppress(OSError), socket.create_connection(
                    (address.host, port), timeout=1.0):
                listening = True
            if not listening:
                time.sleep(0.02)
                continue
        with contextlib.suppress(httpx.HTTPError):
            status = httpx.get(url, timeout=1.0, verify=verify).status_code
            if status == 200 or any_status:
                return time.monotonic() - start
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} in {timeout:.0f} s: {_tail(log)}")


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0,
                 verify: Verify = True) -> float:
    """Wait until the queue server at `base_url` answers GET /api/v1/health with 200."""
    return wait_answer(f"{base_url}/api/v1/health", proc, timeout, verify)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM and wait (a clean stop), then SIGKILL if it does not end in `timeout`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL: the process dies as in a power cut."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


@dataclass
class ServerProcess:
    """A `python -m queue_server` child process; `url` is its base URL."""

    db_url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    extra: list[str] = field(default_factory=list)
    scheme: str = "http"
    verify: Verify = True

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def wait_ready(self, timeout: float = 30.0, any_status: bool = False) -> float:
        """Wait until /api/v1/health answers 200 (or answers at all, with `any_status`)."""
        return wait_answer(self.api("/health"), self.proc, timeout, self.verify, any_status,
                           self.log)

    def log_tail(self, most: int = 2000) -> str:
        return _tail(self.log, most)

    def stop(self) -> None:
        stop(self.proc)

    def kill(self) -> None:
        kill(self.proc)


def start_server(db_url: str, log_dir: Path, *args: str, port: int | None = None,
                 log: Path | None = None, verify: Verify = True, any_status: bool = False,
                 timeout: float = 30.0) -> ServerProcess:
    """Start `python -m queue_server --db DB_URL` on 127.0.0.1 (a free port unless `port`), no
    zeroconf, with `args` added; wait until it is healthy (or answers at all, `any_status`).
    Its output goes to `log` (appended), by default a new file in `log_dir`. With `--tls-cert`
    among `args` it is HTTPS, checked with `verify` (an SSL context trusting the hall's CA)."""
    port = port or free_port()
    log = log or log_dir / f"server-{port}-{uuid.uuid4().hex[:4]}.log"
    cmd = [sys.executable, "-m", "queue_server", "--db", db_url, "--host", "127.0.0.1",
           "--port", str(port), "--no-zeroconf", *args]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=_env())
    server = ServerProcess(db_url, port, proc, log, list(args),
                           "https" if "--tls-cert" in args else "http", verify)
    try:
        server.wait_ready(timeout, any_status)
    except BaseException:
        server.kill()
        raise
    return server


@contextlib.contextmanager
def running(cmd: list[str], url: str, log: Path, timeout: float = 30.0
            ) -> Iterator[subprocess.Popen[bytes]]:
    """Run any server command until the block ends (then stop it); wait for GET `url` to answer
    200 first. Its output goes to `log`."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=_env())
    try:
        wait_answer(url, proc, timeout, log=log)
        yield proc
    finally:
        stop(proc)
