"""Driving a simulator while it runs: what a demo, a trainer or a test tells it (put a card on
the reader, paper out, press a key, show a picture to the camera).

Each simulator lists its commands as `Controls` (name -> handler of the rest of the line, and a
help text); the handlers call the simulator's own methods, which in-process code calls directly.
`ControlServer` serves the commands on a Unix socket, one text line in (`present 2`), one JSON
line out (`{"ok": true, "result": ...}` or `{"ok": false, "error": "..."}`), either inside a pty
simulator's select loop (`fds()` / `handle()`) or on a thread of its own (`start()`). `send()`
is the client; `python -m devices ctl SOCKET LINE...` the command line. `help` lists the
commands of the simulator behind a socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Handler = Callable[[str], object]
Controls = dict[str, tuple[Handler, str]]
MAX_LINE = 64 * 1024  # a path or a QR code's text; anything longer is a mistake


class ControlError(ValueError):
    """A control command was malformed or cannot be done now; the answer says why."""


def dispatch(controls: Controls, line: str, lock: threading.Lock | None = None) -> dict[str, object]:
    """Run one command line against `controls`; never raises on what the line says."""
    name, _, rest = line.strip().partition(" ")
    if name in ("", "help"):
        return {"ok": True, "result": {key: text for key, (_, text) in sorted(controls.items())}}
    if name not in controls:
        return {"ok": False, "error": f"unknown command {name!r}; known: "
                                      f"{', '.join(sorted(controls))} (help explains them)"}
    try:
        with lock or contextlib.nullcontext():
            result = controls[name][0](rest.strip())
    except (ValueError, KeyError, IndexError, OSError) as exc:  # ControlError, BadAddress too
        return {"ok": False, "error": f"{name}: {exc}"}
    return {"ok": True, "result": result}


def words(rest: str, low: int, high: int, usage: str) -> list[str]:
    """The arguments of a command, between `low` and `high` of them, or a ControlError."""
    parts = rest.split()
    if not low <= len(parts) <= high:
        raise ControlError(f"expected {usage}")
    return parts


def number(text: str, usage: str, low: float = 0.0, high: float = 3600.0) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ControlError(f"{text!r} is not a number; expected {usage}") from None
    if not low <= value <= high:
        raise ControlError(f"{value:g} outside {low:g}..{high:g}; expected {usage}")
    return value


def default_path(kind: str) -> str:
    """A fresh socket path in a private temporary folder (removed by `ControlServer.close`)."""
    return str(Path(tempfile.mkdtemp(prefix=f"kuaiban-{kind}-")) / "control.sock")


class ControlServer:
    """A Unix-socket server of one simulator's controls. `lock` (optional) is held while a
    command runs, for simulators that a driver thread uses at the same time."""

    def __init__(self, path: str, controls: Controls, lock: threading.Lock | None = None) -> None:
        self.path, self.controls, self.lock = path, controls, lock
        with contextlib.suppress(FileNotFoundError):
            if Path(path).is_socket():
                os.unlink(path)  # left by a simulator that was killed
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._listener.bind(path)
        except OSError:
            self._listener.close()
            raise
        self._listener.listen(8)
        self._listener.setblocking(False)
        self._clients: dict[int, tuple[socket.socket, bytearray]] = {}
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._closed = False

    def fds(self) -> list[int]:
        return [self._listener.fileno(), *self._clients]

    def handle(self, ready: Iterable[int]) -> None:
        """Accept and answer whatever `select` found ready among `fds()`."""
        for fd in ready:
            if fd == self._listener.fileno():
                with contextlib.suppress(BlockingIOError):
                    conn, _ = self._listener.accept()
                    conn.setblocking(False)
                    self._clients[conn.fileno()] = (conn, bytearray())
            elif fd in self._clients:
                self._read(fd)

    def _read(self, fd: int) -> None:
        conn, buf = self._clients[fd]
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        buf += data
        while b"\n" in buf:
            line, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            answer = dispatch(self.controls, line.decode("utf-8", "replace"), self.lock)
            self._reply(conn, answer)
        if not data or len(buf) > MAX_LINE:
            if data:
                self._reply(conn, {"ok": False, "error": f"line longer than {MAX_LINE} bytes"})
            del self._clients[fd]
            conn.close()

    @staticmethod
    def _reply(conn: socket.socket, answer: dict[str, object]) -> None:
        conn.setblocking(True)  # answers are small; a client that reads nothing is its problem
        conn.settimeout(2.0)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
        conn.setblocking(False)

    def start(self) -> ControlServer:
        """Serve on a thread of its own until `close()`."""
        self._thread = threading.Thread(target=self._loop, name=f"simctl {self.path}", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._closed:
            ready, _, _ = select.select([*self.fds(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            self.handle(ready)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(5)
        for conn, _ in self._clients.values():
            conn.close()
        self._listener.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        folder = Path(self.path).parent
        if folder.name.startswith("kuaiban-") and not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)


def serve_for(options: dict[str, str], controls: Controls,
              lock: threading.Lock | None = None) -> ControlServer | None:
    """The control socket a `sim://KIND?control=PATH` URL asks for, on a thread of its own (for
    an in-process simulator: the demo's kiosk drives its camera this way); None without one."""
    from devices.errors import BadAddress

    path = options.get("control")
    if not path:
        return None
    try:
        return ControlServer(path, controls, lock).start()
    except OSError as exc:
        raise BadAddress(f"cannot serve a control socket at {path!r}: {exc.strerror}") from exc


def send(path: str, line: str, timeout: float = 5.0) -> dict[str, object]:
    """Send one command line to the simulator at `path`; its JSON answer. OSError when nobody
    listens there."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(path)
        conn.sendall(line.strip().encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError(f"{path}: the simulator closed the connection without answering")
            buf += chunk
    answer: dict[str, object] = json.loads(buf)
    return answer
