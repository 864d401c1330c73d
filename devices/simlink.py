"""How simulators meet drivers: an in-process port with pyserial's interface (`SimPort`), and a
pseudo-terminal server (`serve_pty`). Both carry the same bytes from the same simulator engine;
the driver cannot tell them from a real port (nothing branches on "is this a simulator")."""

from __future__ import annotations

import errno
import os
import random
import select
import signal
import sys
import time
import tty
from typing import Protocol, TextIO

import serial

from devices.simctl import ControlServer

Emission = tuple[float, bytes]  # (monotonic time when due, bytes)


class SimEngine(Protocol):
    """The device side of a simulator: bytes in, timed bytes out, plus fault knobs."""

    @property
    def split(self) -> bool: ...

    @property
    def unplugged(self) -> bool: ...

    def exchange(self, data: bytes, now: float) -> list[Emission]: ...

    def tick(self, now: float) -> list[Emission]: ...


class SimPort:
    """An in-process port speaking to an engine. Same methods the drivers use on pyserial."""

    def __init__(self, engine: SimEngine, timeout: float | None = 0.05, name: str = "sim") -> None:
        if engine.unplugged:
            raise serial.SerialException(f"{name}: device not present")
        self.engine = engine
        self.timeout = timeout
        self.port = name
        self.is_open = True
        self._pending: list[Emission] = []
        self._ready = bytearray()
        self._rng = random.Random(7)

    def _check(self) -> None:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self.engine.unplugged:
            raise serial.SerialException(f"{self.port}: device disconnected")

    def write(self, data: bytes) -> int:
        self._check()
        self._pending += self.engine.exchange(bytes(data), time.monotonic())
        return len(data)

    def _collect(self) -> None:
        now = time.monotonic()
        self._pending += self.engine.tick(now)
        due = [e for e in self._pending if e[0] <= now]
        if due:
            self._pending = [e for e in self._pending if e[0] > now]
            for _, data in sorted(due, key=lambda e: e[0]):
                self._ready += data

    @property
    def in_waiting(self) -> int:
        self._check()
        self._collect()
        return len(self._ready)

    def read(self, size: int = 1) -> bytes:
        deadline = time.monotonic() + (self.timeout or 0.0)
        while True:
            self._check()
            self._collect()
            if self._ready:
                take = min(size, self._rng.randint(1, 8)) if self.engine.split else size
                out = bytes(self._ready[:take])
                del self._ready[:take]
                return out
            if time.monotonic() >= deadline:
                return b""
            time.sleep(0.002)

    def reset_input_buffer(self) -> None:
        self._check()
        self._ready.clear()

    def flush(self) -> None:
        self._check()

    def close(self) -> None:
        self.is_open = False


def _write_all(fd: int, data: bytes, split: bool, rng: random.Random) -> None:
    while data:
        take = rng.randint(1, 7) if split else len(data)
        written = os.write(fd, data[:take])
        data = data[written:]
        if split:
            time.sleep(0.001)


def serve_on(master: int, engine: SimEngine, stop: list[int], until: float = float("inf"),
           control: ControlServer | None = None) -> None:
    """Pass bytes between the pty and the engine, and answer the control socket, until a signal
    lands in `stop` or `until`."""
    rng, pending = random.Random(11), []
    while not stop and time.monotonic() < until:
        try:
            ready, _, _ = select.select([master, *(control.fds() if control else [])], [], [], 0.01)
        except InterruptedError:
            continue
        if control is not None:
            control.handle(fd for fd in ready if fd != master)
        now = time.monotonic()
        if master in ready:
            try:
                data = os.read(master, 4096)
            except OSError as exc:  # EIO: no client has the pty open just now
                if exc.errno != errno.EIO:
                    raise
                data = b""
            if data and not engine.unplugged:
                pending += engine.exchange(data, now)
        pending += engine.tick(now)
        due = sorted((e for e in pending if e[0] <= now), key=lambda e: e[0])
        pending = [e for e in pending if e[0] > now]
        for _, data in due:
            if not engine.unplugged:
                _write_all(master, data, engine.split, rng)


def _wait(seconds: float, stop: list[int], control: ControlServer | None) -> None:
    """Unplugged for `seconds`: the control socket still answers."""
    until = time.monotonic() + seconds
    while not stop and (left := until - time.monotonic()) > 0:
        try:
            ready, _, _ = select.select(control.fds() if control else [], [], [], min(left, 0.05))
        except InterruptedError:
            continue
        if control is not None:
            control.handle(ready)


def _plug_in(link: str | None) -> tuple[int, int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)  # no echo or line discipline before a client opens it
    path = os.ttyname(slave)
    if link:
        if os.path.islink(link):  # ours, from the last plug-in; never a file or a device node
            os.unlink(link)
        os.symlink(path, link)
    return master, slave, path


def _unplug(master: int, slave: int, path: str, link: str | None) -> None:
    if link and os.path.islink(link) and os.readlink(link) == path:
        os.unlink(link)
    os.close(master)
    os.close(slave)


def serve_pty(engine: SimEngine, link: str | None = None, out: TextIO = sys.stdout,
              unplug_after: float = 0.0, replug_after: float = 1.0,
              control: ControlServer | None = None) -> int:
    """Serve `engine` on a new pseudo-terminal until SIGTERM/SIGINT; print its path first, and
    the path of its control socket (when given) on the second line.

    `link` (optional) is a symlink kept pointing at the pty, as udev names a device. With
    `unplug_after` > 0 the device is unplugged (pty closed, link removed) after that many
    seconds and plugged back `replug_after` seconds later on a new pty, whose path is printed
    on the next line; and so on.
    """
    stop: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):  # before the path is out: a client may stop us at once
        signal.signal(sig, lambda signum, frame: stop.append(signum))
    first = True
    try:
        while not stop:
            master, slave, path = _plug_in(link)
            print(path, file=out, flush=True)
            if first and control is not None:
                print(control.path, file=out, flush=True)
            first = False
            until = time.monotonic() + unplug_after if unplug_after > 0 else float("inf")
            try:
                serve_on(master, engine, stop, until, control)
            finally:
                _unplug(master, slave, path, link)
            _wait(replug_after, stop, control)
    finally:
        if control is not None:
            control.close()
    return 0
