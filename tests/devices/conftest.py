"""Device tests fail when they leak a thread, an open pty/serial file descriptor or a child
process: a leaked port or simulator would make later tests flaky."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tty_fds() -> dict[int, str]:
    found: dict[int, str] = {}
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except OSError:
            continue
        if target.startswith(("/dev/pts/", "/dev/ptmx", "/dev/tty")):
            found[int(entry)] = target
    return found


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    threads_before = set(threading.enumerate())
    fds_before = _tty_fds()
    yield
    deadline = time.monotonic() + 2.0
    while True:
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        fds = {fd: p for fd, p in _tty_fds().items() if fds_before.get(fd) != p}
        if not (threads or fds) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not threads, f"test leaked threads: {[t.name for t in threads]}"
    assert not fds, f"test leaked pty/serial descriptors: {fds}"


class SimProcess:
    """`python -m devices sim KIND --pty` as a child process; `.path` is its pty, `.control` its
    control socket (the second line it prints) and `.ctl(line)` sends a command there."""

    def __init__(self, kind: str, *args: str) -> None:
        # stderr goes to a file: an unread pipe would block a chatty simulator once it is full
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devices", "sim", kind, "--pty", *args], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=self.errors, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("/dev/"):
            self.stop()
            self.errors.seek(0)
            raise AssertionError(f"simulator printed {line!r}: {self.errors.read()}")
        self.path = line
        self.control = self.proc.stdout.readline().strip()

    def ctl(self, line: str) -> dict[str, object]:
        from devices.simctl import send

        answer = send(self.control, line)
        assert answer["ok"], answer
        return answer

    @property
    def url(self) -> str:
        return f"serial://{self.path}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.errors.close()


@pytest.fixture
def sim_process() -> Iterator[type[SimProcess]]:
    started: list[SimProcess] = []

    class Tracked(SimProcess):
        def __init__(self, kind: str, *args: str) -> None:
            super().__init__(kind, *args)
            started.append(self)

    yield Tracked
    for sim in started:
        sim.stop()
