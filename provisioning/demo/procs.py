"""Child processes of the demo, each in its own process group, stopped together: on normal
exit, on Ctrl-C (SIGINT) and on SIGTERM. Nothing the demo started is left running. A free port
and the wait for a healthy server are `server_process`'s, shared with the tests and benches."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType, TracebackType

from server_process import free_port, wait_healthy

__all__ = ["ProcessGroup", "Stopped", "free_port", "python_cmd", "wait_healthy"]


def python_cmd(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


class Stopped(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C so every `finally` runs."""


class ProcessGroup:
    """Start named processes with their output in `log_dir`; `stop_all` ends every one."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._old_term: object = None

    def __enter__(self) -> ProcessGroup:
        if _main_thread():
            self._old_term = signal.signal(signal.SIGTERM, self._on_term)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop_all()
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)  # type: ignore[arg-type]

    @staticmethod
    def _on_term(_signum: int, _frame: FrameType | None) -> None:
        raise Stopped()

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None
              ) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env,
                                    start_new_session=True)  # Ctrl-C reaches us, not them
        self.procs[name] = proc
        self._write_pids()
        return proc

    def _write_pids(self) -> None:
        """`pids.json` in the log folder: what is running now (checked by tests, useful to an
        administrator who wonders what the demo left)."""
        alive = {n: p.pid for n, p in list(self.procs.items()) if p.poll() is None}
        tmp = self.log_dir / "pids.json.tmp"
        tmp.write_text(json.dumps(alive))
        tmp.replace(self.log_dir / "pids.json")

    def stop(self, name: str, timeout: float = 8.0) -> int | None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return None
        code = _stop(proc, timeout)
        self._write_pids()
        return code

    def stop_all(self, timeout: float = 8.0) -> None:
        for name in list(self.procs):
            self.stop(name, timeout)

    def alive(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is None]


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> int:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Then the whole group: whatever it started itself (espeak, a helper) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
